//! `--export-csv`: hyperfine's columns first (`command,mean,stddev,median,user,system,min,max`),
//! then rtde's own; one line per pipeline, end-to-end seconds. The freshness figures of the
//! pipeline's sustained runs (`rtde bench --rate`) come last, empty for a pipeline that had
//! none, so a reader of the batch columns sees them where they always were.

use anyhow::Result;

use super::Exporter;
use super::json::entries;
use crate::results::comparison::Comparison;
use crate::results::export_file::ExportEntry;
use crate::results::table::ResultRow;

pub struct CsvExporter;

const HEADER: [&str; 25] = [
    "command",
    "mean",
    "stddev",
    "median",
    "user",
    "system",
    "min",
    "max",
    "pipeline_id",
    "tier",
    "status",
    "runs",
    "median_ci_low",
    "median_ci_high",
    "noisy",
    "peak_mem_mb",
    "substituted_broker",
    "substituted_storage",
    "load_rate",
    "freshness_p50_s",
    "freshness_p95_s",
    "freshness_p99_s",
    "freshness_max_s",
    "sustained",
    "max_sustainable_rate",
];

fn cell(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn line(entry: &ExportEntry) -> Vec<String> {
    let row = entry.result_row.as_ref();
    let freshness = |figure: fn(&ResultRow) -> Option<f64>| cell(row.and_then(figure));
    vec![
        entry.command.clone(),
        entry.mean.to_string(),
        cell(entry.stddev),
        entry.median.to_string(),
        entry.user.to_string(),
        entry.system.to_string(),
        entry.min.to_string(),
        entry.max.to_string(),
        entry.pipeline_id.clone(),
        entry.tier.clone(),
        entry.status.clone(),
        entry.runs.to_string(),
        cell(entry.median_ci.map(|ci| ci.low)),
        cell(entry.median_ci.map(|ci| ci.high)),
        entry.noisy.to_string(),
        cell(entry.metrics.get("peak_mem_mb").map(|m| m.median)),
        entry.substituted_broker.clone().unwrap_or_default(),
        entry.substituted_storage.clone().unwrap_or_default(),
        freshness(|r| r.load_rate),
        freshness(|r| r.freshness_p50_s),
        freshness(|r| r.freshness_p95_s),
        freshness(|r| r.freshness_p99_s),
        freshness(|r| r.freshness_max_s),
        row.map(|r| r.sustained.clone()).unwrap_or_default(),
        freshness(|r| r.max_sustainable_rate),
    ]
}

impl Exporter for CsvExporter {
    fn serialize(&self, comparison: &Comparison) -> Result<Vec<u8>> {
        // Built from the JSON entries so that the two formats never disagree.
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(HEADER)?;
        for entry in &entries(comparison) {
            writer.write_record(line(entry))?;
        }
        Ok(writer.into_inner()?)
    }
}
