//! One bench run: stages, probes, timing, teardown, and its record.

pub mod record;
