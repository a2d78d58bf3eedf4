//! `--export-json`: hyperfine's `{"results": [...]}` with rtde's fields added to each entry.
//!
//! hyperfine's fields describe the end-to-end time in seconds (`mean`, `stddev`, `median`,
//! `min`, `max`, `times`), the CPU time (`user`, `system`) and the exit codes. rtde's cgroup
//! accounting gives CPU as one user + system total, so `user` carries that total and `system`
//! is 0. The entry also embeds the results row and the counted runs, which makes an export a
//! complete baseline for `rtde compare --baseline`.

use anyhow::Result;

use super::{Exporter, exit_code_of_status};
use crate::results::comparison::{Comparison, E2E, METRICS, PipelineResult};
use crate::results::export_file::{ExportEntry, ExportFile, IntervalJson, MetricJson};
use crate::results::stats::{self, OutlierAdvice};

pub struct JsonExporter;

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
