//! Results: the comparison table and the statistics behind its figures.

pub mod baseline;
pub mod runs_table;
pub mod stats;
pub mod summary;
pub mod table;
