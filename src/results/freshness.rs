//! Freshness in results.csv: the medians of a pipeline's sustained runs, and the highest
//! sustained rate, written after the existing columns and kept beside a pipeline's batch
//! figures: a batch run does not erase them (`table::upsert` carries them over), a
//! sustained run does not replace the batch ones. A run's own freshness columns are filled
//! in where every runs.csv column is, `RunRow::from_record`.

use std::path::Path;

use anyhow::Result;

use super::runs_table::RunRow;
use super::stats;
use super::table::{self, ResultRow};

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
