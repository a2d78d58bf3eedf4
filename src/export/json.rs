//! `--export-json`: hyperfine's `{"results": [...]}` with rtde's fields added to each entry.
//!
//! hyperfine's fields describe the end-to-end time in seconds (`mean`, `stddev`, `median`,
//! `min`, `max`, `times`), the CPU time (`user`, `system`) and the exit codes. rtde's cgroup
//! accounting gives CPU as one user + system total, so `user` carries that total and `system`
//! is 0. The entry also embeds the results row and the counted runs, which makes an export a
//! complete baseline for `rtde compare --baseline`.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{Exporter, exit_code_of_status};
use crate::error::Error;
use crate::report::model::{Comparison, E2E, METRICS, PipelineResult};
use crate::results::runs_table::RunRow;
use crate::results::stats::{self, OutlierAdvice};
use crate::results::table::ResultRow;

pub struct JsonExporter;

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportFile {
    pub results: Vec<ExportEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportEntry {
    // hyperfine's fields.
    pub command: String,
    pub mean: f64,
    pub stddev: Option<f64>,
    pub median: f64,
    pub user: f64,
    pub system: f64,
    pub min: f64,
    pub max: f64,
    pub times: Vec<f64>,
    #[serde(default)]
    pub memory_usage_byte: Vec<u64>,
    #[serde(default)]
    pub exit_codes: Vec<i32>,
    // rtde's fields.
    #[serde(default)]
    pub pipeline_id: String,
    #[serde(default)]
    pub pipeline_name: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub runs: u32,
    /// The 95 % interval of the median end-to-end time (absent below six runs).
    #[serde(default)]
    pub median_ci: Option<IntervalJson>,
    #[serde(default)]
    pub noisy: bool,
    #[serde(default)]
    pub outliers: Vec<usize>,
    #[serde(default)]
    pub outlier_advice: Option<String>,
    #[serde(default)]
    pub substituted_broker: Option<String>,
    /// Absent from exports of runs whose storage was the manifest's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substituted_storage: Option<String>,
    /// Every compared metric's statistics over the counted runs, by key (`e2e_s`, …).
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricJson>,
    #[serde(default)]
    pub result_row: Option<ResultRow>,
    #[serde(default)]
    pub run_rows: Vec<RunRow>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct IntervalJson {
    pub low: f64,
    pub high: f64,
    pub confidence: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct MetricJson {
    pub unit: String,
    pub median: f64,
    pub mean: Option<f64>,
    pub stddev: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mad: Option<f64>,
    pub median_ci: Option<IntervalJson>,
    pub noisy: bool,
    pub values: Vec<f64>,
}

fn entry(pipeline: &PipelineResult) -> ExportEntry {
    let row = &pipeline.row;
    let times = pipeline.values(&E2E);
    let summary = stats::summarize(&times);
    let median = pipeline.median(&E2E).unwrap_or(f64::NAN);
    let interval = |ci: stats::MedianInterval| IntervalJson {
        low: ci.low,
        high: ci.high,
        confidence: ci.confidence,
    };
    let metrics = METRICS
        .iter()
        .filter_map(|metric| {
            let median = pipeline.median(metric)?;
            let summary = pipeline.summary(metric);
            Some((
                metric.key.to_string(),
                MetricJson {
                    unit: metric.unit.to_string(),
                    median,
                    mean: summary.as_ref().map(|s| s.mean),
                    stddev: summary.as_ref().and_then(|s| s.stddev),
                    min: summary.as_ref().map(|s| s.min),
                    max: summary.as_ref().map(|s| s.max),
                    mad: summary.as_ref().map(|s| s.mad),
                    median_ci: summary.as_ref().and_then(|s| s.median_ci.map(interval)),
                    noisy: summary.as_ref().is_some_and(|s| s.noisy),
                    values: pipeline.values(metric),
                },
            ))
        })
        .collect();
    let cpu: Vec<f64> = pipeline.runs.iter().filter_map(|r| r.cpu_s).collect();
    ExportEntry {
        command: pipeline.label(),
        mean: summary.as_ref().map_or(median, |s| s.mean),
        stddev: summary.as_ref().and_then(|s| s.stddev),
        median,
        user: stats::mean(&cpu).or(row.cpu_s).unwrap_or(0.0),
        system: 0.0,
        min: summary
            .as_ref()
            .map(|s| s.min)
            .or(row.e2e_min_s)
            .unwrap_or(median),
        max: summary
            .as_ref()
            .map(|s| s.max)
            .or(row.e2e_max_s)
            .unwrap_or(median),
        times: times.clone(),
        memory_usage_byte: pipeline
            .runs
            .iter()
            .filter_map(|r| {
                r.peak_mem_mb
                    .map(|mb| (mb * 1024.0 * 1024.0).round() as u64)
            })
            .collect(),
        exit_codes: pipeline
            .runs
            .iter()
            .map(|r| exit_code_of_status(&r.status))
            .collect(),
        pipeline_id: row.pipeline_id.clone(),
        pipeline_name: row.pipeline_name.clone(),
        tier: row.tier.clone(),
        status: row.validation_status.clone(),
        runs: pipeline.run_count(),
        median_ci: summary
            .as_ref()
            .and_then(|s| s.median_ci.map(interval))
            .or_else(|| {
                row.e2e_ci_low_s
                    .zip(row.e2e_ci_high_s)
                    .map(|(low, high)| IntervalJson {
                        low,
                        high,
                        confidence: stats::CONFIDENCE,
                    })
            }),
        noisy: summary.as_ref().is_some_and(|s| s.noisy),
        outliers: summary
            .as_ref()
            .map(|s| s.outliers.clone())
            .unwrap_or_default(),
        outlier_advice: OutlierAdvice::of(&times, pipeline.warmups()).map(OutlierAdvice::message),
        substituted_broker: (!row.substituted_broker.is_empty())
            .then(|| row.substituted_broker.clone()),
        substituted_storage: (!row.substituted_storage.is_empty())
            .then(|| row.substituted_storage.clone()),
        metrics,
        result_row: Some(row.clone()),
        run_rows: pipeline.runs.clone(),
    }
}

/// The export entries of a comparison: the figures every format shares.
pub fn entries(comparison: &Comparison) -> Vec<ExportEntry> {
    comparison.pipelines.iter().map(entry).collect()
}

impl Exporter for JsonExporter {
    fn serialize(&self, comparison: &Comparison) -> Result<Vec<u8>> {
        let file = ExportFile {
            results: entries(comparison),
        };
        let mut bytes = serde_json::to_vec_pretty(&file)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// Read an export back as a baseline. A plain hyperfine file works too: each entry's
/// `command` becomes the pipeline id and its `times` the end-to-end runs.
pub fn parse(text: &str, origin: &str) -> Result<Vec<PipelineResult>> {
    let file: ExportFile = serde_json::from_str(text)
        .map_err(|e| {
            Error::InvalidInput(format!(
                "{origin}: not an rtde or hyperfine JSON export ({e}); pass a file written by \
                 `rtde compare --export-json` or a results.csv"
            ))
        })
        .with_context(|| format!("reading baseline {origin}"))?;
    Ok(file
        .results
        .into_iter()
        .map(|entry| {
            let row = entry.result_row.unwrap_or_else(|| ResultRow {
                pipeline_id: entry
                    .command
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                e2e_total_s: Some(entry.median),
                e2e_min_s: Some(entry.min),
                e2e_max_s: Some(entry.max),
                runs: Some(entry.times.len() as u32),
                ..Default::default()
            });
            let runs = if entry.run_rows.is_empty() {
                entry
                    .times
                    .iter()
                    .map(|&e2e_s| RunRow {
                        pipeline_id: row.pipeline_id.clone(),
                        e2e_s,
                        ..Default::default()
                    })
                    .collect()
            } else {
                entry.run_rows
            };
            PipelineResult {
                row,
                runs,
                record: None,
                samples: Vec::new(),
                failed_checks: Vec::new(),
            }
        })
        .collect())
}
