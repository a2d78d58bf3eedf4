//! One bench run: stages, probes, timing, teardown, and its record.

pub mod availability;
mod checks;
mod context;
pub(crate) use context::StageContext;
pub mod environment;
mod flink;
pub mod guard;
pub(crate) mod log;
pub mod owner;
mod probe;
mod process;
pub mod runner;
pub mod search;
pub(crate) mod stage;
pub mod stepwise;
pub mod sustained;
pub mod sweep;
mod tasks;
mod watch;
