//! What the runner tells the world: events, not prints.
//!
//! The runner and the commands emit these; only a [`crate::output::Reporter`] renders them,
//! so the same run shows a live spinner on a terminal and plain timestamped lines in CI.

use std::time::Duration;

use crate::results::summary::BenchSummary;

#[derive(Debug, Clone)]
pub enum Event {
    /// A pipeline run begins (`index` counts warm-ups too).
    RunStarted {
        pipeline: String,
        index: u32,
        total: u32,
        warmup: bool,
        project: String,
    },
    /// A phase outside the stages: prepare, startup, teardown.
    Phase { pipeline: String, phase: String },
    StageStarted {
        pipeline: String,
        stage: String,
        index: usize,
        total: usize,
    },
    StageFinished {
        pipeline: String,
        stage: String,
        status: String,
        duration: Duration,
    },
    /// An `expect` check was evaluated (`rtde stage`: as soon as its metrics are known).
    CheckFinished {
        pipeline: String,
        check: String,
        passed: bool,
        /// What was expected, with the metric (`job_rows = rows (42)`).
        expected: String,
        /// The captured value; `None` when the metric was never captured.
        actual: Option<f64>,
    },
    RunFinished {
        pipeline: String,
        status: String,
        e2e: Duration,
        run_dir: String,
        error: Option<String>,
    },
    /// The current step of long work outside a run (an image build, a host binary
    /// compiling): a spinner line on a terminal, one plain line per step elsewhere.
    Step { what: String, step: String },
    /// `rtde images build` is done: one row per image or base.
    ImagesBuilt(Vec<ImageRow>),
    /// A pipeline's runs are over: its closing summary (`rtde bench`).
    BenchSummary(Box<BenchSummary>),
    /// Something the user should know that does not stop the run.
    Warning(String),
    /// A plain informative line (what was cleaned, how to stop a kept stack).
    Note(String),
    /// A block of text asked for (a resolved manifest), written as it is.
    Document(String),
}

/// One image of `rtde images build`'s closing table.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRow {
    pub image: String,
    /// `built`, `up to date` or why it was skipped.
    pub result: String,
    pub seconds: f64,
}
