//! `comparison_report.md`: the comparison people read, rendered from a loaded comparison.
//!
//! Every figure links to the run.json of the run it comes from (for a median, the run whose
//! figure is the median), so a surprising number is one click from its evidence.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use crate::report::chart;
use crate::report::cross::{self, Known};
use crate::report::overhead::{self, NotCompared};
use crate::report::regression::RegressionReport;
use crate::results::comparison::{self, Comparison, E2E, Metric, PipelineResult, relative_link};
use crate::results::record::{Environment, RunStatus};
use crate::results::stats::{self, OutlierAdvice};
use crate::results::summary;

/// An SVG chart written beside the report.
#[derive(Debug, Clone)]
pub struct ChartFile {
    pub file_name: String,
    pub alt: String,
    pub svg: String,
}

#[derive(Debug, Clone, Default)]
pub struct Charts {
    pub stages: Option<ChartFile>,
    pub scatter: Option<ChartFile>,
    /// Memory over time of one run, per pipeline id.
    pub memory: BTreeMap<String, ChartFile>,
}

pub struct ReportInput<'a> {
    pub comparison: &'a Comparison,
    /// The folder the report is written to, and the project root (both absolute, or both
    /// relative to the same place): links are computed between them.
    pub out_dir: &'a Path,
    pub root: &'a Path,
    /// How to name the results file in the text.
    pub results_name: &'a str,
    pub charts: &'a Charts,
    pub regressions: Option<&'a RegressionReport>,
    /// The pipelines the project defines (from their manifests), so a comparison can name
    /// one not yet benchmarked; pipelines with results are known from their records too.
    pub manifests: &'a [Known],
}

/// A substituted part's table cell: the part used, or `same` when only the other part was
/// substituted.
fn or_same(used: &str) -> &str {
    if used.is_empty() { "same" } else { used }
}

fn passed(p: &PipelineResult) -> bool {
    p.row.validation_status == RunStatus::Passed.label()
}

struct Renderer<'a> {
    input: &'a ReportInput<'a>,
}

impl Renderer<'_> {
    fn link_to(&self, run_dir: &str) -> Option<String> {
        (!run_dir.is_empty()).then(|| {
            relative_link(
                self.input.out_dir,
                &crate::paths::under_root(self.input.root, Path::new(run_dir)).join("run.json"),
            )
        })
    }

    /// A figure linked to the run it comes from; `–` when not measured.
    fn figure(&self, p: &PipelineResult, metric: &Metric, decimals: usize) -> String {
        match p.median(metric) {
            None => "–".to_string(),
            Some(value) => {
                let text = format!("{value:.decimals$}");
                match self.link_to(p.run_dir_for(metric)) {
                    Some(link) => format!("[{text}]({link})"),
                    None => text,
                }
            }
        }
    }

    fn pipeline_cell(&self, p: &PipelineResult) -> String {
        let mut cell = format!("**{}** {}", p.id(), p.row.pipeline_name);
        if p.substituted() {
            let _ = write!(cell, " ⚠ on {}", p.substitution());
        }
        cell
    }

    /// An end-to-end bound (interval end, min or max): one run's figure, linked to that run.
    fn bound(&self, p: &PipelineResult, value: f64) -> String {
        let text = format!("{value:.1}");
        match p
            .run_dir_with(&E2E, value)
            .and_then(|dir| self.link_to(dir))
        {
            Some(link) => format!("[{text}]({link})"),
            None => text,
        }
    }

    fn interval_cell(&self, p: &PipelineResult) -> String {
        let runs = p.run_count();
        match (p.row.e2e_ci_low_s, p.row.e2e_ci_high_s) {
            (Some(low), Some(high)) => format!("{} … {}", self.bound(p, low), self.bound(p, high)),
            _ if runs >= 2 => format!(
                "n/a: {runs} runs (min–max covers the median with {:.0} %)",
                stats::range_coverage(runs as usize) * 100.0
            ),
            _ => "n/a: 1 run".to_string(),
        }
    }

    fn range_cell(&self, p: &PipelineResult) -> String {
        match (p.row.e2e_min_s, p.row.e2e_max_s) {
            (Some(min), Some(max)) => format!("{} – {}", self.bound(p, min), self.bound(p, max)),
            _ => "–".to_string(),
        }
    }

    fn spread_cell(&self, p: &PipelineResult) -> String {
        match p.summary(&E2E) {
            Some(s) if s.n >= 2 => {
                let mut cell = format!(
                    "{:.1} %",
                    stats::MAD_TO_SIGMA * s.mad / s.median.max(f64::MIN_POSITIVE) * 100.0
                );
                if s.noisy {
                    cell.push_str(" **noisy**");
                }
                if !s.outliers.is_empty() {
                    let _ = write!(cell, ", {} outlier(s)", s.outliers.len());
                }
                cell
            }
            _ => "–".to_string(),
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        self.header(&mut out);
        self.ranking(&mut out);
        self.tiers(&mut out);
        self.resources(&mut out);
        self.correctness(&mut out);
        self.cross_cutting(&mut out);
        self.noise(&mut out);
        if let Some(regressions) = self.input.regressions {
            out.push_str("## Regressions against the baseline\n\n");
            out.push_str(&regressions.to_markdown());
            out.push('\n');
        }
        self.environment(&mut out);
        self.warnings(&mut out);
        out
    }

    fn header(&self, out: &mut String) {
        let pipelines = &self.input.comparison.pipelines;
        let runs: u32 = pipelines.iter().map(PipelineResult::run_count).sum();
        let recorded: Vec<&str> = pipelines
            .iter()
            .map(|p| p.row.recorded_at.as_str())
            .filter(|r| !r.is_empty())
            .collect();
        let _ = writeln!(out, "# Pipeline comparison\n");
        let _ = writeln!(
            out,
            "Generated by `rtde compare` from `{}`: {} pipeline(s), {} counted run(s){}.\n",
            self.input.results_name,
            pipelines.len(),
            runs,
            match (recorded.iter().min(), recorded.iter().max()) {
                (Some(first), Some(last)) => format!(", recorded {first} … {last}"),
                _ => String::new(),
            }
        );
        out.push_str(
            "Figures are medians over the counted runs (warm-ups excluded). Each figure links to \
             the run.json of the run it comes from; for a median, the run whose figure is the \
             median. The interval is the distribution-free 95 % confidence interval of the \
             median, which needs six runs or more; spread is the robust coefficient of \
             variation (1.4826 · MAD / median), *noisy* above 10 %. See docs/statistics.md.\n\n",
        );
    }

    fn ranking(&self, out: &mut String) {
        let pipelines = &self.input.comparison.pipelines;
        let mut ranked: Vec<&PipelineResult> = pipelines
            .iter()
            .filter(|p| !p.substituted() && passed(p) && p.median(&E2E).is_some())
            .collect();
        ranked.sort_by(|a, b| {
            a.median(&E2E)
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.median(&E2E).unwrap_or(f64::INFINITY))
        });
        out.push_str("## Ranking by end-to-end time\n\n");
        if ranked.is_empty() {
            out.push_str("No passing pipeline on its own stack has results yet.\n\n");
        } else {
            out.push_str(
                "| # | Pipeline | Tier | E2E median [s] | 95 % CI of median [s] | min – max [s] | \
                 Runs | Spread |\n|---:|:---|:---|---:|:---|:---|---:|:---|\n",
            );
            for (i, p) in ranked.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    i + 1,
                    self.pipeline_cell(p),
                    p.row.tier,
                    self.figure(p, &E2E, 1),
                    self.interval_cell(p),
                    self.range_cell(p),
                    p.run_count(),
                    self.spread_cell(p)
                );
            }
            out.push('\n');
            let bars: Vec<(String, f64)> = ranked
                .iter()
                .filter_map(|p| Some((p.id().to_string(), p.median(&E2E)?)))
                .collect();
            let _ = writeln!(out, "```text\n{}```\n", chart::text_bars(&bars, "s", 40));
        }
        let unranked: Vec<String> = pipelines
            .iter()
            .filter(|p| !p.substituted() && !passed(p))
            .map(|p| match p.row.validation_status.as_str() {
                // A pipeline that could not run here says why (its images, docs/offline.md).
                summary::SKIPPED => format!("{} (SKIPPED: {})", p.id(), p.row.notes),
                status => format!("{} ({status})", p.id()),
            })
            .collect();
        if !unranked.is_empty() {
            let _ = writeln!(
                out,
                "Not ranked because their runs did not pass: {}.\n",
                unranked.join(", ")
            );
        }
        let substituted: Vec<&PipelineResult> =
            pipelines.iter().filter(|p| p.substituted()).collect();
        if !substituted.is_empty() {
            out.push_str(
                "### Runs on a substituted broker or storage (not ranked)\n\n\
                 These ran with the `broker` or `storage` variable naming another part than \
                 their manifest's, so they measure a different stack and are kept out of the \
                 ranking.\n\n\
                 | Pipeline | Manifest's broker | Broker used | Manifest's storage | Storage used | E2E median [s] | Runs | Status |\n\
                 |:---|:---|:---|:---|:---|---:|---:|:---|\n",
            );
            for p in substituted {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    self.pipeline_cell(p),
                    p.row.ingestion,
                    or_same(&p.row.substituted_broker),
                    p.row.storage,
                    or_same(&p.row.substituted_storage),
                    self.figure(p, &E2E, 1),
                    p.run_count(),
                    p.row.validation_status
                );
            }
            out.push('\n');
        }
        if let Some(stages) = &self.input.charts.stages {
            let _ = writeln!(out, "![{}]({})\n", stages.alt, stages.file_name);
        }
    }

    fn tiers(&self, out: &mut String) {
        out.push_str("## Results by tier\n\n");
        let mut tiers: Vec<&str> = Vec::new();
        for p in &self.input.comparison.pipelines {
            if !tiers.contains(&p.row.tier.as_str()) {
                tiers.push(&p.row.tier);
            }
        }
        let key = |k| comparison::metric(k);
        for tier in tiers {
            let title = if tier.is_empty() { "(no tier)" } else { tier };
            let _ = writeln!(out, "### Tier: {title}\n");
            out.push_str(
                "| Pipeline | Stack | Runs | Startup [s] | Ingestion [s] | Processing [s] | \
                 Transform [s] | Serving [s] | Validation [s] | E2E [s] | Peak mem [MiB] | \
                 CPU [s] | Events/s | Status |\n\
                 |:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|\n",
            );
            for p in self
                .input
                .comparison
                .pipelines
                .iter()
                .filter(|p| p.row.tier == tier)
            {
                let stack: Vec<&str> = [&p.row.ingestion, &p.row.processor, &p.row.storage]
                    .into_iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    self.pipeline_cell(p),
                    stack.join(" → "),
                    p.run_count(),
                    self.figure(p, key("startup_s"), 1),
                    self.figure(p, key("ingestion_s"), 1),
                    self.figure(p, key("processing_s"), 1),
                    self.figure(p, key("transform_s"), 1),
                    self.figure(p, key("serving_s"), 1),
                    self.figure(p, key("validation_s"), 1),
                    self.figure(p, &E2E, 1),
                    self.figure(p, key("peak_mem_mb"), 0),
                    self.figure(p, key("cpu_s"), 1),
                    self.figure(p, key("events_per_s"), 0),
                    p.row.validation_status
                );
            }
            out.push('\n');
        }
    }

    fn resources(&self, out: &mut String) {
        out.push_str("## Memory and CPU\n\n");
        out.push_str(
            "Peak memory is the highest time-aligned sum of the stack's container working sets \
             (usage minus inactive file, what `docker stats` shows); CPU is user + system \
             seconds of every container of the run, as the kernel's cgroup accounting counts \
             them.\n\n",
        );
        if let Some(scatter) = &self.input.charts.scatter {
            let _ = writeln!(out, "![{}]({})\n", scatter.alt, scatter.file_name);
        }
        for p in &self.input.comparison.pipelines {
            let Some(chart) = self.input.charts.memory.get(p.id()) else {
                continue;
            };
            let _ = writeln!(
                out,
                "### {} {}: memory over one run\n",
                p.id(),
                p.row.pipeline_name
            );
            let _ = writeln!(out, "![{}]({})\n", chart.alt, chart.file_name);
            let Some(resources) = p.record.as_ref().and_then(|r| r.resources.as_ref()) else {
                continue;
            };
            let link = self.link_to(&p.row.run_dir).unwrap_or_default();
            out.push_str(
                "| Container | Service | Peak working set [MiB] | CPU [s] |\n|:---|:---|---:|---:|\n",
            );
            for c in &resources.containers {
                let _ = writeln!(
                    out,
                    "| {} | {} | [{:.0}]({link}) | [{:.1}]({link}) |",
                    c.container,
                    c.service,
                    c.peak_working_set_bytes as f64 / (1024.0 * 1024.0),
                    c.cpu_s
                );
            }
            out.push('\n');
        }
    }

    fn correctness(&self, out: &mut String) {
        out.push_str("## Correctness\n\n");
        out.push_str(
            "Checks compare what each stack produced with the generator's oracle \
             (docs/data-contract.md); a pipeline's count is its worst counted run's.\n\n\
             | Pipeline | Checks passed | dbt tests passed / total | Silver rows | Status | \
             Failed checks (linked run) |\n|:---|---:|---:|---:|:---|:---|\n",
        );
        for p in &self.input.comparison.pipelines {
            let link = self.link_to(&p.row.run_dir);
            let linked = |text: String| match &link {
                Some(link) if text != "–" => format!("[{text}]({link})"),
                _ => text,
            };
            let checks = match (p.row.checks_passed, p.row.checks_total) {
                (Some(passed), Some(total)) => format!("{passed} / {total}"),
                _ => "–".to_string(),
            };
            let dbt = match (p.row.dbt_pass, p.row.dbt_tests) {
                (Some(passed), Some(total)) => format!("{passed} / {total}"),
                _ => "–".to_string(),
            };
            let silver = p
                .row
                .silver_rows
                .map_or_else(|| "–".to_string(), |s| s.to_string());
            let failed: Vec<String> = p
                .failed_checks
                .iter()
                .map(|f| match self.link_to(&f.run_dir) {
                    Some(link) => format!("[{}]({link})", f.text),
                    None => f.text.clone(),
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                self.pipeline_cell(p),
                linked(checks),
                linked(dbt),
                linked(silver),
                p.row.validation_status,
                if failed.is_empty() {
                    "–".to_string()
                } else {
                    failed.join("; ")
                }
            );
        }
        out.push('\n');
    }

    /// The stacks of every pipeline the report knows: its manifests, and for a pipeline
    /// without one here the stack its last run recorded (or the results row's parts).
    fn known(&self) -> Vec<Known> {
        let mut known: Vec<Known> = self.input.manifests.to_vec();
        for p in &self.input.comparison.pipelines {
            if known.iter().any(|k| k.id == p.id()) {
                continue;
            }
            let stack = match &p.record {
                Some(record) => record.pipeline.stack.clone(),
                None => [
                    ("ingestion", &p.row.ingestion),
                    ("processor", &p.row.processor),
                    ("storage", &p.row.storage),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            };
            known.push(Known {
                id: p.id().to_string(),
                stack,
            });
        }
        known
    }

    fn cross_cutting(&self, out: &mut String) {
        out.push_str("## Cross-cutting comparisons\n\n");
        let substituted: BTreeMap<&str, &PipelineResult> = self
            .input
            .comparison
            .pipelines
            .iter()
            .filter(|p| p.substituted())
            .map(|p| (p.id(), p))
            .collect();
        let by_id: BTreeMap<&str, &PipelineResult> = self
            .input
            .comparison
            .pipelines
            .iter()
            .filter(|p| !p.substituted())
            .map(|p| (p.id(), p))
            .collect();
        let known = self.known();
        let cuts = cross::derive(&known);
        if cuts.is_empty() {
            out.push_str("No two known pipelines differ in one part of their stack only.\n\n");
        }
        for cross::CrossCut {
            varies,
            title,
            sets,
        } in &cuts
        {
            let _ = writeln!(out, "### {title}\n");
            for set in sets {
                if *varies == "orchestrator" && self.overhead(set, &known, out) {
                    continue;
                }
                let names: Vec<&str> = set.iter().map(String::as_str).collect();
                let present: Vec<&PipelineResult> = set
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()).copied())
                    .collect();
                let missing: Vec<&str> = set
                    .iter()
                    .filter(|id| !by_id.contains_key(id.as_str()))
                    .map(String::as_str)
                    .collect();
                if present.len() < 2 {
                    let mut notes = Vec::new();
                    if !present.is_empty() {
                        let ids: Vec<&str> = present.iter().map(|p| p.id()).collect();
                        notes.push(format!("results for {} only", ids.join(", ")));
                    }
                    for p in set.iter().filter_map(|id| substituted.get(id.as_str())) {
                        notes.push(format!(
                            "{} ran on a substituted stack ({})",
                            p.id(),
                            p.substitution()
                        ));
                    }
                    let notes = if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join("; "))
                    };
                    let _ = writeln!(
                        out,
                        "- {}: not yet benchmarked{notes}.\n",
                        names.join(" vs ")
                    );
                    continue;
                }
                out.push_str(
                    "| Pipeline | E2E median [s] | 95 % CI [s] | Peak mem [MiB] | CPU [s] | \
                     Status |\n|:---|---:|:---|---:|---:|:---|\n",
                );
                for p in &present {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} |",
                        self.pipeline_cell(p),
                        self.figure(p, &E2E, 1),
                        self.interval_cell(p),
                        self.figure(p, comparison::metric("peak_mem_mb"), 0),
                        self.figure(p, comparison::metric("cpu_s"), 1),
                        p.row.validation_status
                    );
                }
                let best = |metric: &Metric| {
                    present
                        .iter()
                        .filter(|p| passed(p))
                        .filter_map(|p| Some((p.id(), p.median(metric)?)))
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(id, _)| id.to_string())
                };
                let mut notes = Vec::new();
                if let Some(fastest) = best(&E2E) {
                    notes.push(format!("fastest end to end: {fastest}"));
                }
                if let Some(lightest) = best(comparison::metric("peak_mem_mb")) {
                    notes.push(format!("lightest: {lightest}"));
                }
                if !missing.is_empty() {
                    notes.push(format!("not yet benchmarked: {}", missing.join(", ")));
                }
                let _ = writeln!(out, "\n{}.\n", notes.join("; "));
            }
        }
    }

    /// An orchestrated set as each orchestrated pipeline's overhead over the member that has
    /// no orchestrator; `false` (nothing written) when the set has no such member. Unlike the
    /// other comparisons this one takes substituted runs, when both sides ran on the same
    /// substitution: the orchestrator is what differs, on whatever stack both ran.
    fn overhead(&self, set: &[String], known: &[Known], out: &mut String) -> bool {
        let orchestrator = |id: &str| {
            known
                .iter()
                .find(|k| k.id == id)
                .and_then(|k| k.stack.get("orchestrator"))
                .map(String::as_str)
        };
        let Some(base_id) = set.iter().find(|id| orchestrator(id) == Some("none")) else {
            return false;
        };
        let result = |id: &str| {
            self.input
                .comparison
                .pipelines
                .iter()
                .find(|p| p.id() == id)
        };
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        let mut missing = Vec::new();
        for id in set.iter().filter(|id| *id != base_id) {
            let (Some(own), Some(base)) = (result(id), result(base_id)) else {
                missing.push(id.as_str());
                continue;
            };
            match overhead::of(own, base) {
                Ok(figures) => rows.push((own, figures)),
                Err(NotCompared::Substitutions {
                    own: used,
                    base: base_used,
                }) => {
                    let on = |s: &str| {
                        if s.is_empty() {
                            "the manifest's stack".to_string()
                        } else {
                            s.to_string()
                        }
                    };
                    notes.push(format!(
                        "{id} ran on {} and {base_id} on {}: not compared",
                        on(&used),
                        on(&base_used)
                    ));
                }
                Err(NotCompared::NoRuns) => missing.push(id.as_str()),
            }
        }
        if !rows.is_empty() {
            let _ = writeln!(
                out,
                "Each orchestrated pipeline against **{base_id}**, the stack it drives, on the \
                 same machine and the same substitutions. Δ E2E is the median of every \
                 difference between one of its runs and one of {base_id}'s (Hodges–Lehmann), \
                 with the distribution-free interval of that shift and its coverage; the other \
                 Δ columns are differences of medians. The orchestrator's services are those \
                 that ran in its stack and in none of {base_id}'s runs. A substituted stack \
                 measures the orchestrator on that stack: a cost, not a ranking.\n"
            );
            out.push_str(
                "| Pipeline | Runs (base) | Δ E2E [s] | Interval of Δ [s] | Δ startup [s] | \
                 Δ peak mem [MiB] | Δ CPU [s] | The orchestrator's services | Their peak \
                 [MiB] | Their CPU [s] |\n\
                 |:---|---:|---:|:---|---:|---:|---:|:---|---:|---:|\n",
            );
            let signed = |v: Option<f64>, decimals: usize| {
                v.map_or_else(|| "–".to_string(), |v| format!("{v:+.decimals$}"))
            };
            let plain = |v: Option<f64>, decimals: usize| {
                v.map_or_else(|| "–".to_string(), |v| format!("{v:.decimals$}"))
            };
            for (p, o) in &rows {
                let _ = writeln!(
                    out,
                    "| {} | {} ({}) | {:+.1} | {:+.1} … {:+.1} ({:.0} %) | {} | {} | {} | {} | {} | {} |",
                    self.pipeline_cell(p),
                    o.runs,
                    o.base_runs,
                    o.e2e.estimate,
                    o.e2e.low,
                    o.e2e.high,
                    o.e2e.confidence * 100.0,
                    signed(o.startup_s, 1),
                    signed(o.peak_mem_mb, 0),
                    signed(o.cpu_s, 1),
                    if o.services.is_empty() {
                        "–".to_string()
                    } else {
                        o.services.join(", ")
                    },
                    plain(o.services_peak_mb, 0),
                    plain(o.services_cpu_s, 1),
                );
            }
            out.push('\n');
        }
        if !missing.is_empty() {
            notes.push(if result(base_id).is_none() {
                format!("not yet benchmarked ({base_id}, the stack they drive, has no results)")
            } else {
                format!("not yet benchmarked: {}", missing.join(", "))
            });
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "- {}: {}.\n", set.join(" vs "), notes.join("; "));
        }
        true
    }

    fn noise(&self, out: &mut String) {
        let mut lines = Vec::new();
        for p in &self.input.comparison.pipelines {
            let times = p.values(&E2E);
            let Some(summary) = stats::summarize(&times) else {
                continue;
            };
            if summary.noisy {
                lines.push(format!(
                    "- {}: end-to-end time is noisy (robust spread {:.1} % over {} runs): \
                     differences smaller than that are not evidence.",
                    p.id(),
                    stats::MAD_TO_SIGMA * summary.mad / summary.median * 100.0,
                    summary.n
                ));
            }
            if let Some(advice) = OutlierAdvice::of(&times, p.warmups()) {
                let runs: Vec<String> = summary
                    .outliers
                    .iter()
                    .filter_map(|&i| p.runs.get(i))
                    .map(|r| match self.link_to(&r.run_dir) {
                        Some(link) => format!("[{:.1} s]({link})", r.e2e_s),
                        None => format!("{:.1} s", r.e2e_s),
                    })
                    .collect();
                lines.push(format!(
                    "- {}: outlier run(s) {}; {}.",
                    p.id(),
                    runs.join(", "),
                    advice.message()
                ));
            }
            if summary.n == 1 {
                lines.push(format!(
                    "- {}: a single run; its spread is unknown. Use `--runs 6` or more for an \
                     interval of the median.",
                    p.id()
                ));
            }
        }
        if !lines.is_empty() {
            out.push_str("## Noise and outliers\n\n");
            out.push_str(&lines.join("\n"));
            out.push_str("\n\n");
        }
    }

    fn environment(&self, out: &mut String) {
        out.push_str("## Environment\n\n");
        let mut environments: Vec<(String, Vec<&str>)> = Vec::new();
        let mut unknown = Vec::new();
        for p in &self.input.comparison.pipelines {
            let Some(env) = p.environment() else {
                unknown.push(p.id());
                continue;
            };
            let line = environment_row(env);
            match environments.iter_mut().find(|(l, _)| *l == line) {
                Some((_, ids)) => ids.push(p.id()),
                None => environments.push((line, vec![p.id()])),
            }
        }
        if !environments.is_empty() {
            out.push_str(
                "| Pipelines | rtde | git | Docker (API) | Compose | cgroup | CPU | Cores | Memory \
                 [GiB] | Kernel | OS |\n|:---|:---|:---|:---|:---|:---|:---|---:|---:|:---|:---|\n",
            );
            for (line, ids) in &environments {
                let _ = writeln!(out, "| {} {line}", ids.join(", "));
            }
            out.push('\n');
        }
        if !unknown.is_empty() {
            let _ = writeln!(
                out,
                "Environment unknown (run.json not available): {}.\n",
                unknown.join(", ")
            );
        }
    }

    fn warnings(&self, out: &mut String) {
        let warnings = &self.input.comparison.warnings;
        if !warnings.is_empty() {
            out.push_str("## Notes on the inputs\n\n");
            for w in warnings {
                let _ = writeln!(out, "- {w}");
            }
            out.push('\n');
        }
    }
}

/// The cells after "Pipelines" of an environment row.
fn environment_row(env: &Environment) -> String {
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_string());
    format!(
        "| {} | {} | {} ({}) | {} | {} {} | {} | {} | {} | {} | {} |",
        env.rtde_version,
        or_dash(&env.git_commit),
        or_dash(&env.docker_version),
        or_dash(&env.docker_api_version),
        or_dash(&env.compose),
        or_dash(&env.cgroup_version).replace('–', "v?"),
        or_dash(&env.cgroup_driver),
        or_dash(&env.cpu_model),
        env.cores,
        env.memory_bytes.map_or_else(
            || "–".to_string(),
            |b| format!("{:.1}", b as f64 / (1024.0 * 1024.0 * 1024.0))
        ),
        or_dash(&env.kernel),
        or_dash(&env.os)
    )
}

pub fn render(input: &ReportInput) -> String {
    Renderer { input }.render()
}
