//! `pipelines/comparison/results.csv`: one row per pipeline, upserted after every run.
//!
//! The first seventeen columns are the original framework's, in its order, so tools written
//! against its table still read ours; rtde's own columns come after them. The file is
//! rewritten through a temporary file and a rename, so a crash mid-write never leaves half a
//! table.

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::files;

/// One pipeline's row. Figures are medians over the counted runs; `None` is written as an
/// empty cell (not applicable or not measured), never as a made-up zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub pipeline_id: String,
    pub pipeline_name: String,
    pub ingestion: String,
    pub processor: String,
    pub storage: String,
    pub startup_s: Option<f64>,
    pub ingestion_s: Option<f64>,
    pub processing_s: Option<f64>,
    pub dbt_build_s: Option<f64>,
    pub e2e_total_s: Option<f64>,
    pub events: Option<u64>,
    pub silver_rows: Option<u64>,
    pub containers: Option<u64>,
    pub dbt_tests: Option<u64>,
    pub dbt_pass: Option<u64>,
    pub validation_status: String,
    pub notes: String,
    // rtde's own columns.
    pub runs: Option<u32>,
    pub e2e_min_s: Option<f64>,
    pub e2e_max_s: Option<f64>,
    pub e2e_ci_low_s: Option<f64>,
    pub e2e_ci_high_s: Option<f64>,
    pub prepare_s: Option<f64>,
    pub transform_s: Option<f64>,
    pub serving_s: Option<f64>,
    pub validation_s: Option<f64>,
    pub harness_overhead_s: Option<f64>,
    pub peak_mem_mb: Option<f64>,
    pub cpu_s: Option<f64>,
    pub events_per_s: Option<f64>,
    pub checks_passed: Option<u32>,
    pub checks_total: Option<u32>,
    pub tier: String,
    pub run_id: String,
    pub run_dir: String,
    pub recorded_at: String,
    /// The counted runs behind the medians, space-separated run ids (rows in runs.csv).
    /// Defaulted so that tables written before the column existed still read.
    #[serde(default)]
    pub run_ids: String,
    /// The broker the runs used when the `broker` variable replaced the manifest's own.
    #[serde(default)]
    pub substituted_broker: String,
    /// The storage the runs used when the `storage` variable replaced the manifest's own.
    #[serde(default)]
    pub substituted_storage: String,
    /// Freshness under a sustained load (`rtde bench --rate`, docs/metrics.md): medians of
    /// the sustained runs' figures, kept beside the batch figures of the same pipeline.
    #[serde(default)]
    pub load_rate: Option<f64>,
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
    /// `yes` when every counted sustained run sustained its rate, `no` otherwise.
    #[serde(default)]
    pub sustained: String,
    /// The highest rate `--find-max-rate` found sustained (events/s).
    #[serde(default)]
    pub max_sustainable_rate: Option<f64>,
    /// The counted sustained runs behind the freshness medians, and their run ids (rows in
    /// runs.csv), as `runs` and `run_ids` are for the batch figures.
    #[serde(default)]
    pub freshness_runs: Option<u32>,
    #[serde(default)]
    pub freshness_run_ids: String,
    /// Each percentile's spread over those runs, as the end-to-end time's: the extremes, and
    /// the 95 % interval of its median (six runs or more; docs/statistics.md).
    #[serde(default)]
    pub freshness_p50_min_s: Option<f64>,
    #[serde(default)]
    pub freshness_p50_max_s: Option<f64>,
    #[serde(default)]
    pub freshness_p50_ci_low_s: Option<f64>,
    #[serde(default)]
    pub freshness_p50_ci_high_s: Option<f64>,
    #[serde(default)]
    pub freshness_p95_min_s: Option<f64>,
    #[serde(default)]
    pub freshness_p95_max_s: Option<f64>,
    #[serde(default)]
    pub freshness_p95_ci_low_s: Option<f64>,
    #[serde(default)]
    pub freshness_p95_ci_high_s: Option<f64>,
    #[serde(default)]
    pub freshness_p99_min_s: Option<f64>,
    #[serde(default)]
    pub freshness_p99_max_s: Option<f64>,
    #[serde(default)]
    pub freshness_p99_ci_low_s: Option<f64>,
    #[serde(default)]
    pub freshness_p99_ci_high_s: Option<f64>,
    /// `yes` when the p99's robust spread is above 10 % of its median (the noise flag of
    /// the end-to-end time), `no` otherwise, empty without a sustained run.
    #[serde(default)]
    pub freshness_noisy: String,
}

/// Read the table; a missing file is an empty table.
pub fn read(path: &Path) -> Result<Vec<ResultRow>> {
    files::read_csv(path, "results table", "a results row")
}

/// Replace the row with the same `pipeline_id` (or add it), keep the others, sort by id and
/// write the table atomically.
pub fn upsert(path: &Path, mut row: ResultRow) -> Result<()> {
    let mut rows = read(path)?;
    // A batch row keeps the pipeline's freshness figures (a sustained run writes those
    // through results::freshness, which keeps the batch ones).
    if let Some(old) = rows.iter().find(|r| r.pipeline_id == row.pipeline_id) {
        carry_over(old, &mut row);
    }
    rows.retain(|r| r.pipeline_id != row.pipeline_id);
    rows.push(row);
    rows.sort_by(|a, b| a.pipeline_id.cmp(&b.pipeline_id));
    write(path, &rows)
}

/// A batch row replacing `old` keeps `old`'s freshness figures.
fn carry_over(old: &ResultRow, new: &mut ResultRow) {
    if new.load_rate.is_none() {
        new.load_rate = old.load_rate;
        new.freshness_p50_s = old.freshness_p50_s;
        new.freshness_p95_s = old.freshness_p95_s;
        new.freshness_p99_s = old.freshness_p99_s;
        new.freshness_max_s = old.freshness_max_s;
        new.drain_s = old.drain_s;
        new.sustained.clone_from(&old.sustained);
        new.freshness_runs = old.freshness_runs;
        new.freshness_run_ids.clone_from(&old.freshness_run_ids);
        new.freshness_p50_min_s = old.freshness_p50_min_s;
        new.freshness_p50_max_s = old.freshness_p50_max_s;
        new.freshness_p50_ci_low_s = old.freshness_p50_ci_low_s;
        new.freshness_p50_ci_high_s = old.freshness_p50_ci_high_s;
        new.freshness_p95_min_s = old.freshness_p95_min_s;
        new.freshness_p95_max_s = old.freshness_p95_max_s;
        new.freshness_p95_ci_low_s = old.freshness_p95_ci_low_s;
        new.freshness_p95_ci_high_s = old.freshness_p95_ci_high_s;
        new.freshness_p99_min_s = old.freshness_p99_min_s;
        new.freshness_p99_max_s = old.freshness_p99_max_s;
        new.freshness_p99_ci_low_s = old.freshness_p99_ci_low_s;
        new.freshness_p99_ci_high_s = old.freshness_p99_ci_high_s;
        new.freshness_noisy.clone_from(&old.freshness_noisy);
    }
    if new.max_sustainable_rate.is_none() {
        new.max_sustainable_rate = old.max_sustainable_rate;
    }
}

pub fn write(path: &Path, rows: &[ResultRow]) -> Result<()> {
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        for row in rows {
            writer.serialize(row)?;
        }
        if rows.is_empty() {
            writer.write_record(header())?;
        }
        writer.flush()?;
    }
    files::write_atomic(path, &bytes)
}

/// The column names, in order.
pub fn header() -> Vec<String> {
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer
            .serialize(ResultRow::default())
            .expect("serializing a default row into memory cannot fail");
    }
    String::from_utf8(bytes)
        .expect("csv output is UTF-8")
        .lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL_COLUMNS: [&str; 17] = [
        "pipeline_id",
        "pipeline_name",
        "ingestion",
        "processor",
        "storage",
        "startup_s",
        "ingestion_s",
        "processing_s",
        "dbt_build_s",
        "e2e_total_s",
        "events",
        "silver_rows",
        "containers",
        "dbt_tests",
        "dbt_pass",
        "validation_status",
        "notes",
    ];

    #[test]
    fn original_framework_columns_come_first_in_their_order() {
        assert_eq!(header()[..17], ORIGINAL_COLUMNS);
        assert!(header().contains(&"peak_mem_mb".to_string()));
    }

    #[test]
    fn upsert_replaces_the_same_pipeline_and_keeps_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comparison/results.csv");
        let row = |id: &str, e2e| ResultRow {
            pipeline_id: id.into(),
            e2e_total_s: Some(e2e),
            validation_status: "PASS".into(),
            ..Default::default()
        };
        upsert(&path, row("p01", 10.0)).unwrap();
        upsert(&path, row("p00", 5.0)).unwrap();
        upsert(&path, row("p01", 12.5)).unwrap();
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].pipeline_id, "p00");
        assert_eq!(rows[1].e2e_total_s, Some(12.5));
        assert_eq!(rows[1].silver_rows, None);
    }

    #[test]
    fn corrupt_table_is_invalid_input_with_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        std::fs::write(&path, header().join(",") + "\np01,x,y\n").unwrap();
        let err = read(&path).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
        assert!(format!("{err:#}").contains("results.csv:2"), "{err:#}");
    }
}
