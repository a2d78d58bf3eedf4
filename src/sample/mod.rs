//! Memory and CPU of a run's containers, as the kernel counts them.
//!
//! This module only measures; it never prints. The harness starts a sampler at `up`, marks
//! stage boundaries, and stops it before `down`, receiving a [`ResourceReport`]. What each
//! figure means and how it is measured is in `docs/metrics.md`.
//!
//! - `cgroup`: where the cgroup files are, and how they are read and parsed (v1 and v2).
//! - `stats_stream`: the fallback, Docker's stats stream.
//! - `series`: the figures computed from the readings.
//! - `sampler`: discovery of the project's containers and the sampling thread.

mod cgroup;
mod report;
mod sampler;
mod series;
mod stats_stream;

pub use report::{ContainerResources, ContainerStageResources, ResourceReport, StageResources};
pub use sampler::{Method, Sampler, SamplerConfig};

/// One reading of one container's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The cgroup's memory usage, page cache included.
    pub usage_bytes: u64,
    /// Usage minus inactive file pages: what `docker stats` shows.
    pub working_set_bytes: u64,
    /// The kernel's high-water mark of usage (since creation or the last reset).
    pub kernel_peak_bytes: Option<u64>,
    /// User + system CPU time since the cgroup was created.
    pub cpu_usec: u64,
}
