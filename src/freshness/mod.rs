//! Freshness under a sustained load (issue 20): how far behind the stack's Silver is while
//! the generator produces at a steady rate, and the highest rate a stack sustains.
//!
//! - `probe`: `rtde probe`, run inside the stack, counts Silver at a fixed interval;
//! - `latency`: the polls, the schedule and the oracle's row-to-event map → percentiles,
//!   windows, drain time, lag trend;
//! - `session`: a run's stages in this mode (processor started before the load, probe beside
//!   it, drain, stop, then the correctness stages as in batch mode);
//! - `search`: `--find-max-rate`, doubling then bisection of short sustained runs;
//! - `table`: the freshness columns of runs.csv and results.csv;
//! - `report`: the comparison report's freshness section and charts.

pub mod latency;
pub mod probe;
pub mod report;
pub mod search;
pub mod session;
pub mod table;
