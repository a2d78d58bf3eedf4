//! `rtde compare --baseline`: every metric of every pipeline judged against an older result.
//!
//! The decision for one metric is [`crate::results::baseline::judge`]; this module pairs the
//! pipelines, loads the baseline file and renders the findings.

use std::fmt::Write;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use crate::error::Error;
use crate::results::baseline::{Change, Verdict, judge};
use crate::results::comparison::{self, FRESHNESS, METRICS, PipelineResult};
use crate::results::export_file;

/// One metric of one pipeline whose change went beyond the threshold.
#[derive(Debug, Clone)]
pub struct Finding {
    pub pipeline: String,
    pub metric: &'static str,
    pub unit: &'static str,
    pub old: f64,
    pub new: f64,
    pub old_runs: u32,
    pub new_runs: u32,
    pub change: Change,
}

#[derive(Debug, Clone, Default)]
pub struct RegressionReport {
    pub baseline: String,
    pub threshold: f64,
    pub findings: Vec<Finding>,
    /// Pipelines not compared, with the reason.
    pub skipped: Vec<(String, String)>,
}

impl RegressionReport {
    pub fn regressions(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.change.verdict == Verdict::Regression)
    }

    /// The findings as a Markdown section body (also printed by the command).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Baseline: `{}`; threshold {:.0} %. A regression is a median worse beyond the \
             threshold whose difference is real given both sides' runs (see \
             docs/statistics.md).\n",
            self.baseline,
            self.threshold * 100.0
        );
        let regressions = self.regressions().count();
        let improvements = self
            .findings
            .iter()
            .filter(|f| f.change.verdict == Verdict::Improvement)
            .count();
        let _ = writeln!(
            out,
            "**{regressions} regression(s), {improvements} improvement(s)**, {} change(s) \
             beyond the threshold but within the noise.\n",
            self.findings.len() - regressions - improvements
        );
        if !self.findings.is_empty() {
            out.push_str(
                "| Pipeline | Metric | Baseline | Now | Change | Runs (old/new) | Verdict | Why |\n\
                 |:---|:---|---:|---:|---:|---:|:---|:---|\n",
            );
            for f in &self.findings {
                let verdict = match f.change.verdict {
                    Verdict::Regression => "**regression**",
                    Verdict::Improvement => "improvement",
                    Verdict::Noise => "noise",
                    Verdict::Unchanged => "unchanged",
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.2} {} | {:.2} {} | {:+.1} % | {}/{} | {} | {} |",
                    f.pipeline,
                    f.metric,
                    f.old,
                    f.unit,
                    f.new,
                    f.unit,
                    f.change.relative * 100.0,
                    f.old_runs,
                    f.new_runs,
                    verdict,
                    f.change.evidence.map(|e| e.describe()).unwrap_or_default()
                );
            }
        }
        for (pipeline, why) in &self.skipped {
            let _ = writeln!(out, "\n- {pipeline}: not compared ({why})");
        }
        out
    }
}

/// Read a baseline: an rtde (or hyperfine) JSON export, or a results.csv with its runs.csv
/// beside it when there is one.
pub fn load_baseline(path: &Path) -> Result<Vec<PipelineResult>> {
    let text = fs::read_to_string(path).map_err(|e| {
        Error::InvalidInput(format!(
            "baseline {} cannot be read ({e}): pass a file written by `rtde compare \
             --export-json` or a results.csv",
            path.display()
        ))
    })?;
    if text.trim_start().starts_with('{') {
        return export_file::parse(&text, &path.display().to_string());
    }
    let runs_table = path.with_file_name("runs.csv");
    let dir = path.parent().unwrap_or(Path::new("."));
    let comparison = comparison::load(&comparison::Sources {
        root: dir,
        results: path,
        runs_table: &runs_table,
    })
    .with_context(|| format!("reading baseline {}", path.display()))?;
    Ok(comparison.pipelines)
}

/// Judge every metric of every current pipeline against the baseline's.
pub fn compare(
    current: &[PipelineResult],
    baseline: &[PipelineResult],
    baseline_name: &str,
    threshold: f64,
) -> RegressionReport {
    let mut report = RegressionReport {
        baseline: baseline_name.to_string(),
        threshold,
        ..Default::default()
    };
    for now in current {
        let Some(old) = baseline.iter().find(|b| b.id() == now.id()) else {
            report
                .skipped
                .push((now.id().to_string(), "not in the baseline".to_string()));
            continue;
        };
        if old.row.substituted_broker != now.row.substituted_broker
            || old.row.substituted_storage != now.row.substituted_storage
        {
            report.skipped.push((
                now.id().to_string(),
                "the broker or storage differs from the baseline's, so the stacks differ"
                    .to_string(),
            ));
            continue;
        }
        // Freshness depends on the load: figures at two rates are two experiments.
        let same_load = old.row.load_rate == now.row.load_rate;
        if !same_load && old.row.load_rate.is_some() && now.row.load_rate.is_some() {
            report.skipped.push((
                now.id().to_string(),
                format!(
                    "freshness not compared: the baseline ran at {} events/s, now {}",
                    old.row.load_rate.unwrap_or_default(),
                    now.row.load_rate.unwrap_or_default()
                ),
            ));
        }
        for metric in METRICS.iter().chain(&FRESHNESS) {
            if metric.sustained && !same_load {
                continue;
            }
            let (Some(old_side), Some(new_side)) = (old.side(metric), now.side(metric)) else {
                continue;
            };
            let change = judge(&old_side, &new_side, metric.better, threshold);
            if change.verdict != Verdict::Unchanged {
                report.findings.push(Finding {
                    pipeline: now.id().to_string(),
                    metric: metric.key,
                    unit: metric.unit,
                    old: old_side.median,
                    new: new_side.median,
                    old_runs: old_side.runs,
                    new_runs: new_side.runs,
                    change,
                });
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::runs_table::RunRow;

    /// A pipeline with six batch runs of `e2e` s and sustained runs of the given p99s, at
    /// `rate` events/s, as `comparison::load` would have read it.
    fn pipeline(e2e: f64, rate: f64, p99s: &[f64]) -> PipelineResult {
        let run = |i: usize| RunRow {
            pipeline_id: "p20".into(),
            run_id: format!("b{i}"),
            e2e_s: e2e + i as f64 * 0.01,
            ..RunRow::default()
        };
        let runs: Vec<RunRow> = (0..6).map(run).collect();
        let sustained_runs: Vec<RunRow> = p99s
            .iter()
            .enumerate()
            .map(|(i, &p99)| RunRow {
                pipeline_id: "p20".into(),
                run_id: format!("s{i}"),
                status: "PASS".into(),
                load_rate: Some(rate),
                freshness_p99_s: Some(p99),
                sustained: "yes".into(),
                ..RunRow::default()
            })
            .collect();
        let mut row = crate::results::summary::row_from_run_rows(&runs);
        crate::results::freshness::fill_sustained(&mut row, &sustained_runs);
        PipelineResult {
            row,
            runs,
            sustained_runs,
            record: None,
            samples: Vec::new(),
            failed_checks: Vec::new(),
            services: Vec::new(),
        }
    }

    #[test]
    fn a_freshness_p99_regression_is_flagged_as_an_e2e_one_is() {
        let old = pipeline(30.0, 2000.0, &[1.0, 1.02, 0.98, 1.01, 0.99, 1.0]);
        let new = pipeline(30.0, 2000.0, &[2.0, 2.04, 1.96, 2.02, 1.98, 2.0]);
        let report = compare(&[new], &[old], "baseline.csv", 0.10);
        let found: Vec<(&str, Verdict)> = report
            .findings
            .iter()
            .map(|f| (f.metric, f.change.verdict))
            .collect();
        assert_eq!(found, [("freshness_p99_s", Verdict::Regression)]);
        assert_eq!(report.regressions().count(), 1);
        assert!(
            report
                .to_markdown()
                .contains("| p20 | freshness_p99_s | 1.00 s | 2.00 s |")
        );
    }

    #[test]
    fn freshness_at_another_rate_is_not_compared() {
        let old = pipeline(30.0, 1000.0, &[1.0; 6]);
        let new = pipeline(30.0, 2000.0, &[5.0; 6]);
        let report = compare(&[new], &[old], "baseline.csv", 0.10);
        assert_eq!(report.findings.len(), 0, "{:?}", report.findings);
        assert_eq!(
            report.skipped,
            [(
                "p20".to_string(),
                "freshness not compared: the baseline ran at 1000 events/s, now 2000".to_string()
            )]
        );
    }

    #[test]
    fn a_baseline_without_per_run_figures_is_judged_by_its_freshness_interval() {
        let old = pipeline(30.0, 2000.0, &[1.0, 1.02, 0.98, 1.01, 0.99, 1.0]);
        let mut new = pipeline(30.0, 2000.0, &[2.0, 2.04, 1.96, 2.02, 1.98, 2.0]);
        new.sustained_runs.clear();
        let mut old_aggregates = old.clone();
        old_aggregates.sustained_runs.clear();
        let report = compare(&[new], &[old_aggregates], "baseline.json", 0.10);
        let p99 = report
            .findings
            .iter()
            .find(|f| f.metric == "freshness_p99_s")
            .expect("the p99 is judged");
        assert_eq!(p99.change.verdict, Verdict::Regression);
        assert_eq!(
            p99.change.evidence.map(|e| e.describe()).as_deref(),
            Some("intervals do not overlap")
        );
    }
}
