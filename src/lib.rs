//! rtde as a library: the `rtde` binary (`src/main.rs`) is wiring over these modules, and
//! the integration tests and benchmarks use them directly.

pub mod cli;
pub mod commands;
pub mod engine;
pub mod error;
pub mod exit;
pub mod export;
pub mod freshness;
pub mod generate;
pub mod http;
pub mod images;
pub mod manifest;
pub mod output;
pub mod paths;
pub mod report;
pub mod results;
pub mod run;
pub mod sample;
pub mod topics;
