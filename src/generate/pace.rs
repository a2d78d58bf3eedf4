//! The open-loop pacer of `rtde generate --rate R`: event `i` is due at `t0 + i / R`, on the
//! monotonic clock. The generator sends whatever is due and never waits for the stack, so a
//! slow stack cannot slow the load down and hide its own latency (coordinated omission, as
//! OpenMessaging Benchmark's issues #247 and #152 describe it). What the pacer cannot keep
//! up with it records: each event's lateness (send time minus due time), and the achieved
//! rate. A run whose generator fell more than [`MAX_BEHIND`] behind is invalid as a figure of
//! the stack: the load it meant to apply was not applied.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::freshness::pacing::{MAX_BEHIND, Pacing};

/// Lateness histogram buckets: 0.1 ms wide up to this many milliseconds; later events fall
/// into the last bucket, which still counts them (and `max_ms` keeps the exact worst).
const BUCKETS: usize = 100_000;
const BUCKET_MS: f64 = 0.1;

pub struct Pacer {
    start: Instant,
    start_unix_ms: f64,
    events_per_second: f64,
    lateness: Vec<u32>,
    max_late: Duration,
    last_late: Duration,
    sent: u64,
}

impl Pacer {
    pub fn new(events_per_second: f64) -> Pacer {
        let start = Instant::now();
        let start_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        Pacer {
            start,
            start_unix_ms,
            events_per_second,
            lateness: vec![0; BUCKETS],
            max_late: Duration::ZERO,
            last_late: Duration::ZERO,
            sent: 0,
        }
    }

    fn due(&self, index: u64) -> Instant {
        self.start + Duration::from_secs_f64(index as f64 / self.events_per_second)
    }

    /// When event `index` is due, if that is still ahead; `None` when it is due now.
    pub fn due_later(&self, index: u64) -> Option<Instant> {
        let due = self.due(index);
        (due > Instant::now()).then_some(due)
    }

    /// Records that event `index` is being sent now.
    pub fn sent(&mut self, index: u64) {
        let late = Instant::now().saturating_duration_since(self.due(index));
        self.sent_late(index, late);
    }

    fn sent_late(&mut self, index: u64, late: Duration) {
        self.last_late = late;
        self.max_late = self.max_late.max(late);
        let bucket = ((late.as_secs_f64() * 1000.0 / BUCKET_MS) as usize).min(BUCKETS - 1);
        self.lateness[bucket] += 1;
        self.sent = index + 1;
    }

    fn percentile_ms(&self, q: f64) -> f64 {
        let total: u64 = self.lateness.iter().map(|&n| u64::from(n)).sum();
        if total == 0 {
            return 0.0;
        }
        let rank = ((q * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &n) in self.lateness.iter().enumerate() {
            seen += u64::from(n);
            if seen >= rank {
                return (i + 1) as f64 * BUCKET_MS;
            }
        }
        BUCKETS as f64 * BUCKET_MS
    }

    /// The summary, once the last event was sent.
    pub fn finish(&self) -> Pacing {
        self.finish_after(self.start.elapsed())
    }

    fn finish_after(&self, elapsed: Duration) -> Pacing {
        let elapsed = elapsed.as_secs_f64();
        let scheduled = self.sent as f64 / self.events_per_second;
        let achieved_rate = if elapsed > 0.0 {
            // The last event is due at (n - 1) / R: over n events the schedule spans n / R.
            self.sent as f64 / elapsed.max(scheduled)
        } else {
            0.0
        };
        // How far behind its schedule the generator was at the end and for its slowest 1 %
        // of events: a moment's stall it recovered from shows in the latencies (measured from
        // the due times), not here.
        let p99 = Duration::from_secs_f64(self.percentile_ms(0.99) / 1000.0);
        let behind = if scheduled > 0.0 {
            self.last_late.max(p99).as_secs_f64() / scheduled
        } else {
            0.0
        };
        let shortfall = 1.0 - achieved_rate / self.events_per_second;
        Pacing {
            t0_unix_ms: self.start_unix_ms,
            rate: self.events_per_second,
            events: self.sent,
            achieved_rate,
            lateness_p50_ms: self.percentile_ms(0.50),
            lateness_p99_ms: self.percentile_ms(0.99),
            lateness_max_ms: self.max_late.as_secs_f64() * 1000.0,
            behind,
            valid: behind <= MAX_BEHIND && shortfall <= MAX_BEHIND,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freshness::pacing::{PACING_PREFIX, parse_pacing};

    #[test]
    fn a_pacer_that_keeps_its_schedule_is_valid() {
        let mut pacer = Pacer::new(1000.0);
        for i in 0..1000 {
            // A stall of 20 ms once, recovered at once: not behind at the end.
            let late = if i == 500 { 20.0 } else { 0.05 };
            pacer.sent_late(i, Duration::from_secs_f64(late / 1000.0));
        }
        let pacing = pacer.finish_after(Duration::from_millis(1000));
        assert_eq!(pacing.events, 1000);
        assert!(pacing.valid, "{pacing:?}");
        assert!((pacing.achieved_rate - 1000.0).abs() < 1e-6, "{pacing:?}");
        assert!(pacing.lateness_p50_ms <= 0.1, "{pacing:?}");
        assert!((pacing.lateness_max_ms - 20.0).abs() < 1e-6, "{pacing:?}");
    }

    #[test]
    fn a_pacer_that_fell_behind_is_invalid() {
        let mut pacer = Pacer::new(1000.0);
        // The last tenth of the events went out ever later, up to 50 ms behind (5 %).
        for i in 0..1000 {
            let late = if i < 900 { 0.0 } else { (i - 900) as f64 * 0.5 };
            pacer.sent_late(i, Duration::from_secs_f64(late / 1000.0));
        }
        let pacing = pacer.finish_after(Duration::from_millis(1050));
        assert!(!pacing.valid, "{pacing:?}");
        assert!(pacing.behind > 0.04, "{pacing:?}");
        // A generator that kept up but sent too few per second is invalid too.
        let mut slow = Pacer::new(1000.0);
        for i in 0..100 {
            slow.sent_late(i, Duration::ZERO);
        }
        assert!(!slow.finish_after(Duration::from_millis(200)).valid);
    }

    #[test]
    fn real_sends_are_timed_against_the_schedule() {
        // A schedule that began 30 ms ago: events 0..10 were due by 10 ms, so each is late.
        let mut pacer = Pacer::new(1000.0);
        pacer.start -= Duration::from_millis(30);
        for i in 0..10 {
            assert_eq!(pacer.due_later(i), None);
            pacer.sent(i);
        }
        assert!(pacer.due_later(1_000_000).is_some());
        assert!(pacer.finish().lateness_max_ms >= 20.0);
    }

    #[test]
    fn the_pacing_line_reads_back() {
        let pacing = Pacer::new(10.0).finish();
        let line = format!(
            "noise\n{PACING_PREFIX}{}\nmore",
            serde_json::to_string(&pacing).unwrap()
        );
        assert_eq!(parse_pacing(&line), Some(pacing));
        assert_eq!(parse_pacing("nothing"), None);
    }
}
