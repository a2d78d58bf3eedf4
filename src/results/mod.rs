//! Results: what a run and a comparison are made of, and their files. The run record
//! (run.json), the results and runs tables, the comparison built from them (pipelines with
//! their metric table), the hyperfine-shaped export read back as a baseline, and the
//! statistics behind every figure. `report` and `export` render these; the runner writes
//! them; neither holds a model of its own.

pub mod baseline;
pub mod comparison;
pub mod export_file;
pub mod files;
pub mod freshness;
pub mod rebuild;
pub mod record;
pub mod runs_table;
pub mod stats;
pub mod summary;
pub mod table;
