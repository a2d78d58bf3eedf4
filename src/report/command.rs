//! `rtde compare` and `rtde report`: decide which files to read and write, print the
//! command's output, and turn a real regression into its exit code.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{CompareArgs, ReportArgs};
use crate::error::Error;
use crate::exit;
use crate::export::{self, ExportFormat};
use crate::manifest;
use crate::paths::{COMPARISON_DIR, under_root};
use crate::report::cross::Known;
use crate::report::markdown::{self, ReportInput};
use crate::report::model::{self, E2E, Sources};
use crate::report::{build_charts, chart, regression, results_md};
use crate::results::baseline::parse_threshold;
use crate::results::runs_table;
use crate::results::summary::row_from_runs;
use crate::results::table;
use crate::run::record::RunRecord;

const REPORT_FILE: &str = "comparison_report.md";
const RESULTS_FILE: &str = "BENCHMARK_RESULTS.md";

/// The results table a command reads: FOLDER/results.csv, else --results, else the curated
/// comparison's.
fn results_table(root: &Path, folder: Option<&Path>, results: Option<&Path>) -> PathBuf {
    match (folder, results) {
        (Some(folder), _) => under_root(root, folder).join("results.csv"),
        (None, Some(results)) => under_root(root, results),
        (None, None) => root.join(COMPARISON_DIR).join("results.csv"),
    }
}

/// Write through a temporary file and a rename, so a reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// How a path is shown in output: relative to the root when it is inside it.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn absolute_root(root: &Path) -> Result<PathBuf> {
    std::path::absolute(root).with_context(|| format!("resolving the root {}", root.display()))
}

/// The stacks the project's manifests declare, so a comparison can name a pipeline not yet
/// benchmarked. A manifest that does not load is left out: `rtde validate` is where it is
/// reported, and a report of real results should not fail on it.
fn manifest_stacks(root: &Path) -> Vec<Known> {
    let Ok(found) = manifest::discover(&root.join("pipelines")) else {
        return Vec::new();
    };
    found
        .iter()
        .filter_map(|f| manifest::load(&f.manifest, root).ok())
        .map(|p| Known {
            id: p.id,
            stack: p.stack,
        })
        .collect()
}

/// `rtde compare`.
pub fn compare(root: &Path, args: &CompareArgs, stdout: &mut dyn Write) -> Result<i32> {
    let root = absolute_root(root)?;
    let threshold = parse_threshold(&args.threshold)?;
    let results = results_table(&root, args.folder.as_deref(), args.results.as_deref());
    let runs_table = args.runs_table.as_ref().map_or_else(
        || results.with_file_name("runs.csv"),
        |p| under_root(&root, p),
    );
    let out_dir = match &args.out {
        Some(out) => under_root(&root, out),
        None => results.parent().unwrap_or(&root).to_path_buf(),
    };
    if let Some(from) = &args.from_runs {
        rebuild_tables(&root, &under_root(&root, from), &results, &runs_table)?;
    }
    let comparison = model::load(&Sources {
        root: &root,
        results: &results,
        runs_table: &runs_table,
    })?;
    let regressions = match &args.baseline {
        None => None,
        Some(baseline) => {
            let path = under_root(&root, baseline);
            let old = regression::load_baseline(&path)?;
            Some(regression::compare(
                &comparison.pipelines,
                &old,
                &shown(&root, &path),
                threshold,
            ))
        }
    };

    let charts = build_charts(&comparison)?;
    let all_charts = charts
        .stages
        .iter()
        .chain(&charts.scatter)
        .chain(charts.memory.values());
    for chart in all_charts {
        write_atomic(&out_dir.join(&chart.file_name), chart.svg.as_bytes())?;
    }
    let mut report = markdown::render(&ReportInput {
        comparison: &comparison,
        out_dir: &out_dir,
        root: &root,
        results_name: &shown(&root, &results),
        charts: &charts,
        regressions: regressions.as_ref(),
        manifests: &manifest_stacks(&root),
    });
    // Freshness under a sustained load (issue 20), from the same runs table.
    let runs = crate::results::runs_table::read(&runs_table)?;
    let results_dir = results.parent().unwrap_or(&root);
    if let Some(section) = crate::freshness::report::section(&root, results_dir, &runs)? {
        for (file, svg) in &section.charts {
            write_atomic(&out_dir.join(file), svg.as_bytes())?;
        }
        report.push('\n');
        report.push_str(&section.markdown);
    }
    let report_path = out_dir.join(REPORT_FILE);
    write_atomic(&report_path, report.as_bytes())?;

    for (path, format) in [
        (&args.export_json, ExportFormat::Json),
        (&args.export_csv, ExportFormat::Csv),
        (&args.export_markdown, ExportFormat::Markdown),
    ] {
        if let Some(path) = path {
            let bytes = export::exporter(format).serialize(&comparison)?;
            let path = under_root(&root, path);
            write_atomic(&path, &bytes)
                .with_context(|| format!("could not write export file {}", path.display()))?;
        }
    }

    let bars: Vec<(String, f64)> = comparison
        .pipelines
        .iter()
        .filter_map(|p| Some((p.label(), p.median(&E2E)?)))
        .collect();
    writeln!(stdout, "End-to-end time, median per pipeline:")?;
    write!(stdout, "{}", chart::text_bars(&bars, "s", 40))?;
    writeln!(stdout, "Report: {}", shown(&root, &report_path))?;
    let Some(regressions) = regressions else {
        return Ok(exit::OK);
    };
    write!(stdout, "\n{}", regressions.to_markdown())?;
    let count = regressions.regressions().count();
    if count > 0 {
        let list: Vec<String> = regressions
            .regressions()
            .map(|f| {
                format!(
                    "{} {} {:+.1} %",
                    f.pipeline,
                    f.metric,
                    f.change.relative * 100.0
                )
            })
            .collect();
        return Err(Error::Regression(format!(
            "{count} regression(s) beyond {:.0} % against {}: {}",
            threshold * 100.0,
            regressions.baseline,
            list.join(", ")
        ))
        .into());
    }
    Ok(exit::OK)
}

/// `rtde report`.
pub fn report(root: &Path, args: &ReportArgs, stdout: &mut dyn Write) -> Result<i32> {
    let root = absolute_root(root)?;
    let results = results_table(&root, args.folder.as_deref(), args.results.as_deref());
    let runs_table = results.with_file_name("runs.csv");
    // No results yet is the state of a fresh checkout, not an error: the file says so.
    let has_rows = !table::read(&results)?.is_empty();
    let comparison = if has_rows {
        Some(model::load(&Sources {
            root: &root,
            results: &results,
            runs_table: &runs_table,
        })?)
    } else {
        None
    };
    let mut text = results_md::render(comparison.as_ref(), &shown(&root, &results));
    text.push_str(&crate::freshness::report::results_md(&table::read(
        &results,
    )?));
    // A folder other than the curated comparison gets its own BENCHMARK_RESULTS.md: the
    // committed one is only ever written from the curated table.
    let out = match (&args.out, &args.folder) {
        (Some(out), _) => under_root(&root, out),
        (None, Some(folder)) => under_root(&root, folder).join(RESULTS_FILE),
        (None, None) => root.join(RESULTS_FILE),
    };
    write_atomic(&out, text.as_bytes())?;
    writeln!(
        stdout,
        "{}: {} pipeline(s) measured",
        shown(&root, &out),
        comparison.map_or(0, |c| c.pipelines.len())
    )?;
    Ok(exit::OK)
}

/// Rebuild results.csv and runs.csv from the run records under `runs_dir`: every run goes to
/// the runs table, and each pipeline's latest invocation (from its last run with index 0)
/// becomes its results row. Useful after copying runs/ from another machine or CI artifact.
fn rebuild_tables(root: &Path, runs_dir: &Path, results: &Path, runs_table: &Path) -> Result<()> {
    let mut found = Vec::new();
    collect_run_records(runs_dir, &mut found)?;
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
        let run_dir = shown(root, dir);
        by_pipeline
            .entry(record.pipeline.id.clone())
            .or_default()
            .push((record, run_dir));
    }
    for (_, mut runs) in by_pipeline {
        runs.sort_by_key(|(record, _)| (record.started_at, record.run_index));
        for (record, run_dir) in &runs {
            runs_table::upsert(runs_table, record, run_dir)?;
        }
        let start = runs
            .iter()
            .rposition(|(r, _)| r.run_index == 0)
            .unwrap_or(0);
        let (records, dirs): (Vec<RunRecord>, Vec<String>) = runs.drain(start..).unzip();
        table::upsert(results, row_from_runs(&records, &dirs))?;
    }
    Ok(())
}

fn collect_run_records(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
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
            collect_run_records(&path, found)?;
        } else if path.file_name().is_some_and(|n| n == "run.json") {
            found.push(path);
        }
    }
    Ok(())
}
