//! Freshness in results.csv: the medians of a pipeline's sustained runs, and the highest
//! sustained rate, written after the existing columns and kept beside a pipeline's batch
//! figures: a batch run does not erase them (`table::upsert` carries them over), a
//! sustained run does not replace the batch ones. A run's own freshness columns are filled
//! in where every runs.csv column is, `RunRow::from_record`.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::runs_table::RunRow;
use super::stats;
use super::table::{self, ResultRow};
use crate::error::Error;

fn round_ms(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The statistics of one freshness percentile over the counted sustained runs, in the
/// columns' order: the median, the extremes, the 95 % interval of the median.
fn percentile_columns(summary: Option<&stats::Summary>) -> [Option<f64>; 5] {
    let Some(s) = summary else {
        return [None; 5];
    };
    [
        Some(round_ms(s.median)),
        Some(s.min),
        Some(s.max),
        s.median_ci.map(|ci| ci.low),
        s.median_ci.map(|ci| ci.high),
    ]
}

/// The sustained runs among `rows` that count: not warm-ups, with a load, passed.
pub fn counted(rows: &[RunRow]) -> Vec<&RunRow> {
    rows.iter()
        .filter(|r| r.counted() && r.load_rate.is_some() && r.status == "PASS")
        .collect()
}

/// Each freshness percentile the counted sustained runs measured, with its statistics.
pub fn percentiles(rows: &[RunRow]) -> Vec<(&'static str, stats::Summary)> {
    let counted = counted(rows);
    [
        (
            "p50",
            (|r: &RunRow| r.freshness_p50_s) as fn(&RunRow) -> Option<f64>,
        ),
        ("p95", |r| r.freshness_p95_s),
        ("p99", |r| r.freshness_p99_s),
    ]
    .into_iter()
    .filter_map(|(name, figure)| {
        let values: Vec<f64> = counted.iter().filter_map(|r| figure(r)).collect();
        Some((name, stats::summarize(&values)?))
    })
    .collect()
}

/// Fills `row`'s freshness columns from a pipeline's sustained runs `rows` (one invocation,
/// warm-ups included): the medians of the counted runs whose load was applied, each
/// percentile's extremes and interval, the noise flag, the runs behind them. The same
/// statistics as the end-to-end time's (`summary::row_from_run_rows`), so a freshness figure
/// is read, compared and judged against a baseline the same way.
pub fn fill_sustained(row: &mut ResultRow, rows: &[RunRow]) {
    let counted = counted(rows);
    let Some(last) = rows.last() else {
        return;
    };
    let values = |figure: fn(&RunRow) -> Option<f64>| -> Vec<f64> {
        counted.iter().filter_map(|r| figure(r)).collect()
    };
    let median = |figure: fn(&RunRow) -> Option<f64>| stats::median(&values(figure)).map(round_ms);
    let p50 = stats::summarize(&values(|r| r.freshness_p50_s));
    let p95 = stats::summarize(&values(|r| r.freshness_p95_s));
    let p99 = stats::summarize(&values(|r| r.freshness_p99_s));
    row.load_rate = last.load_rate;
    [
        row.freshness_p50_s,
        row.freshness_p50_min_s,
        row.freshness_p50_max_s,
        row.freshness_p50_ci_low_s,
        row.freshness_p50_ci_high_s,
    ] = percentile_columns(p50.as_ref());
    [
        row.freshness_p95_s,
        row.freshness_p95_min_s,
        row.freshness_p95_max_s,
        row.freshness_p95_ci_low_s,
        row.freshness_p95_ci_high_s,
    ] = percentile_columns(p95.as_ref());
    [
        row.freshness_p99_s,
        row.freshness_p99_min_s,
        row.freshness_p99_max_s,
        row.freshness_p99_ci_low_s,
        row.freshness_p99_ci_high_s,
    ] = percentile_columns(p99.as_ref());
    row.freshness_max_s = median(|r| r.freshness_max_s);
    row.drain_s = median(|r| r.drain_s);
    row.sustained = if counted.is_empty() {
        String::new()
    } else if counted.iter().all(|r| r.sustained == "yes") {
        "yes".into()
    } else {
        "no".into()
    };
    row.freshness_runs = Some(counted.len() as u32);
    row.freshness_run_ids = counted
        .iter()
        .map(|r| r.run_id.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // The p99 decides: it is the figure the SLO and the baseline judge.
    row.freshness_noisy = match &p99 {
        None => String::new(),
        Some(s) if s.noisy => "yes".into(),
        Some(_) => "no".into(),
    };
}

/// The pipeline's row of results.csv with the freshness statistics of its sustained runs
/// ([`fill_sustained`]), its other columns as they were (or named from the runs).
pub fn upsert_sustained(path: &Path, rows: &[RunRow]) -> Result<()> {
    let Some(last) = rows.last() else {
        return Ok(());
    };
    edit_row(path, last, |row| fill_sustained(row, rows))
}

/// What `rtde compare --from-runs` reads back of a search's `max-rate.json` (`run::search`
/// writes the whole search: its steps too).
#[derive(Debug, Deserialize)]
pub struct MaxRateFile {
    pub pipeline: String,
    pub max_rate: Option<f64>,
}

pub fn read_max_rate(path: &Path) -> Result<MaxRateFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::InvalidInput(format!(
            "{} is not the result of `rtde bench --find-max-rate` ({e})",
            path.display()
        ))
        .into()
    })
}

/// Records `--find-max-rate`'s result in the pipeline's results.csv row.
pub fn set_max_rate(path: &Path, last: &RunRow, rate: Option<f64>) -> Result<()> {
    edit_row(path, last, |row| row.max_sustainable_rate = rate)
}

/// Changes the pipeline's row of results.csv in place (a new row named from `last` when the
/// table has none), keeping the table sorted by pipeline id.
fn edit_row(path: &Path, last: &RunRow, edit: impl FnOnce(&mut ResultRow)) -> Result<()> {
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
    edit(&mut row);
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
        // #20 item 6's statistics columns come after those, the noise flag last.
        let max_rate = header
            .iter()
            .position(|c| c == "max_sustainable_rate")
            .unwrap();
        assert_eq!(header[max_rate + 1], "freshness_runs");
        assert_eq!(header.last().unwrap(), "freshness_noisy");
    }

    #[test]
    fn each_percentile_gets_a_median_an_interval_and_the_p99_a_noise_flag() {
        // Six runs: enough for a 95 % interval of the median (order statistics 1 and 6).
        let p99s = [2.0, 2.1, 1.9, 2.05, 1.95, 2.0];
        let rows: Vec<RunRow> = p99s
            .iter()
            .enumerate()
            .map(|(i, &p99)| sustained_row(&format!("r{i}"), p99, "yes"))
            .collect();
        let mut row = ResultRow::default();
        fill_sustained(&mut row, &rows);
        assert_eq!(row.freshness_runs, Some(6));
        assert_eq!(row.freshness_run_ids, "r0 r1 r2 r3 r4 r5");
        assert_eq!(row.freshness_p99_s, Some(2.0));
        assert_eq!(row.freshness_p99_min_s, Some(1.9));
        assert_eq!(row.freshness_p99_max_s, Some(2.1));
        assert_eq!(row.freshness_p99_ci_low_s, Some(1.9));
        assert_eq!(row.freshness_p99_ci_high_s, Some(2.1));
        assert_eq!(row.freshness_p50_s, Some(1.0), "p50 is half the p99 here");
        assert_eq!(row.freshness_p95_s, None, "not measured, not made up");
        assert_eq!(
            row.freshness_noisy, "no",
            "a robust spread of 4 % is not noise"
        );

        // Three runs far apart: no interval yet, the range instead, and noisy.
        let rows = [
            sustained_row("a", 1.0, "yes"),
            sustained_row("b", 2.0, "yes"),
            sustained_row("c", 3.0, "yes"),
        ];
        let mut row = ResultRow::default();
        fill_sustained(&mut row, &rows);
        assert_eq!(row.freshness_p99_ci_low_s, None);
        assert_eq!(
            (row.freshness_p99_min_s, row.freshness_p99_max_s),
            (Some(1.0), Some(3.0))
        );
        assert_eq!(row.freshness_noisy, "yes");

        // A warm-up and a failed run are not counted.
        let mut warm = sustained_row("w", 9.0, "yes");
        warm.warmup = true;
        let mut failed = sustained_row("f", 9.0, "no");
        failed.status = "FAIL".into();
        let mut row = ResultRow::default();
        fill_sustained(&mut row, &[warm, sustained_row("a", 1.0, "yes"), failed]);
        assert_eq!(row.freshness_runs, Some(1));
        assert_eq!(row.freshness_p99_s, Some(1.0));
        assert_eq!(row.sustained, "yes");
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
