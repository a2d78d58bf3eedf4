//! The fallback reader: Docker's stats stream, for engines whose cgroup files rtde cannot
//! read (a remote engine, Docker Desktop's VM, a host without permission).
//!
//! The engine computes nothing for us: it forwards the cgroup's raw counters, so the working
//! set is derived exactly as the cgroup reader derives it (and as `docker stats` does). The
//! engine sends one reading per second whatever rtde asks, which is the method's main limit.

use bollard::models::ContainerStatsResponse;
use futures_util::StreamExt;

use super::Reading;
use crate::engine::docker::Engine;

/// One stats message as a reading; `None` for the empty messages the engine sends for a
/// container that is not running.
pub fn reading_from_stats(stats: &ContainerStatsResponse) -> Option<Reading> {
    let memory = stats.memory_stats.as_ref()?;
    let usage_bytes = memory.usage.filter(|&usage| usage > 0)?;
    let counters = memory.stats.as_ref();
    // cgroup v1 reports the hierarchical `total_inactive_file`; v2 only `inactive_file`.
    let inactive_file = counters
        .and_then(|c| {
            c.get("total_inactive_file")
                .or_else(|| c.get("inactive_file"))
        })
        .copied()
        .unwrap_or(0);
    let cpu_ns = stats.cpu_stats.as_ref()?.cpu_usage.as_ref()?.total_usage?;
    Some(Reading {
        usage_bytes,
        working_set_bytes: usage_bytes.saturating_sub(inactive_file),
        // `max_usage` is v1's memory.max_usage_in_bytes; v2 engines omit it.
        kernel_peak_bytes: memory.max_usage.filter(|&peak| peak > 0),
        cpu_usec: cpu_ns / 1_000,
    })
}

/// Follows one container's stats stream until the container stops or the task is aborted,
/// handing every usable reading to `on_reading`.
pub async fn follow(engine: &Engine, id: String, mut on_reading: impl FnMut(Reading)) {
    let mut stream = engine.stats(&id);
    while let Some(message) = stream.next().await {
        match message {
            Ok(stats) => {
                if let Some(reading) = reading_from_stats(&stats) {
                    on_reading(reading);
                }
            }
            Err(err) => {
                tracing::debug!(container = %id, "stats stream ended: {err}");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Trimmed from `GET /containers/{id}/stats?stream=false` on this machine's engine
    // (Docker 20.10, cgroup v1) for an idle fixture container.
    const STATS_V1: &str = r#"{
        "read": "2026-11-25T11:59:20.096376875Z",
        "cpu_stats": {"cpu_usage": {"total_usage": 30847853, "usage_in_kernelmode": 0,
                      "usage_in_usermode": 20000000}, "system_cpu_usage": 1583030000000,
                      "online_cpus": 2},
        "memory_stats": {"usage": 1056768, "max_usage": 4321280,
                         "stats": {"inactive_file": 733184, "total_inactive_file": 700000,
                                   "total_rss": 45056}, "limit": 25276063744},
        "name": "/hardcore_tu",
        "id": "ad6c95fccffd55f58c89c9b7e39a27b1360a0f901f14b61db0b96bda75d4c754"
    }"#;

    // The shape a cgroup v2 engine sends (no max_usage, no total_* keys).
    const STATS_V2: &str = r#"{
        "cpu_stats": {"cpu_usage": {"total_usage": 2003456000}},
        "memory_stats": {"usage": 280000000,
                         "stats": {"anon": 268435456, "inactive_file": 8388608}}
    }"#;

    // What the engine streams for a container that has stopped.
    const STATS_STOPPED: &str = r#"{
        "read": "0001-01-01T00:00:00Z",
        "cpu_stats": {"cpu_usage": {"total_usage": 0}},
        "memory_stats": {}
    }"#;

    fn parse(json: &str) -> ContainerStatsResponse {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn v1_stats_use_the_hierarchical_inactive_file_and_max_usage() {
        let reading = reading_from_stats(&parse(STATS_V1)).unwrap();
        assert_eq!(reading.usage_bytes, 1_056_768);
        assert_eq!(reading.working_set_bytes, 1_056_768 - 700_000);
        assert_eq!(reading.kernel_peak_bytes, Some(4_321_280));
        assert_eq!(reading.cpu_usec, 30_847);
    }

    #[test]
    fn v2_stats_use_inactive_file_and_have_no_kernel_peak() {
        let reading = reading_from_stats(&parse(STATS_V2)).unwrap();
        assert_eq!(reading.working_set_bytes, 280_000_000 - 8_388_608);
        assert_eq!(reading.kernel_peak_bytes, None);
        assert_eq!(reading.cpu_usec, 2_003_456);
    }

    #[test]
    fn a_stopped_containers_empty_message_is_no_reading() {
        assert_eq!(reading_from_stats(&parse(STATS_STOPPED)), None);
    }
}
