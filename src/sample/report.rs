//! The figures the sampler hands back, as stored in `run.json`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ResourceReport {
    /// `cgroup` or `stats`.
    pub method: String,
    /// `1` or `2`, as the engine reports it (recorded for the stats method too).
    pub cgroup_version: Option<String>,
    pub cgroup_driver: Option<String>,
    /// Why `--sampler auto` read the stats stream rather than the cgroup files.
    #[serde(default)]
    pub method_note: Option<String>,
    pub intended_interval_ms: u64,
    pub achieved_interval_ms: f64,
    pub samples: u64,
    pub samples_missed: u64,
    /// Maximum over time of the time-aligned sum of working sets across containers.
    pub stack_peak_mem_bytes: u64,
    /// Time-weighted mean of that sum over the sampled span.
    pub stack_mean_mem_bytes: u64,
    /// user + system CPU of every container, in seconds.
    pub cpu_s: f64,
    /// cpu_s divided by the sampled wall time.
    pub avg_cores: f64,
    pub containers: Vec<ContainerResources>,
    pub stages: Vec<StageResources>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContainerResources {
    pub service: String,
    pub container: String,
    /// Peak of usage minus inactive file (what `docker stats` shows).
    pub peak_working_set_bytes: u64,
    /// Peak of raw usage (page cache included).
    pub peak_usage_bytes: u64,
    /// The kernel's own high-water mark, where the cgroup keeps one.
    pub kernel_peak_bytes: Option<u64>,
    pub mean_working_set_bytes: u64,
    pub cpu_s: f64,
    /// Lived shorter than one sampling interval: figures are its last reading only.
    pub shorter_than_one_sample: bool,
    /// Readings taken of it (0: it came and went before any could be).
    #[serde(default)]
    pub readings: u64,
    /// From Docker's start and die events, when it ended while sampling.
    #[serde(default)]
    pub lifetime_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageResources {
    pub stage: String,
    pub stack_peak_mem_bytes: u64,
    /// Sum of per-container kernel peaks over the stage, where the kernel can reset them.
    pub kernel_peak_bytes: Option<u64>,
    pub cpu_s: f64,
    /// Milliseconds after sampling started.
    #[serde(default)]
    pub started_offset_ms: u64,
    #[serde(default)]
    pub ended_offset_ms: u64,
    /// Time-weighted mean of the stack's working set inside the stage.
    #[serde(default)]
    pub stack_mean_mem_bytes: u64,
    /// cpu_s divided by the stage's wall time.
    #[serde(default)]
    pub avg_cores: f64,
    /// Every container that lived during the stage.
    #[serde(default)]
    pub containers: Vec<ContainerStageResources>,
}

/// One container's figures inside one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContainerStageResources {
    pub service: String,
    pub container: String,
    /// Including the reading in force when the stage opened.
    pub peak_working_set_bytes: u64,
    pub peak_usage_bytes: u64,
    /// The kernel's high-water mark over the stage, where it was reset as the stage opened.
    pub kernel_peak_bytes: Option<u64>,
    pub cpu_s: f64,
}
