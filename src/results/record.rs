//! The record of one bench run: what `run.json` holds.
//!
//! This is rtde's machine-readable contract with reports, `rtde compare` and anyone who
//! scripts against a run, so fields are only ever added, never renamed. Times are seconds as
//! `f64`; offsets are from the moment the clock started (just before `compose up`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::sample::ResourceReport;

/// Bumped when a field changes meaning (adding one does not bump it).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema_version: u32,
    pub run_id: String,
    /// The Compose project name: `rtde-<pipeline id>-<run id>`.
    pub project: String,
    pub pipeline: PipelineInfo,
    /// 0-based index among the runs of one `rtde bench` invocation (warm-ups included).
    pub run_index: u32,
    /// A warm-up run: executed and recorded, never counted in statistics.
    pub warmup: bool,
    pub status: RunStatus,
    /// Why the run did not pass, in one sentence.
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// Variables after defaults and command-line overrides (never credentials).
    pub variables: BTreeMap<String, String>,
    /// Image pulls and builds, before the clock starts.
    pub prepare_s: f64,
    /// From `compose up` until every service is healthy or running.
    pub startup_s: f64,
    /// From the clock's start to the end of the last stage (teardown excluded).
    pub e2e_s: f64,
    /// e2e minus startup minus the time inside stages: what rtde itself added.
    pub harness_overhead_s: f64,
    /// Teardown time (not part of e2e).
    pub teardown_s: f64,
    pub stages: Vec<StageRecord>,
    /// Every captured metric of every stage (a later capture of the same name wins).
    pub metrics: BTreeMap<String, f64>,
    pub checks: Vec<CheckRecord>,
    /// Every container that ran in the project, one-off `run` containers included.
    pub containers: Vec<ContainerRecord>,
    /// Memory and CPU, when sampling was on.
    pub resources: Option<ResourceReport>,
    pub environment: Environment,
    /// Freshness under a sustained load (`rtde bench --rate`); absent in batch mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<crate::freshness::record::FreshnessRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipelineInfo {
    pub id: String,
    pub name: String,
    pub tier: String,
    pub description: Option<String>,
    /// The pipeline folder, relative to the project root.
    pub folder: String,
    pub stack: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every stage succeeded and every check passed.
    Passed,
    /// Every stage succeeded but a check failed.
    CheckFailed,
    /// A stage failed, timed out, or startup failed.
    Failed,
    /// SIGINT/SIGTERM stopped the run.
    Interrupted,
}

impl RunStatus {
    /// The word the results table uses (the original framework's `validation_status`).
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Passed => "PASS",
            RunStatus::CheckFailed => "CHECK_FAIL",
            RunStatus::Failed => "FAIL",
            RunStatus::Interrupted => "INTERRUPTED",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageRecord {
    pub name: String,
    /// startup, ingestion, processing, transform, serving, validation or other.
    pub category: String,
    /// exec, run or host.
    pub action: String,
    pub started_offset_s: f64,
    pub ended_offset_s: f64,
    pub duration_s: f64,
    pub exit_code: Option<i64>,
    pub status: StageStatus,
    /// Metrics captured from this stage's output.
    pub metrics: BTreeMap<String, f64>,
    /// The stage log, relative to the run folder.
    pub log: String,
    pub error: Option<String>,
    /// Containers the OOM killer hit while the stage ran (the likely cause of its failure).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oom_kills: Vec<OomKillRecord>,
    /// The tasks an orchestrator ran in this stage, with its own start, end and state
    /// (`rtde-task` lines of the stage output; src/run/tasks.rs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Passed,
    Failed,
    TimedOut,
    Interrupted,
    /// Not reached because an earlier stage failed.
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckRecord {
    pub name: String,
    pub metric: String,
    /// What was expected, as written (`= 9855`, `in [1, 10]`).
    pub expected: String,
    /// The captured value; `None` when the metric was never captured (a failure).
    pub actual: Option<f64>,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub service: String,
    pub name: String,
    pub id: String,
    pub image: String,
    pub image_id: String,
    /// A `compose run` container (one-off) rather than a service of `up`.
    pub one_off: bool,
    /// Its memory limit (`mem_limit`), when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_limit_bytes: Option<u64>,
    /// The kernel's OOM killer hit it during the run.
    #[serde(default)]
    pub oom_killed: bool,
}

/// A container of the run the kernel killed for going over its memory limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OomKillRecord {
    pub container: String,
    pub service: String,
    pub mem_limit_bytes: Option<u64>,
}

impl OomKillRecord {
    /// The sentence that names the kill, for the stage's error and the console.
    pub fn describe(&self) -> String {
        let limit = match self.mem_limit_bytes {
            Some(bytes) => format!("its memory limit of {} MiB", bytes / (1024 * 1024)),
            None => "its memory limit".to_string(),
        };
        format!(
            "the kernel killed container `{}` (service `{}`) for going over {limit} (OOM kill); \
             raise the service's `mem_limit` or give it less to hold",
            self.container, self.service
        )
    }
}

/// Where and with what a run happened; recorded with every result.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Environment {
    pub rtde_version: String,
    pub git_commit: Option<String>,
    pub docker_version: Option<String>,
    /// The Docker API version negotiated with the engine.
    pub docker_api_version: Option<String>,
    /// `docker compose` (v2) or `docker-compose` (v1), with its version.
    pub compose: Option<String>,
    pub cgroup_version: Option<String>,
    pub cgroup_driver: Option<String>,
    pub storage_driver: Option<String>,
    pub cpu_model: Option<String>,
    pub cores: usize,
    pub memory_bytes: Option<u64>,
    pub kernel: Option<String>,
    pub os: Option<String>,
}

/// One task of an orchestrator's run, as the orchestrator reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRecord {
    /// The task's name in the orchestrator (a Mage block, a Prefect task, a Dagster step).
    pub name: String,
    /// The orchestrator's word for its final state (`completed`, `COMPLETED`, `success`).
    pub state: String,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    /// `ended_at − started_at`, filled in by rtde when both are known.
    #[serde(default)]
    pub duration_s: Option<f64>,
}
