//! One bench run: stages, probes, timing, teardown, and its record.

pub mod availability;
mod checks;
mod context;
pub mod environment;
mod flink;
pub mod guard;
mod log;
pub mod owner;
mod probe;
mod process;
pub mod runner;
mod stage;
pub mod stepwise;
pub mod sweep;
mod watch;
