//! The hyperfine-shaped JSON file `rtde compare --export-json` writes (`export::json` turns
//! a comparison into it) and `--baseline` reads back: hyperfine's fields, rtde's added to
//! each entry. The format is results' own, so reading a baseline needs no exporter.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::results::comparison::PipelineResult;
use crate::results::runs_table::RunRow;
use crate::results::table::ResultRow;

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
                // An export carries the batch runs only: a freshness figure of a baseline
                // read from it is judged by its interval (results.csv's columns).
                sustained_runs: Vec::new(),
                record: None,
                samples: Vec::new(),
                failed_checks: Vec::new(),
                services: Vec::new(),
            }
        })
        .collect())
}
