//! The load of a sustained run and what the generator achieved of it: the types both sides
//! of the load share. The generator (`generate/pace.rs`) measures and prints a [`Pacing`];
//! the runner reads it back from the stage log and `run.json` carries it, so it lives here,
//! below `results` and `run`, rather than in the generator that produces it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The share of the run's duration the generator may fall behind its schedule (the latest
/// event's lateness), or the share of the rate it may miss, before the run is invalid.
pub const MAX_BEHIND: f64 = 0.02;

/// The line the generator prints, and rtde reads back from the stage log.
pub const PACING_PREFIX: &str = "rtde pacing: ";

/// The load of a sustained run (`--rate`, `--duration`, `--probe-interval`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadSpec {
    pub rate: f64,
    pub duration: Duration,
    pub probe_interval: Duration,
}

impl LoadSpec {
    pub fn events(&self) -> u64 {
        (self.rate * self.duration.as_secs_f64()).round() as u64
    }
}

/// What the pacer achieved, printed by the generator as `rtde pacing: {json}` on stderr.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pacing {
    /// Wall-clock time (Unix epoch, milliseconds) of the schedule's origin: event `i` was due
    /// at `t0_unix_ms + 1000 * i / rate`.
    pub t0_unix_ms: f64,
    pub rate: f64,
    pub events: u64,
    /// Events divided by the time from the origin to the last send.
    pub achieved_rate: f64,
    pub lateness_p50_ms: f64,
    pub lateness_p99_ms: f64,
    pub lateness_max_ms: f64,
    /// The last event's lateness, or the p99 lateness if larger, as a share of the
    /// scheduled duration.
    pub behind: f64,
    /// `behind` and the rate's shortfall both within [`MAX_BEHIND`].
    pub valid: bool,
}

/// The last pacing line in a generator's output.
pub fn parse_pacing(output: &str) -> Option<Pacing> {
    output
        .lines()
        .rev()
        .find_map(|line| line.split_once(PACING_PREFIX))
        .and_then(|(_, json)| serde_json::from_str(json.trim()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_is_rate_times_duration_events() {
        let load = LoadSpec {
            rate: 2000.0,
            duration: Duration::from_millis(1500),
            probe_interval: Duration::from_millis(250),
        };
        assert_eq!(load.events(), 3000);
    }
}
