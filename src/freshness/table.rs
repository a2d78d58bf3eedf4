//! Freshness in the results tables: its columns in runs.csv (one sustained run each) and
//! results.csv (medians of a pipeline's sustained runs, and the highest sustained rate),
//! written after the existing columns and kept beside a pipeline's batch figures: a batch
//! run does not erase them, a sustained run does not replace the batch ones.

use std::path::Path;

use anyhow::Result;

use crate::results::record::RunRecord;
use crate::results::runs_table::RunRow;
use crate::results::stats;
use crate::results::table::{self, ResultRow};

/// The freshness columns of a run's runs.csv row (all empty for a batch run).
pub fn run_columns(record: &RunRecord) -> RunRow {
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

/// A batch row replacing `old` keeps `old`'s freshness figures.
pub fn carry_over(old: &ResultRow, new: &mut ResultRow) {
    if new.load_rate.is_none() {
        new.load_rate = old.load_rate;
        new.freshness_p50_s = old.freshness_p50_s;
        new.freshness_p95_s = old.freshness_p95_s;
        new.freshness_p99_s = old.freshness_p99_s;
        new.freshness_max_s = old.freshness_max_s;
        new.drain_s = old.drain_s;
        new.sustained.clone_from(&old.sustained);
    }
    if new.max_sustainable_rate.is_none() {
        new.max_sustainable_rate = old.max_sustainable_rate;
    }
}

fn round_ms(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The pipeline's row of results.csv with the medians of its counted sustained runs (those
/// whose load was applied), its other columns as they were (or named from the runs).
pub fn upsert_sustained(path: &Path, rows: &[RunRow]) -> Result<()> {
    let counted: Vec<&RunRow> = rows
        .iter()
        .filter(|r| r.counted() && r.load_rate.is_some() && r.status == "PASS")
        .collect();
    let Some(last) = rows.last() else {
        return Ok(());
    };
    let mut table_rows = table::read(path)?;
    let mut row = table_rows
        .iter()
        .find(|r| r.pipeline_id == last.pipeline_id)
        .cloned()
        .unwrap_or_else(|| ResultRow {
            pipeline_id: last.pipeline_id.clone(),
            pipeline_name: last.pipeline_name.clone(),
            tier: last.tier.clone(),
            ..ResultRow::default()
        });
    let median = |figure: fn(&RunRow) -> Option<f64>| {
        let values: Vec<f64> = counted.iter().filter_map(|r| figure(r)).collect();
        stats::median(&values).map(round_ms)
    };
    row.load_rate = last.load_rate;
    row.freshness_p50_s = median(|r| r.freshness_p50_s);
    row.freshness_p95_s = median(|r| r.freshness_p95_s);
    row.freshness_p99_s = median(|r| r.freshness_p99_s);
    row.freshness_max_s = median(|r| r.freshness_max_s);
    row.drain_s = median(|r| r.drain_s);
    row.sustained = if counted.is_empty() {
        String::new()
    } else if counted.iter().all(|r| r.sustained == "yes") {
        "yes".into()
    } else {
        "no".into()
    };
    table_rows.retain(|r| r.pipeline_id != row.pipeline_id);
    table_rows.push(row);
    table_rows.sort_by(|a, b| a.pipeline_id.cmp(&b.pipeline_id));
    table::write(path, &table_rows)
}

/// Records `--find-max-rate`'s result in the pipeline's results.csv row.
pub fn set_max_rate(path: &Path, last: &RunRow, rate: Option<f64>) -> Result<()> {
    let mut table_rows = table::read(path)?;
    let mut row = table_rows
        .iter()
        .find(|r| r.pipeline_id == last.pipeline_id)
        .cloned()
        .unwrap_or_else(|| ResultRow {
            pipeline_id: last.pipeline_id.clone(),
            pipeline_name: last.pipeline_name.clone(),
            tier: last.tier.clone(),
            ..ResultRow::default()
        });
    row.max_sustainable_rate = rate;
    table_rows.retain(|r| r.pipeline_id != row.pipeline_id);
    table_rows.push(row);
    table_rows.sort_by(|a, b| a.pipeline_id.cmp(&b.pipeline_id));
    table::write(path, &table_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sustained_row(run_id: &str, p99: f64, sustained: &str) -> RunRow {
        RunRow {
            pipeline_id: "p20".into(),
            pipeline_name: "Kafka + Bytewax".into(),
            tier: "lightweight".into(),
            run_id: run_id.into(),
            status: "PASS".into(),
            load_rate: Some(2000.0),
            freshness_p50_s: Some(p99 / 2.0),
            freshness_p99_s: Some(p99),
            sustained: sustained.into(),
            ..RunRow::default()
        }
    }

    #[test]
    fn batch_and_sustained_figures_live_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let batch = ResultRow {
            pipeline_id: "p20".into(),
            e2e_total_s: Some(30.0),
            ..ResultRow::default()
        };
        table::upsert(&path, batch.clone()).unwrap();
        upsert_sustained(
            &path,
            &[
                sustained_row("a", 1.0, "yes"),
                sustained_row("b", 3.0, "yes"),
                sustained_row("c", 2.0, "yes"),
            ],
        )
        .unwrap();
        set_max_rate(&path, &sustained_row("c", 2.0, "yes"), Some(4000.0)).unwrap();
        let rows = table::read(&path).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].e2e_total_s, Some(30.0), "the batch figure stays");
        assert_eq!(
            rows[0].freshness_p99_s,
            Some(2.0),
            "the median of three runs"
        );
        assert_eq!(rows[0].sustained, "yes");
        // A later batch run keeps the freshness figures.
        table::upsert(&path, batch).unwrap();
        let rows = table::read(&path).unwrap();
        assert_eq!(rows[0].freshness_p99_s, Some(2.0));
        assert_eq!(rows[0].max_sustainable_rate, Some(4000.0));
        // The freshness columns come after every existing one.
        let header = table::header();
        let first = header.iter().position(|c| c == "load_rate").unwrap();
        assert_eq!(header[first - 1], "substituted_storage");
        assert_eq!(header.last().unwrap(), "max_sustainable_rate");
    }

    #[test]
    fn one_run_that_did_not_sustain_marks_the_pipeline_not_sustained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        upsert_sustained(
            &path,
            &[
                sustained_row("a", 1.0, "yes"),
                sustained_row("b", 9.0, "no"),
            ],
        )
        .unwrap();
        assert_eq!(table::read(&path).unwrap()[0].sustained, "no");
    }
}
