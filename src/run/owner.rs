//! Who owns a run's resources: the rtde process (pid, its start time, host) written into
//! every resource's labels, so a later rtde can tell a live run from a dead one's leftovers.
//!
//! A pid alone is not enough: after a crash the pid can be reused by an unrelated process,
//! which would make the leftovers look alive forever. The process start time (field 22 of
//! `/proc/<pid>/stat`, in clock ticks since boot) tells the two apart.

use std::collections::BTreeMap;
use std::collections::HashMap;

use crate::engine::docker::labels;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub pid_start: u64,
    pub host: String,
}

impl Owner {
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            pid_start: start_time(pid).unwrap_or(0),
            host: hostname(),
        }
    }

    pub fn labels(&self, run_id: &str, pipeline: &str, keep: bool) -> BTreeMap<String, String> {
        BTreeMap::from([
            (labels::RUN_ID.into(), run_id.into()),
            (labels::PIPELINE.into(), pipeline.into()),
            (labels::PID.into(), self.pid.to_string()),
            (labels::PID_START.into(), self.pid_start.to_string()),
            (labels::HOST.into(), self.host.clone()),
            (labels::KEEP.into(), keep.to_string()),
            (labels::INSTANCE.into(), instance()),
        ])
    }

    pub fn from_labels(l: &HashMap<String, String>) -> Option<Owner> {
        Some(Owner {
            pid: l.get(labels::PID)?.parse().ok()?,
            pid_start: l.get(labels::PID_START)?.parse().ok()?,
            host: l.get(labels::HOST)?.clone(),
        })
    }

    /// Whether this owner's process still runs. An owner on another host is reported alive:
    /// rtde cannot see it, so it must not touch its resources.
    pub fn is_alive(&self) -> bool {
        if self.host != hostname() {
            return true;
        }
        start_time(self.pid) == Some(self.pid_start)
    }
}

/// This process's instance name (see [`labels::INSTANCE`]).
pub fn instance() -> String {
    std::env::var("RTDE_INSTANCE")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "default".into())
}

fn hostname() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into())
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_time(&stat)
}

/// Field 22 of `/proc/<pid>/stat`; the command name (field 2) may hold spaces and
/// parentheses, so fields are counted after its closing parenthesis.
fn parse_start_time(stat: &str) -> Option<u64> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_is_field_22_even_with_odd_command_names() {
        let stat = "1234 (rtde (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 4 0 987654 1000000 200";
        assert_eq!(parse_start_time(stat), Some(987654));
    }

    #[test]
    fn the_current_process_is_alive_and_a_reused_pid_is_not() {
        let me = Owner::current();
        assert!(me.is_alive());
        let reused = Owner {
            pid_start: me.pid_start + 1,
            ..me.clone()
        };
        assert!(!reused.is_alive());
        let round_trip = Owner::from_labels(&me.labels("r", "p01", false).into_iter().collect());
        assert_eq!(round_trip, Some(me));
    }
}
