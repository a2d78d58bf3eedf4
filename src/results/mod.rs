//! Results: the comparison table and the statistics behind its figures.

pub mod summary;
pub mod table;
