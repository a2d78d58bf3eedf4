//! From the probe's polls to freshness: a latency per Silver row, its percentiles per run and
//! per window, the time to drain, and whether the lag grew.
//!
//! What is known exactly: when each event was due (the open-loop schedule: event `i` at
//! `t0 + i / rate`, see generate/pace.rs), and from the oracle which event each Silver row
//! comes from (`generate::silver_events`). A poll at time `t` that sees `n` rows says that
//! rows `0..n` were visible by `t`. Row `r` becomes visible at the first poll that sees more
//! than `r` rows, some time after the poll before; its latency is the middle of those two
//! polls minus its event's due time, within half a poll interval of the true latency either
//! way (and unbiased when visibility falls anywhere between polls alike). It assumes rows become
//! visible in the order their events were produced (across partitions that holds only up to
//! the processor's skew between them: docs/metrics.md).

use serde::{Deserialize, Serialize};

use super::probe::Poll;

/// Windows of the freshness series, by the due time of the rows' events.
pub const WINDOW_S: f64 = 10.0;
/// The lag's growth above which a rate is not sustained: 0.05 s per second of load, that is
/// 3 s more behind after every minute. Below it the lag is level within what a processor
/// that works in batches (triggers, checkpoints) makes of it over a short run.
pub const MAX_LAG_SLOPE: f64 = 0.05;

/// Freshness percentiles of one window of the load.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Window {
    pub start_s: f64,
    pub rows: u64,
    pub p50_s: f64,
    pub p95_s: f64,
    pub p99_s: f64,
    pub max_s: f64,
}

/// One point of the lag series, a poll from the start of the load until Silver drained: at
/// `t_s` after the start, `rows` were visible and the output was `lag_s` behind (now minus
/// the due time of the newest event visible in Silver).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct LagPoint {
    pub t_s: f64,
    pub lag_s: f64,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Freshness {
    pub rows_expected: u64,
    pub rows_seen: u64,
    pub polls: u64,
    /// The median gap between polls: the resolution of every latency below.
    pub poll_interval_ms: f64,
    pub p50_s: Option<f64>,
    pub p95_s: Option<f64>,
    pub p99_s: Option<f64>,
    pub max_s: Option<f64>,
    /// From the last event's due time to the first poll that saw every Silver row; `None`
    /// when Silver never reached the oracle's count.
    pub drain_s: Option<f64>,
    /// The lag's linear trend (seconds per second) over the load after its warm-up.
    pub lag_slope: Option<f64>,
    /// The start of the load left out of the percentiles and the trend (a quarter of the
    /// duration, at most [`WINDOW_S`]).
    pub warmup_s: f64,
    /// Drained, and the lag did not grow faster than [`MAX_LAG_SLOPE`].
    pub sustained: bool,
    pub windows: Vec<Window>,
    pub lag: Vec<LagPoint>,
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The least-squares slope of `points` (lag over time); `None` with fewer than three.
fn slope(points: &[LagPoint]) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.t_s).sum::<f64>() / n;
    let my = points.iter().map(|p| p.lag_s).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.t_s - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.t_s - mx) * (p.lag_s - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The load: its schedule and how many events it had.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub t0_unix_ms: f64,
    pub rate: f64,
    pub events: u64,
}

impl Load {
    fn due_s(&self, event: u64) -> f64 {
        event as f64 / self.rate
    }
    fn duration_s(&self) -> f64 {
        self.events as f64 / self.rate
    }
}

/// Freshness of one run. `silver_events[r]` is the event row `r` comes from; `polls` in the
/// order they were taken.
pub fn compute(load: Load, silver_events: &[u64], polls: &[Poll]) -> Freshness {
    let expected = silver_events.len() as u64;
    let duration = load.duration_s();
    let warmup_s = (duration / 4.0).min(WINDOW_S);
    let mut latencies = Vec::with_capacity(silver_events.len());
    let mut by_window: Vec<Vec<f64>> =
        vec![Vec::new(); (duration / WINDOW_S).ceil().max(1.0) as usize];
    let mut lag = Vec::new();
    let mut seen = 0u64;
    let mut drain_s = None;
    let mut previous_s: Option<f64> = None;
    for poll in polls {
        let t_s = (poll.t_ms - load.t0_unix_ms) / 1000.0;
        // Rows first counted by this poll became visible after the previous one.
        let visible_s = previous_s.map_or(t_s, |p| (p + t_s) / 2.0);
        previous_s = Some(t_s);
        let rows = poll.rows.min(expected).max(seen);
        for &event in &silver_events[seen as usize..rows as usize] {
            let latency = visible_s - load.due_s(event);
            // The run's percentiles leave the warm-up out (the processor's start, its first
            // fetches), as OpenMessaging Benchmark and Theodolite do; its windows keep it.
            if load.due_s(event) >= warmup_s {
                latencies.push(latency);
            }
            let w = ((load.due_s(event) / WINDOW_S) as usize).min(by_window.len() - 1);
            by_window[w].push(latency);
        }
        seen = rows;
        if t_s >= 0.0 && drain_s.is_none() {
            let newest_due = match seen {
                0 => 0.0,
                n => load.due_s(silver_events[n as usize - 1]),
            };
            let lag_s = if seen == expected {
                0.0
            } else {
                (t_s - newest_due).max(0.0)
            };
            lag.push(LagPoint {
                t_s,
                lag_s,
                rows: seen,
            });
        }
        if drain_s.is_none() && seen == expected {
            drain_s = Some((t_s - load.due_s(load.events.saturating_sub(1))).max(0.0));
        }
    }
    let after_warmup: Vec<LagPoint> = lag
        .iter()
        .copied()
        .filter(|p| p.t_s >= warmup_s && p.t_s <= duration)
        .collect();
    let lag_slope = slope(&after_warmup);
    let gaps = sorted(polls.windows(2).map(|w| w[1].t_ms - w[0].t_ms).collect());
    let all = sorted(latencies);
    let windows = by_window
        .into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(i, v)| {
            let v = sorted(v);
            Window {
                start_s: i as f64 * WINDOW_S,
                rows: v.len() as u64,
                p50_s: percentile(&v, 0.50).unwrap_or_default(),
                p95_s: percentile(&v, 0.95).unwrap_or_default(),
                p99_s: percentile(&v, 0.99).unwrap_or_default(),
                max_s: *v.last().unwrap_or(&0.0),
            }
        })
        .collect();
    Freshness {
        rows_expected: expected,
        rows_seen: seen,
        polls: polls.len() as u64,
        poll_interval_ms: percentile(&gaps, 0.5).unwrap_or_default(),
        p50_s: percentile(&all, 0.50),
        p95_s: percentile(&all, 0.95),
        p99_s: percentile(&all, 0.99),
        max_s: all.last().copied(),
        drain_s,
        lag_slope,
        warmup_s,
        sustained: drain_s.is_some() && lag_slope.is_some_and(|s| s <= MAX_LAG_SLOPE),
        windows,
        lag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls every `interval_ms` of a processor that makes row r visible at `visible(r)`
    /// seconds after the start.
    fn polls(
        load: Load,
        rows: u64,
        interval_ms: f64,
        until_s: f64,
        visible: impl Fn(u64) -> f64,
    ) -> Vec<Poll> {
        let mut out = Vec::new();
        let mut t = 0.0;
        while t <= until_s * 1000.0 {
            let n = (0..rows).take_while(|&r| visible(r) * 1000.0 <= t).count() as u64;
            out.push(Poll {
                t_ms: load.t0_unix_ms + t,
                rows: n,
            });
            t += interval_ms;
        }
        out
    }

    #[test]
    fn a_constant_delay_is_measured_within_one_poll_interval() {
        let load = Load {
            t0_unix_ms: 1_000_000.0,
            rate: 100.0,
            events: 2000,
        };
        // Every other event yields a Silver row; each is visible 2 s after it was due.
        let silver: Vec<u64> = (0..2000).step_by(2).collect();
        let ps = polls(load, 1000, 100.0, 30.0, |r| {
            silver[r as usize] as f64 / 100.0 + 2.0
        });
        let f = compute(load, &silver, &ps);
        assert_eq!(f.rows_seen, 1000);
        for p in [f.p50_s.unwrap(), f.p99_s.unwrap(), f.max_s.unwrap()] {
            assert!((1.95 - 1e-9..=2.05 + 1e-9).contains(&p), "{f:?}");
        }
        assert!(f.sustained, "{f:?}");
        assert!(f.lag_slope.unwrap().abs() < 0.01, "{f:?}");
        let drain = f.drain_s.unwrap();
        assert!((1.9..=2.2).contains(&drain), "{drain}");
        assert_eq!(f.windows.len(), 2);
        assert!((f.poll_interval_ms - 100.0).abs() < 1e-6);
    }

    #[test]
    fn a_processor_slower_than_the_rate_is_not_sustained() {
        let load = Load {
            t0_unix_ms: 0.0,
            rate: 100.0,
            events: 2000,
        };
        let silver: Vec<u64> = (0..2000).collect();
        // It handles 60 events per second: row r is visible at r / 60 s.
        let ps = polls(load, 2000, 100.0, 40.0, |r| r as f64 / 60.0);
        let f = compute(load, &silver, &ps);
        let slope = f.lag_slope.unwrap();
        assert!((0.3..0.5).contains(&slope), "{slope}");
        assert!(!f.sustained);
        // The run ended before it drained: never sustained, and no drain time.
        let f = compute(load, &silver, &ps[..200]);
        assert_eq!(f.drain_s, None);
        assert!(!f.sustained);
    }

    #[test]
    fn no_polls_give_no_figures() {
        let load = Load {
            t0_unix_ms: 0.0,
            rate: 10.0,
            events: 10,
        };
        let f = compute(load, &[1, 2], &[]);
        assert_eq!((f.p50_s, f.drain_s, f.lag_slope), (None, None, None));
        assert!(!f.sustained);
    }
}
