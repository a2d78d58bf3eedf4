//! Rendering events: a live spinner on a terminal, plain lines elsewhere.
//!
//! Whether to draw a spinner is decided once, by [`Style::resolve`], from inputs passed in
//! (is stdout a terminal, is this CI) so the decision is testable, as nextest does it. Some
//! CI systems pretend to be terminals, so `CI` set means plain lines regardless.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::{Event, ImageRow};
use crate::results::stats;
use crate::results::summary::BenchSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A spinner with the current pipeline, stage and elapsed time.
    Live,
    /// One timestamped line per event.
    Plain,
}

impl Style {
    /// | terminal | CI  | style |
    /// |----------|-----|-------|
    /// | yes      | no  | Live  |
    /// | yes      | yes | Plain |
    /// | no       | any | Plain |
    pub fn resolve(is_terminal: bool, is_ci: bool) -> Style {
        if is_terminal && !is_ci {
            Style::Live
        } else {
            Style::Plain
        }
    }
}

pub trait Reporter: Send + Sync {
    fn event(&self, event: Event);
}

/// The reporter for the terminal or a log.
pub struct Console {
    style: Style,
    started: Instant,
    spinner: Mutex<Option<ProgressBar>>,
}

impl Console {
    pub fn new(style: Style) -> Console {
        Console {
            style,
            started: Instant::now(),
            spinner: Mutex::new(None),
        }
    }

    fn line(&self, text: &str) {
        let guard = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(bar) => bar.println(text),
            None => {
                let elapsed = self.started.elapsed().as_secs_f64();
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "[{elapsed:>8.2}s] {text}");
            }
        }
    }

    fn spin(&self, message: String) {
        if self.style != Style::Live {
            return;
        }
        let mut guard = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        let bar = guard.get_or_insert_with(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .expect("a constant template parses"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message);
    }

    fn stop_spinner(&self) {
        if let Some(bar) = self
            .spinner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.finish_and_clear();
        }
    }
}

/// A spinner message cut to this many characters, so that it stays on one line.
const SPINNER_WIDTH: usize = 110;

fn shorten(text: &str) -> String {
    match text.char_indices().nth(SPINNER_WIDTH) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The table that closes `rtde images build`: image, what happened, seconds, and the total.
pub fn image_table(rows: &[ImageRow]) -> String {
    let image_w = rows
        .iter()
        .map(|r| r.image.chars().count())
        .chain(["image".len()])
        .max()
        .unwrap_or(0);
    let result_w = rows
        .iter()
        .map(|r| r.result.chars().count())
        .chain(["result".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:image_w$}  {:result_w$}  {:>8}\n",
        "image", "result", "seconds"
    );
    for r in rows {
        out.push_str(&format!(
            "{:image_w$}  {:result_w$}  {:>8.1}\n",
            r.image, r.result, r.seconds
        ));
    }
    let total: f64 = rows.iter().map(|r| r.seconds).sum();
    out.push_str(&format!(
        "{:image_w$}  {:result_w$}  {total:>8.1}",
        "total", ""
    ));
    out
}

/// The closing summary of one pipeline's runs, as hyperfine closes a benchmark: the
/// end-to-end median with its interval (min–max, with what it covers, below six runs), the
/// stage medians, memory, CPU, checks, then the warnings with their advice. Plain text, the
/// same on a terminal and in CI.
pub fn bench_summary_text(s: &BenchSummary) -> String {
    let mut runs = format!("{} run{}", s.runs, if s.runs == 1 { "" } else { "s" });
    if s.warmups > 0 {
        runs.push_str(&format!(
            " (+{} warm-up{} not counted)",
            s.warmups,
            if s.warmups == 1 { "" } else { "s" }
        ));
    }
    let mut out = format!(
        "{} ({}): {}, {runs}{}\n",
        s.pipeline_id,
        s.pipeline_name,
        s.status,
        if s.substituted_broker.is_empty() {
            String::new()
        } else {
            format!(", broker substituted by {}", s.substituted_broker)
        }
    );
    let seconds = |v: f64| format!("{v:.3} s");
    match &s.e2e {
        None => out.push_str("  end to end: no counted run\n"),
        Some(e) => {
            let spread = spread(e);
            let sigma = e
                .stddev
                .map(|sd| format!(", mean {} ± {}", seconds(e.mean), seconds(sd)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  end to end: median {}{sigma}\n              {spread}\n",
                seconds(e.median)
            ));
        }
    }
    if !s.stages.is_empty() {
        let stages: Vec<String> = s
            .stages
            .iter()
            .map(|(name, v)| format!("{name} {}", seconds(*v)))
            .collect();
        out.push_str(&format!("  stages (medians): {}\n", stages.join(", ")));
    }
    let mut figures = Vec::new();
    if let Some(m) = s.peak_mem_mb {
        figures.push(format!("peak memory {m:.1} MiB"));
    }
    if let Some(c) = s.cpu_s {
        figures.push(format!("CPU {c:.2} s"));
    }
    if let (Some(p), Some(t)) = (s.checks_passed, s.checks_total) {
        figures.push(format!("checks {p}/{t} passed"));
    }
    if !figures.is_empty() {
        out.push_str(&format!("  {}\n", figures.join(", ")));
    }
    if let Some(f) = &s.freshness {
        out.push_str(&format!(
            "  freshness at {} events/s: {} counted sustained run{}, sustained: {}\n",
            f.rate,
            f.runs,
            if f.runs == 1 { "" } else { "s" },
            if f.sustained.is_empty() {
                "-"
            } else {
                &f.sustained
            }
        ));
        for (name, p) in &f.percentiles {
            out.push_str(&format!(
                "    {name} median {}, {}\n",
                seconds(p.median),
                spread(p)
            ));
        }
    }
    for w in &s.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
}

/// How far a median can be trusted: the 95 % interval of the median from six runs, the
/// range with what it covers below, nothing from one run.
fn spread(e: &stats::Summary) -> String {
    let seconds = |v: f64| format!("{v:.3} s");
    match (&e.median_ci, e.n) {
        (Some(ci), _) => format!(
            "95 % interval of the median [{} … {}] ({:.1} % coverage)",
            seconds(ci.low),
            seconds(ci.high),
            100.0 * ci.confidence
        ),
        (None, 1) => "one run: its spread is unknown".to_string(),
        (None, n) => format!(
            "range [{} … {}] (covers the median with {:.1} %; 6 runs give a 95 % interval)",
            seconds(e.min),
            seconds(e.max),
            100.0 * stats::range_coverage(n)
        ),
    }
}

/// One check's result line: `p90: check `rows produced` passed (rows = 42, got 42)`.
pub fn check_line(
    pipeline: &str,
    check: &str,
    passed: bool,
    expected: &str,
    actual: Option<f64>,
) -> String {
    format!(
        "{pipeline}: check `{check}` {} ({expected}, got {})",
        if passed { "passed" } else { "FAILED" },
        actual.map_or("nothing".into(), |a| a.to_string())
    )
}

/// Seconds with millisecond resolution, the unit every figure of rtde uses.
pub fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

impl Reporter for Console {
    fn event(&self, event: Event) {
        match event {
            Event::RunStarted {
                pipeline,
                index,
                total,
                warmup,
                project,
            } => {
                let kind = if warmup { "warm-up run" } else { "run" };
                self.line(&format!(
                    "{pipeline}: {kind} {}/{total} (project {project})",
                    index + 1
                ));
                self.spin(format!("{pipeline}: starting"));
            }
            Event::Phase { pipeline, phase } => {
                if self.style == Style::Plain {
                    self.line(&format!("{pipeline}: {phase}"));
                }
                self.spin(format!("{pipeline}: {phase}"));
            }
            Event::StageStarted {
                pipeline,
                stage,
                index,
                total,
            } => {
                if self.style == Style::Plain {
                    self.line(&format!("{pipeline}: stage {}/{total} {stage}", index + 1));
                }
                self.spin(format!("{pipeline}: stage {}/{total} {stage}", index + 1));
            }
            Event::StageFinished {
                pipeline,
                stage,
                status,
                duration,
            } => self.line(&format!(
                "{pipeline}: {stage} {status} in {}",
                secs(duration)
            )),
            Event::CheckFinished {
                pipeline,
                check,
                passed,
                expected,
                actual,
            } => self.line(&check_line(&pipeline, &check, passed, &expected, actual)),
            Event::RunFinished {
                pipeline,
                status,
                e2e,
                run_dir,
                error,
            } => {
                self.stop_spinner();
                self.line(&format!(
                    "{pipeline}: {status}, end to end {} — record in {run_dir}",
                    secs(e2e)
                ));
                if let Some(error) = error {
                    self.line(&format!("{pipeline}: {error}"));
                }
            }
            Event::Step { what, step } => {
                if self.style == Style::Plain {
                    self.line(&format!("{what}: {step}"));
                }
                self.spin(shorten(&format!("{what}: {step}")));
            }
            Event::ImagesBuilt(rows) => {
                self.stop_spinner();
                for line in image_table(&rows).lines() {
                    self.line(line);
                }
            }
            Event::BenchSummary(summary) => {
                self.stop_spinner();
                for line in bench_summary_text(&summary).lines() {
                    self.line(line);
                }
            }
            Event::Warning(text) => self.line(&format!("warning: {text}")),
            Event::Note(text) => self.line(&text),
            Event::Document(text) => {
                self.stop_spinner();
                let _ = std::io::stdout().lock().write_all(text.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinner_only_on_a_terminal_outside_ci() {
        assert_eq!(Style::resolve(true, false), Style::Live);
        assert_eq!(Style::resolve(true, true), Style::Plain);
        assert_eq!(Style::resolve(false, false), Style::Plain);
        assert_eq!(Style::resolve(false, true), Style::Plain);
    }

    #[test]
    fn the_image_table_lines_up_and_totals() {
        let rows = [
            ImageRow {
                image: "rtde-local/debian:bookworm".into(),
                result: "up to date".into(),
                seconds: 0.04,
            },
            ImageRow {
                image: "rtde/dbt:1.11.16".into(),
                result: "built".into(),
                seconds: 91.24,
            },
        ];
        let table = image_table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("image ") && lines[0].ends_with(" seconds"));
        assert_eq!(lines[1], "rtde-local/debian:bookworm  up to date       0.0");
        assert_eq!(lines[2], "rtde/dbt:1.11.16            built           91.2");
        assert!(
            lines[3].starts_with("total") && lines[3].ends_with("91.3"),
            "{table}"
        );
    }

    fn summary(e2e: &[f64], warnings: Vec<String>) -> BenchSummary {
        BenchSummary {
            pipeline_id: "p00".into(),
            pipeline_name: "Batch baseline".into(),
            status: "PASS".into(),
            runs: e2e.len(),
            warmups: 1,
            e2e: stats::summarize(e2e),
            stages: vec![("ingestion", 1.5), ("transform", 12.25)],
            peak_mem_mb: Some(412.34),
            cpu_s: Some(18.2),
            checks_passed: Some(3),
            checks_total: Some(3),
            substituted_broker: String::new(),
            freshness: None,
            warnings,
        }
    }

    #[test]
    fn a_sustained_bench_closes_with_each_freshness_percentile_and_its_spread() {
        let mut s = summary(&[60.0, 61.0, 62.0], vec![]);
        s.freshness = Some(crate::results::summary::FreshnessSummary {
            rate: 2000.0,
            runs: 3,
            percentiles: vec![
                ("p50", stats::summarize(&[0.5, 0.6, 0.55]).unwrap()),
                ("p99", stats::summarize(&[1.0, 1.2, 1.1]).unwrap()),
            ],
            sustained: "yes".into(),
        });
        let text = bench_summary_text(&s);
        assert!(
            text.contains(
                "  freshness at 2000 events/s: 3 counted sustained runs, sustained: yes\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("    p99 median 1.100 s, range [1.000 s … 1.200 s]"),
            "{text}"
        );
    }

    #[test]
    fn a_short_bench_closes_with_its_range_and_what_it_covers() {
        let text = bench_summary_text(&summary(
            &[20.0, 21.0, 19.5],
            vec!["the first run was much slower".into()],
        ));
        assert!(
            text.starts_with("p00 (Batch baseline): PASS, 3 runs (+1 warm-up not counted)\n"),
            "{text}"
        );
        assert!(
            text.contains("median 20.000 s, mean 20.167 s ± 0.764 s"),
            "{text}"
        );
        assert!(
            text.contains("range [19.500 s … 21.000 s] (covers the median with 75.0 %"),
            "{text}"
        );
        assert!(text.contains("stages (medians): ingestion 1.500 s, transform 12.250 s"));
        assert!(text.contains("peak memory 412.3 MiB, CPU 18.20 s, checks 3/3 passed"));
        assert!(
            text.ends_with("  warning: the first run was much slower\n"),
            "{text}"
        );
    }

    #[test]
    fn six_runs_close_with_the_interval_of_the_median_and_one_run_with_no_spread() {
        let text = bench_summary_text(&summary(&[30.0, 31.0, 32.0, 33.0, 34.0, 35.0], vec![]));
        assert!(
            text.contains("95 % interval of the median [30.000 s … 35.000 s] (96.9 % coverage)"),
            "{text}"
        );
        assert!(!text.contains("warning"), "{text}");
        let one = bench_summary_text(&summary(&[30.0], vec![]));
        assert!(one.contains("one run: its spread is unknown"), "{one}");
        assert!(!one.contains('±'), "{one}");
    }

    #[test]
    fn a_check_line_says_what_was_expected_and_what_came() {
        assert_eq!(
            check_line(
                "p90",
                "the job agrees",
                true,
                "job_rows = rows (42)",
                Some(42.0)
            ),
            "p90: check `the job agrees` passed (job_rows = rows (42), got 42)"
        );
        assert_eq!(
            check_line("p90", "rows", false, "rows = 9", None),
            "p90: check `rows` FAILED (rows = 9, got nothing)"
        );
    }

    #[test]
    fn long_spinner_messages_are_cut_on_a_character_boundary() {
        let long = "é".repeat(200);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), SPINNER_WIDTH + 1);
        assert_eq!(shorten("short"), "short");
    }
}
