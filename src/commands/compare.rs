//! `rtde compare`: which tables to read and files to write (from the arguments), the
//! command's lines on stdout, and a real regression as its exit code. What the report says
//! is `report`'s; the files are written by `results::files`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::{absolute_root, results_table, shown};
use crate::cli::CompareArgs;
use crate::error::Error;
use crate::exit;
use crate::export::{self, ExportFormat};
use crate::paths::under_root;
use crate::report::markdown::{self, ReportInput};
use crate::report::{build_charts, chart, cross, regression};
use crate::results::baseline::parse_threshold;
use crate::results::comparison::{self, E2E, Sources};
use crate::results::files::write_atomic;
use crate::results::rebuild;

const REPORT_FILE: &str = "comparison_report.md";

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
        rebuild::from_runs(&root, &under_root(&root, from), &results, &runs_table)?;
    }
    let comparison = comparison::load(&Sources {
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
        manifests: &cross::manifest_stacks(&root),
    });
    // Freshness under a sustained load (issue 20), from the same runs table.
    let runs = crate::results::runs_table::read(&runs_table)?;
    let results_dir = results.parent().unwrap_or(&root);
    let rows: Vec<_> = comparison.pipelines.iter().map(|p| p.row.clone()).collect();
    if let Some(section) = crate::report::freshness::section(&root, results_dir, &runs, &rows)? {
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
