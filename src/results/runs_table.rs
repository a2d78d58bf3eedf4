//! `pipelines/comparison/runs.csv`: one row per run, warm-ups included and flagged.
//!
//! results.csv keeps one row of medians per pipeline; this table keeps every run's own figures
//! so that spreads, rank tests and links to the run that produced a number can be rebuilt
//! without opening every run.json. [`RunRow::from_record`] is also where a run record's stages
//! are folded into per-category times, so results.csv and this table always agree. Like
//! results.csv it is rewritten through a temporary file and a rename after every run.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::files;
use crate::results::record::RunRecord;

const MIB: f64 = 1024.0 * 1024.0;

/// Every figure of one run. Optional figures are empty cells when the run did not measure
/// them (no stage of that category, sampling off, no dbt).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub pipeline_id: String,
    pub pipeline_name: String,
    pub tier: String,
    pub run_id: String,
    pub run_index: u32,
    pub warmup: bool,
    /// `RunStatus::label`: PASS, CHECK_FAIL, FAIL, INTERRUPTED.
    pub status: String,
    pub started_at: String,
    pub e2e_s: f64,
    /// `compose up` until healthy, plus stages of category `startup`.
    pub startup_s: f64,
    pub ingestion_s: Option<f64>,
    pub processing_s: Option<f64>,
    pub transform_s: Option<f64>,
    pub serving_s: Option<f64>,
    pub validation_s: Option<f64>,
    pub other_s: Option<f64>,
    pub prepare_s: f64,
    pub harness_overhead_s: f64,
    pub teardown_s: f64,
    pub peak_mem_mb: Option<f64>,
    pub cpu_s: Option<f64>,
    pub events: Option<u64>,
    pub events_per_s: Option<f64>,
    pub silver_rows: Option<u64>,
    pub dbt_total: Option<u64>,
    pub dbt_pass: Option<u64>,
    pub checks_passed: u32,
    pub checks_total: u32,
    /// Distinct services that ran a container, one-off `run` services included (a batch
    /// pipeline's work is all one-offs).
    pub containers: u64,
    /// The broker the run used, when the `broker` variable replaced the manifest's own.
    pub substituted_broker: String,
    /// The storage the run used, when the `storage` variable replaced the manifest's own.
    /// Defaulted so that tables written before the column existed still read.
    #[serde(default)]
    pub substituted_storage: String,
    /// The run folder (holding run.json and samples.csv), relative to the project root.
    pub run_dir: String,
    /// Freshness under a sustained load (run.json `freshness`); empty for a batch run.
    #[serde(default)]
    pub load_rate: Option<f64>,
    #[serde(default)]
    pub achieved_rate: Option<f64>,
    #[serde(default)]
    pub freshness_p50_s: Option<f64>,
    #[serde(default)]
    pub freshness_p95_s: Option<f64>,
    #[serde(default)]
    pub freshness_p99_s: Option<f64>,
    #[serde(default)]
    pub freshness_max_s: Option<f64>,
    #[serde(default)]
    pub drain_s: Option<f64>,
    #[serde(default)]
    pub lag_slope: Option<f64>,
    /// `yes` / `no` for a sustained run, empty for a batch one.
    #[serde(default)]
    pub sustained: String,
}

impl RunRow {
    pub fn from_record(record: &RunRecord, run_dir: &str) -> RunRow {
        let category_sum = |category: &str| {
            let durations: Vec<f64> = record
                .stages
                .iter()
                .filter(|stage| stage.category == category)
                .map(|stage| stage.duration_s)
                .collect();
            (!durations.is_empty()).then(|| durations.iter().sum::<f64>())
        };
        let metric_count = |name: &str| {
            record
                .metrics
                .get(name)
                .filter(|v| v.is_finite() && **v >= 0.0)
                .map(|v| v.round() as u64)
        };
        let ingestion_s = category_sum("ingestion");
        let events = record
            .variables
            .get("events")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let events_per_s = match (events, ingestion_s) {
            // To a tenth of an event per second: more digits would be noise, not precision.
            (Some(events), Some(secs)) if secs > 0.0 => {
                Some((events as f64 / secs * 10.0).round() / 10.0)
            }
            _ => None,
        };
        let services: BTreeSet<&str> = record
            .containers
            .iter()
            .map(|c| c.service.as_str())
            .collect();
        RunRow {
            pipeline_id: record.pipeline.id.clone(),
            pipeline_name: record.pipeline.name.clone(),
            tier: record.pipeline.tier.clone(),
            run_id: record.run_id.clone(),
            run_index: record.run_index,
            warmup: record.warmup,
            status: record.status.label().to_string(),
            started_at: record.started_at.to_rfc3339(),
            e2e_s: record.e2e_s,
            startup_s: record.startup_s + category_sum("startup").unwrap_or(0.0),
            ingestion_s,
            processing_s: category_sum("processing"),
            transform_s: category_sum("transform"),
            serving_s: category_sum("serving"),
            validation_s: category_sum("validation"),
            other_s: category_sum("other"),
            prepare_s: record.prepare_s,
            harness_overhead_s: record.harness_overhead_s,
            teardown_s: record.teardown_s,
            peak_mem_mb: record
                .resources
                .as_ref()
                .map(|r| (r.stack_peak_mem_bytes as f64 / MIB * 10.0).round() / 10.0),
            cpu_s: record.resources.as_ref().map(|r| r.cpu_s),
            events,
            events_per_s,
            silver_rows: metric_count("silver_rows"),
            dbt_total: metric_count("dbt_total"),
            dbt_pass: metric_count("dbt_pass"),
            checks_passed: record.checks.iter().filter(|c| c.passed).count() as u32,
            checks_total: record.checks.len() as u32,
            containers: services.len() as u64,
            substituted_broker: substituted_broker(record).unwrap_or_default(),
            substituted_storage: substituted_storage(record).unwrap_or_default(),
            run_dir: run_dir.to_string(),
            ..freshness_columns(record)
        }
    }

    /// A run counts in statistics unless it was a warm-up.
    pub fn counted(&self) -> bool {
        !self.warmup
    }
}

/// The freshness columns of a run's runs.csv row (all empty for a batch run).
fn freshness_columns(record: &RunRecord) -> RunRow {
    let Some(f) = &record.freshness else {
        return RunRow::default();
    };
    let fresh = &f.freshness;
    RunRow {
        load_rate: Some(f.rate),
        achieved_rate: f.pacing.as_ref().map(|p| p.achieved_rate),
        freshness_p50_s: fresh.p50_s,
        freshness_p95_s: fresh.p95_s,
        freshness_p99_s: fresh.p99_s,
        freshness_max_s: fresh.max_s,
        drain_s: fresh.drain_s,
        lag_slope: fresh.lag_slope,
        sustained: if fresh.sustained { "yes" } else { "no" }.into(),
        ..RunRow::default()
    }
}

/// The `broker` variable, when it names a different broker than the manifest's stack
/// (`stack.broker`, else `stack.ingestion`): e.g. tansu standing in for Kafka on a machine
/// without the Kafka image. Such a run measures another stack and is never ranked as the
/// original one.
pub fn substituted_broker(record: &RunRecord) -> Option<String> {
    let used = record.variables.get("broker")?.trim();
    let own = record
        .pipeline
        .stack
        .get("broker")
        .or_else(|| record.pipeline.stack.get("ingestion"))?;
    let differs = !used.is_empty() && !own.to_lowercase().contains(&used.to_lowercase());
    differs.then(|| used.to_string())
}

/// The `storage` variable, when it names a different storage than the manifest's stack
/// (`stack.storage`): e.g. files standing in for Iceberg where no Iceberg runtime can be had.
/// Like a substituted broker, such a run is never ranked as the original stack.
pub fn substituted_storage(record: &RunRecord) -> Option<String> {
    let used = record.variables.get("storage")?.trim();
    let own = record.pipeline.stack.get("storage")?;
    let differs = !used.is_empty() && !own.to_lowercase().contains(&used.to_lowercase());
    differs.then(|| used.to_string())
}

/// Read the table; a missing file is an empty table.
pub fn read(path: &Path) -> Result<Vec<RunRow>> {
    files::read_csv(path, "runs table", "a runs-table row")
}

/// Add the run (or replace the row with the same run id) and rewrite the table atomically,
/// sorted by pipeline, then start time.
pub fn upsert(path: &Path, record: &RunRecord, run_dir: &str) -> Result<()> {
    let row = RunRow::from_record(record, run_dir);
    let mut rows = read(path)?;
    rows.retain(|r| r.run_id != row.run_id);
    rows.push(row);
    write(path, &rows)
}

pub fn write(path: &Path, rows: &[RunRow]) -> Result<()> {
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| {
        (&a.pipeline_id, &a.started_at, a.run_index).cmp(&(
            &b.pipeline_id,
            &b.started_at,
            b.run_index,
        ))
    });
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        for row in &rows {
            writer.serialize(row)?;
        }
        writer.flush()?;
    }
    files::write_atomic(path, &bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::results::record::{
        CheckRecord, ContainerRecord, Environment, PipelineInfo, RunStatus, StageRecord,
        StageStatus,
    };
    use crate::sample::ResourceReport;
    use chrono::TimeZone;

    fn stage(name: &str, category: &str, duration_s: f64) -> StageRecord {
        StageRecord {
            name: name.into(),
            category: category.into(),
            action: "exec".into(),
            started_offset_s: 0.0,
            ended_offset_s: duration_s,
            duration_s,
            exit_code: Some(0),
            status: StageStatus::Passed,
            metrics: Default::default(),
            log: format!("logs/{name}.log"),
            error: None,
            oom_kills: Vec::new(),
            tasks: Vec::new(),
        }
    }

    fn container(service: &str, one_off: bool) -> ContainerRecord {
        ContainerRecord {
            service: service.into(),
            name: format!("rtde-p01-x-{service}-1"),
            id: "0".repeat(64),
            image: format!("{service}:test"),
            image_id: "sha256:0".into(),
            one_off,
            mem_limit_bytes: None,
            oom_killed: false,
        }
    }

    /// A run record with known figures, for tests of this module and its neighbours.
    pub(crate) fn record(run_id: &str, run_index: u32, warmup: bool, e2e_s: f64) -> RunRecord {
        let started = chrono::Utc
            .with_ymd_and_hms(2026, 11, 25, 10, 0, run_index)
            .unwrap();
        RunRecord {
            schema_version: 1,
            run_id: run_id.into(),
            project: format!("rtde-p01-{run_id}"),
            pipeline: PipelineInfo {
                id: "p01".into(),
                name: "kafka-flink-iceberg".into(),
                tier: "core".into(),
                description: None,
                folder: "pipelines/01-kafka-flink-iceberg".into(),
                stack: [("broker".to_string(), "Kafka 4.0".to_string())].into(),
            },
            run_index,
            warmup,
            status: RunStatus::Passed,
            error: None,
            started_at: started,
            finished_at: started,
            variables: [("events".to_string(), "10000".to_string())].into(),
            prepare_s: 1.0,
            startup_s: 10.0,
            e2e_s,
            harness_overhead_s: 0.5,
            teardown_s: 3.0,
            stages: vec![
                stage("create-topics", "startup", 1.0),
                stage("generate", "ingestion", 2.0),
                stage("bronze", "processing", 5.0),
                stage("silver", "processing", 6.0),
                stage("dbt-build", "transform", 7.0),
            ],
            metrics: [
                ("silver_rows".to_string(), 9855.0),
                ("dbt_total".to_string(), 91.0),
                ("dbt_pass".to_string(), 91.0),
            ]
            .into(),
            checks: vec![
                CheckRecord {
                    name: "silver rows".into(),
                    metric: "silver_rows".into(),
                    expected: "= 9855".into(),
                    actual: Some(9855.0),
                    passed: true,
                },
                CheckRecord {
                    name: "dbt".into(),
                    metric: "dbt_pass".into(),
                    expected: "= 91".into(),
                    actual: Some(91.0),
                    passed: true,
                },
            ],
            containers: vec![
                container("kafka", false),
                container("flink", false),
                container("flink", false),
                container("dbt", true),
            ],
            resources: Some(ResourceReport {
                stack_peak_mem_bytes: 512 * 1024 * 1024,
                cpu_s: 42.0,
                ..Default::default()
            }),
            environment: Environment::default(),
            freshness: None,
        }
    }

    #[test]
    fn stages_fold_into_categories() {
        let row = RunRow::from_record(&record("a", 0, false, 31.5), "runs/p01/a");
        assert_eq!(row.startup_s, 11.0);
        assert_eq!(row.ingestion_s, Some(2.0));
        assert_eq!(row.processing_s, Some(11.0));
        assert_eq!(row.transform_s, Some(7.0));
        assert_eq!(row.serving_s, None);
        assert_eq!(row.events_per_s, Some(5000.0));
        assert_eq!(row.peak_mem_mb, Some(512.0));
        assert_eq!(row.containers, 3);
        assert_eq!((row.checks_passed, row.checks_total), (2, 2));
        assert_eq!(row.dbt_pass, Some(91));
        assert_eq!(row.substituted_broker, "");
    }

    #[test]
    fn a_broker_variable_naming_another_broker_is_a_substitution() {
        let mut rec = record("a", 0, false, 31.5);
        rec.variables.insert("broker".into(), "kafka".into());
        assert_eq!(substituted_broker(&rec), None);
        rec.variables.insert("broker".into(), "tansu".into());
        assert_eq!(substituted_broker(&rec).as_deref(), Some("tansu"));
    }

    #[test]
    fn a_storage_variable_naming_another_storage_is_a_substitution() {
        let mut rec = record("a", 0, false, 31.5);
        rec.pipeline
            .stack
            .insert("storage".into(), "iceberg".into());
        assert_eq!(substituted_storage(&rec), None);
        rec.variables.insert("storage".into(), "iceberg".into());
        assert_eq!(substituted_storage(&rec), None);
        rec.variables.insert("storage".into(), "files".into());
        assert_eq!(substituted_storage(&rec).as_deref(), Some("files"));
        let row = RunRow::from_record(&rec, "runs/p01/a");
        assert_eq!(
            (
                row.substituted_broker.as_str(),
                row.substituted_storage.as_str()
            ),
            ("", "files")
        );
    }

    #[test]
    fn upsert_keeps_every_run_and_replaces_a_rewritten_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comparison/runs.csv");
        upsert(&path, &record("b", 1, false, 30.0), "runs/p01/b").unwrap();
        upsert(&path, &record("a", 0, true, 40.0), "runs/p01/a").unwrap();
        upsert(&path, &record("b", 1, false, 33.0), "runs/p01/b").unwrap();
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].warmup && !rows[0].counted());
        assert_eq!(rows[1].e2e_s, 33.0);
        assert!(!path.with_extension("csv.tmp").exists());
    }

    #[test]
    fn corrupt_runs_table_is_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        std::fs::write(&path, "pipeline_id,run_id\np01\n").unwrap();
        let err = read(&path).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
    }
}
