//! `rtde stage`: named stages of a manifest run against a stack that `rtde up` started, one
//! invocation at a time, each recorded in the stack's folder.
//!
//! `rtde up` writes `stack.json` into the stack's folder (`runs/<id>/manual-<run id>/`): the
//! project and every variable the stack was started with, built-ins included, so a stage run
//! by hand renders exactly what it would render in a bench run of that stack. Each `rtde
//! stage` appends its invocation to `stages.json`, which also keeps every metric captured so
//! far: a check is evaluated as soon as the metrics it reads are known, whichever invocation
//! captured them (`silver_rows` in one call, `oracle_silver_rows` in an earlier one).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::checks;
use super::context::StageContext;
use super::owner::instance;
use super::runner::{Harness, LABELS_FILE, StageRun, compose_project, skipped, stage_label};
use super::watch::ContainerWatch;
use crate::error::Error;
use crate::manifest::{Check, Pipeline, Stage};
use crate::output::Event;
use crate::results::files::write_atomic;
use crate::results::record::{CheckRecord, ContainerRecord, RunStatus, StageRecord, StageStatus};

/// What `rtde up` records of the stack it started.
pub const STACK_FILE: &str = "stack.json";
/// What every `rtde stage` on the stack ran, and the metrics captured so far.
pub const STAGES_FILE: &str = "stages.json";

/// The folder of a stack `rtde up` started: the labels override, `stack.json`, the stages'
/// logs and `stages.json`.
pub fn stack_dir(root: &Path, pipeline: &str, run_id: &str) -> PathBuf {
    root.join("runs")
        .join(pipeline)
        .join(format!("manual-{run_id}"))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackRecord {
    pub pipeline: String,
    /// The Compose project, `rtde-<id>-<run id>`.
    pub project: String,
    pub run_id: String,
    pub started_at: DateTime<Utc>,
    /// The variables given on `rtde up`'s command line (`--var`, `--broker`).
    pub overrides: BTreeMap<String, String>,
    /// Every variable of the stack (defaults, overrides, built-ins): what stages render.
    pub variables: BTreeMap<String, String>,
    /// The rtde instance that started it (`RTDE_INSTANCE`): only its commands see it.
    pub instance: String,
    /// The services `up` started. A stack may have none (P00's stages are all one-off
    /// containers), so the record, not a container, is what says a stack is up.
    pub services: Vec<String>,
    /// When `rtde down` stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_at: Option<DateTime<Utc>>,
}

impl StackRecord {
    pub fn write(&self, dir: &Path) -> Result<()> {
        write_json(&dir.join(STACK_FILE), self)
    }

    /// The record in `dir`, or `None` when there is none (a stack kept by `bench --keep-up`).
    pub fn read(dir: &Path) -> Result<Option<StackRecord>> {
        let path = dir.join(STACK_FILE);
        if !path.exists() {
            return Ok(None);
        }
        read_json(&path).map(Some)
    }

    /// Record that `rtde down` stopped the stack: no `rtde stage` finds it after this.
    pub fn mark_down(mut self, dir: &Path) -> Result<()> {
        self.down_at = Some(Utc::now());
        self.write(dir)
    }
}

/// The stacks of a pipeline that `rtde up` started for this rtde instance and `rtde down`
/// has not stopped, with their folders, oldest first.
pub fn live_stacks(root: &Path, pipeline: &str) -> Result<Vec<(PathBuf, StackRecord)>> {
    let folder = root.join("runs").join(pipeline);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Ok(Vec::new());
    };
    let mine = instance();
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("manual-"))
        })
        .collect();
    dirs.sort();
    let mut live = Vec::new();
    for dir in dirs {
        if let Some(stack) = StackRecord::read(&dir)?
            && stack.instance == mine
            && stack.down_at.is_none()
        {
            live.push((dir, stack));
        }
    }
    Ok(live)
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct StagesRecord {
    /// Every metric captured on the stack so far (a later capture of the same name wins).
    pub metrics: BTreeMap<String, f64>,
    pub invocations: Vec<Invocation>,
}

impl StagesRecord {
    /// The record in `dir`; empty before the first `rtde stage`.
    pub fn read(dir: &Path) -> Result<StagesRecord> {
        let path = dir.join(STAGES_FILE);
        if path.exists() {
            read_json(&path)
        } else {
            Ok(StagesRecord::default())
        }
    }

    /// What ran so far, one `NAME STATUS` entry per stage run (a stage run twice is there twice).
    pub fn summary(&self) -> Vec<String> {
        self.invocations
            .iter()
            .flat_map(|call| &call.stages)
            .map(|s| format!("{} {}", s.name, stage_label(s.status)))
            .collect()
    }
}

/// One `rtde stage` call.
#[derive(Debug, Serialize, Deserialize)]
pub struct Invocation {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub status: RunStatus,
    /// The named stages in the order named; offsets count from the invocation's start.
    pub stages: Vec<StageRecord>,
    /// The checks whose metrics were all known after this call.
    pub checks: Vec<CheckRecord>,
    /// The checks still waiting for a metric no stage has captured yet.
    pub pending_checks: Vec<String>,
    /// Every container of the project, with the one-offs this call's stages ran.
    pub containers: Vec<ContainerRecord>,
}

/// The stages named, in the order named. An unknown name is invalid input that lists the
/// manifest's stages.
pub fn select<'p>(pipeline: &'p Pipeline, names: &[String]) -> Result<Vec<(usize, &'p Stage)>> {
    let mut selected = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match pipeline.stages.iter().position(|s| &s.name == name) {
            Some(i) => selected.push((i, &pipeline.stages[i])),
            None => unknown.push(format!("`{name}`")),
        }
    }
    if unknown.is_empty() {
        return Ok(selected);
    }
    let known: Vec<&str> = pipeline.stages.iter().map(|s| s.name.as_str()).collect();
    Err(Error::InvalidInput(format!(
        "{}: no stage {} in {}; its stages are: {}",
        pipeline.id,
        unknown.join(", "),
        pipeline.manifest_path.display(),
        known.join(" ")
    ))
    .into())
}

/// Variables given to `rtde stage` that differ from those the stack was started with, as
/// `name=given (the stack has name=value)`. A stage rendered with other variables than its
/// stack's would test a stack that is not up, so they are refused rather than applied.
pub fn disagreements(
    stack: &BTreeMap<String, String>,
    given: &BTreeMap<String, String>,
) -> Vec<String> {
    given
        .iter()
        .filter(|(k, v)| stack.get(*k) != Some(v))
        .map(|(k, v)| match stack.get(k) {
            Some(had) => format!("{k}={v} (the stack has {k}={had})"),
            None => format!("{k}={v} (the stack was started without it)"),
        })
        .collect()
}

/// The checks evaluable on `metrics`, and the names of those still waiting for a metric.
fn split_checks(expect: &[Check], metrics: &BTreeMap<String, f64>) -> (Vec<Check>, Vec<String>) {
    let (ready, waiting): (Vec<&Check>, Vec<&Check>) =
        expect.iter().partition(|c| checks::evaluable(c, metrics));
    (
        ready.into_iter().cloned().collect(),
        waiting.into_iter().map(|c| c.name.clone()).collect(),
    )
}

/// Run the selected stages on the stack recorded in `dir`, in order (after a failure the rest
/// are skipped), then the checks whose metrics are all known; record the call in
/// `stages.json`. The stack stays up whatever happens: it is the user's to inspect.
pub async fn run(
    harness: &Harness,
    pipeline: &Pipeline,
    stack: &StackRecord,
    dir: &Path,
    selected: &[(usize, &Stage)],
) -> Result<RunStatus> {
    let mut project =
        compose_project(&harness.compose, pipeline, &stack.project, &stack.variables)?;
    project.files.push(dir.join(LABELS_FILE));
    let profiles: Vec<String> = pipeline.profiles.iter().map(|(p, _)| p.clone()).collect();
    let stages_file = dir.join(STAGES_FILE);
    let mut record = StagesRecord::read(dir)?;
    let call = record.invocations.len() + 1;
    std::fs::create_dir_all(dir.join("stages"))
        .with_context(|| format!("creating {}", dir.join("stages").display()))?;

    let events = harness.engine.follow_project(&stack.project).await?;
    let watch = ContainerWatch::start(&harness.engine, &events);
    let run = StageRun {
        ctx: StageContext {
            engine: &harness.engine,
            project: &project,
            profiles: &profiles,
            vars: &stack.variables,
            pipeline_dir: &pipeline.folder,
            cancel: &harness.cancel,
        },
        dir,
        clock: Instant::now(),
        sampler: None,
        watch: &watch,
    };
    let started_at = Utc::now();
    let mut status = RunStatus::Passed;
    let mut stages = Vec::new();
    for (n, (_, st)) in selected.iter().enumerate() {
        if status != RunStatus::Passed {
            stages.push(skipped(st, run.clock.elapsed()));
            continue;
        }
        // Numbered by call and place in it, so a stage run again keeps its earlier log.
        let log_rel = format!("stages/{call:03}-{:02}-{}.log", n + 1, st.name);
        let done = harness
            .stage(&pipeline.id, &run, st, (n, selected.len()), log_rel)
            .await?;
        record.metrics.extend(done.metrics.clone());
        status = match done.status {
            StageStatus::Passed => RunStatus::Passed,
            StageStatus::Interrupted => RunStatus::Interrupted,
            _ => RunStatus::Failed,
        };
        stages.push(done);
    }

    let (ready, pending_checks) = split_checks(&pipeline.expect, &record.metrics);
    let checks = checks::evaluate(&ready, &record.metrics, &stack.variables);
    for c in &checks {
        harness.reporter.event(Event::CheckFinished {
            pipeline: pipeline.id.clone(),
            check: c.name.clone(),
            passed: c.passed,
            expected: format!("{} {}", c.metric, c.expected),
            actual: c.actual,
        });
    }
    if status == RunStatus::Passed && checks::failures(&checks).is_some() {
        status = RunStatus::CheckFailed;
    }
    if !pending_checks.is_empty() {
        harness.reporter.event(Event::Note(format!(
            "{}: waiting for metrics no stage has captured yet: {}",
            pipeline.id,
            pending_checks.join(", ")
        )));
    }
    record.invocations.push(Invocation {
        started_at,
        finished_at: Utc::now(),
        status,
        stages,
        checks,
        pending_checks,
        containers: watch.finish().await,
    });
    write_json(&stages_file, &record)?;
    harness.reporter.event(Event::Note(format!(
        "{}: {} — recorded in {}; the stack stays up (`rtde down {}` stops it)",
        pipeline.id,
        status.label(),
        stages_file.display(),
        pipeline.id
    )));
    Ok(status)
}

/// Written through a temporary file and a rename, so an interrupted write never leaves half
/// a record that the next `rtde stage` cannot read.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let json = serde_json::to_vec_pretty(value).context("serializing the stack record")?;
    write_atomic(path, &json)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::InvalidInput(format!(
            "{}: {e}; it is written by rtde: remove the stack with `rtde down` and start it again",
            path.display()
        ))
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{CheckRule, Loc, Template};

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn given_variables_must_be_the_stacks() {
        let stack = vars(&[("broker", "tansu"), ("events", "100")]);
        assert!(disagreements(&stack, &vars(&[("broker", "tansu")])).is_empty());
        assert!(disagreements(&stack, &BTreeMap::new()).is_empty());
        assert_eq!(
            disagreements(&stack, &vars(&[("broker", "kafka"), ("x", "1")])),
            [
                "broker=kafka (the stack has broker=tansu)",
                "x=1 (the stack was started without it)"
            ]
        );
    }

    #[test]
    fn a_check_waits_until_both_its_sides_are_captured() {
        let check = |name: &str, rule| Check {
            name: name.into(),
            metric: "silver_rows".into(),
            rule,
        };
        let expect = [
            check(
                "oracle",
                CheckRule::EqualsMetric("oracle_silver_rows".into()),
            ),
            check(
                "range",
                CheckRule::Range(
                    Template::new("1", Loc::default()),
                    Template::new("9", Loc::default()),
                ),
            ),
        ];
        let mut metrics = BTreeMap::from([("oracle_silver_rows".to_string(), 5.0)]);
        let (ready, waiting) = split_checks(&expect, &metrics);
        assert!(ready.is_empty());
        assert_eq!(waiting, ["oracle", "range"]);
        metrics.insert("silver_rows".into(), 5.0);
        let (ready, waiting) = split_checks(&expect, &metrics);
        assert_eq!(ready.len(), 2);
        assert!(waiting.is_empty());
    }

    #[test]
    fn a_stack_is_live_from_up_to_down_and_only_for_its_instance() {
        let root = tempfile::tempdir().unwrap();
        let record = |run: &str, inst: String| StackRecord {
            pipeline: "p90".into(),
            project: format!("rtde-p90-{run}"),
            run_id: run.into(),
            started_at: Utc::now(),
            overrides: BTreeMap::new(),
            variables: BTreeMap::new(),
            instance: inst,
            services: Vec::new(),
            down_at: None,
        };
        assert!(live_stacks(root.path(), "p90").unwrap().is_empty());
        for (run, inst) in [("a", instance()), ("b", "someone-else".to_string())] {
            let dir = stack_dir(root.path(), "p90", run);
            std::fs::create_dir_all(&dir).unwrap();
            record(run, inst).write(&dir).unwrap();
        }
        let live = live_stacks(root.path(), "p90").unwrap();
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].1.run_id, "a");
        let (dir, stack) = live.into_iter().next().unwrap();
        stack.mark_down(&dir).unwrap();
        assert!(live_stacks(root.path(), "p90").unwrap().is_empty());
    }

    #[test]
    fn the_stack_record_round_trips_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(StackRecord::read(dir.path()).unwrap(), None);
        let record = StackRecord {
            pipeline: "p90".into(),
            project: "rtde-p90-abc".into(),
            run_id: "abc".into(),
            started_at: Utc::now(),
            overrides: vars(&[("image", "x")]),
            variables: vars(&[("image", "x"), ("rows", "42")]),
            instance: instance(),
            services: vec!["app".into()],
            down_at: None,
        };
        record.write(dir.path()).unwrap();
        assert_eq!(StackRecord::read(dir.path()).unwrap(), Some(record));
        std::fs::write(dir.path().join(STACK_FILE), "{").unwrap();
        let err = StackRecord::read(dir.path()).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
    }
}
