//! Rebuilding the results and runs tables from run records, as `rtde compare --from-runs`
//! does.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Error;
use crate::results::record::RunRecord;
use crate::results::runs_table::RunRow;
use crate::results::summary::row_from_runs;
use crate::results::{freshness, runs_table, table};

/// Rebuild results.csv and runs.csv from the run records under `runs_dir`: every run goes to
/// the runs table, and each pipeline's latest invocation (from its last run with index 0)
/// becomes its results row: its latest batch invocation the batch figures, its latest
/// sustained one (`rtde bench --rate`) the freshness figures beside them, as `rtde bench`
/// writes them; a `max-rate.json` found beside the runs (`rtde bench --find-max-rate`) gives
/// the pipeline's highest sustained rate. Useful after copying runs/ from another machine or
/// CI artifact.
pub fn from_runs(root: &Path, runs_dir: &Path, results: &Path, runs_table: &Path) -> Result<()> {
    let mut found = Vec::new();
    let mut searches = Vec::new();
    collect_run_records(runs_dir, &mut found, &mut searches)?;
    if found.is_empty() {
        return Err(Error::InvalidInput(format!(
            "no run.json under {}: pass the folder `rtde bench` wrote its runs to",
            runs_dir.display()
        ))
        .into());
    }
    let mut by_pipeline: BTreeMap<String, Vec<(RunRecord, String)>> = BTreeMap::new();
    for path in found {
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let record: RunRecord = serde_json::from_str(&text).map_err(|e| {
            Error::InvalidInput(format!("{} is not a run record ({e})", path.display()))
        })?;
        let dir = path.parent().unwrap_or(runs_dir);
        let run_dir = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
        by_pipeline
            .entry(record.pipeline.id.clone())
            .or_default()
            .push((record, run_dir));
    }
    let mut latest_rows = BTreeMap::new();
    for (id, mut runs) in by_pipeline {
        runs.sort_by_key(|(record, _)| (record.started_at, record.run_index));
        if let Some((record, dir)) = runs.last() {
            latest_rows.insert(id, RunRow::from_record(record, dir));
        }
        for (record, run_dir) in &runs {
            runs_table::upsert(runs_table, record, run_dir)?;
        }
        let (mut sustained, mut batch): (Vec<_>, Vec<_>) =
            runs.into_iter().partition(|(r, _)| r.freshness.is_some());
        if !batch.is_empty() {
            let (records, dirs) = latest_invocation(&mut batch);
            table::upsert(results, row_from_runs(&records, &dirs))?;
        }
        if !sustained.is_empty() {
            let (records, dirs) = latest_invocation(&mut sustained);
            let rows: Vec<RunRow> = records
                .iter()
                .zip(&dirs)
                .map(|(record, dir)| RunRow::from_record(record, dir))
                .collect();
            freshness::upsert_sustained(results, &rows)?;
        }
    }
    for path in searches {
        let search = freshness::read_max_rate(&path)?;
        let last = latest_rows
            .remove(&search.pipeline)
            .unwrap_or_else(|| RunRow {
                pipeline_id: search.pipeline.clone(),
                ..RunRow::default()
            });
        freshness::set_max_rate(results, &last, search.max_rate)?;
    }
    Ok(())
}

/// The runs of the last invocation among `runs` (in start order): from its last run with
/// index 0.
fn latest_invocation(runs: &mut Vec<(RunRecord, String)>) -> (Vec<RunRecord>, Vec<String>) {
    let start = runs
        .iter()
        .rposition(|(r, _)| r.run_index == 0)
        .unwrap_or(0);
    runs.drain(start..).unzip()
}

/// The `run.json` files under `dir` into `found`, the `max-rate.json` files into `searches`.
fn collect_run_records(
    dir: &Path,
    found: &mut Vec<PathBuf>,
    searches: &mut Vec<PathBuf>,
) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| {
        Error::InvalidInput(format!("cannot read runs folder {} ({e})", dir.display()))
    })?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("listing {}", dir.display()))?;
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_run_records(&path, found, searches)?;
        } else if path.file_name().is_some_and(|n| n == "run.json") {
            found.push(path);
        } else if path.file_name().is_some_and(|n| n == "max-rate.json") {
            searches.push(path);
        }
    }
    Ok(())
}
