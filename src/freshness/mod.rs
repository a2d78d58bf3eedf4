//! Freshness under a sustained load (issue 20), the model: how far behind the stack's Silver
//! is while the generator produces at a steady rate. Only what the layers above share lives
//! here (it imports nothing of rtde but `error` and `http`), so `manifest`, `results` and `run` all
//! reach it downwards; the phase of a run that drives the load is `run::sustained`, the
//! rate search `run::search`, the columns `results::freshness` and the report section
//! `report::freshness`.
//!
//! - `probe`: `rtde probe`, run inside the stack, counts Silver at a fixed interval; its
//!   source forms, which the manifest's `sustained:` section is checked against;
//! - `iceberg`: the probe's Iceberg source, a table's rows as its REST catalog states them;
//! - `latency`: the polls, the schedule and the oracle's row-to-event map → percentiles,
//!   windows, drain time, lag trend;
//! - `pacing`: the load asked for and what the generator achieved of it;
//! - `record`: what `run.json` carries of a sustained run.

pub mod iceberg;
pub mod latency;
pub mod pacing;
pub mod probe;
pub mod record;
