//! Fold the runs of one `rtde bench` invocation into its results.csv row.
//!
//! Figures are medians over the counted runs (warm-ups excluded), because a median is not
//! dragged by the one slow run a shared machine produces now and then; the spread and the
//! interval of the end-to-end time travel with it so a reader can tell a real difference from
//! noise. How the interval is computed is in [`crate::results::stats`].

use std::collections::BTreeMap;

use crate::results::freshness;
use crate::results::record::{RunRecord, RunStatus};
use crate::results::runs_table::RunRow;
use crate::results::stats::{self, OutlierAdvice};
use crate::results::table::ResultRow;

/// The results row for `records` (one invocation, warm-ups included, in run order), whose run
/// folders are `run_dirs` (same order, relative to the project root).
pub fn row_from_runs(records: &[RunRecord], run_dirs: &[String]) -> ResultRow {
    let rows: Vec<RunRow> = records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let dir = run_dirs.get(i).map(String::as_str).unwrap_or_default();
            RunRow::from_record(record, dir)
        })
        .collect();
    let mut row = row_from_run_rows(&rows);
    if let Some(first) = records.first() {
        let stack = &first.pipeline.stack;
        let pick = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| stack.get(*k).cloned())
                .unwrap_or_default()
        };
        row.ingestion = pick(&["ingestion", "broker"]);
        row.processor = pick(&["processor"]);
        row.storage = pick(&["storage"]);
    }
    row.recorded_at = records
        .iter()
        .rev()
        .find(|r| !r.warmup)
        .map(|r| r.finished_at.to_rfc3339())
        .unwrap_or_default();
    row
}

/// The row of a pipeline that could not run here (its images cannot be had): status
/// SKIPPED, the reason in `notes`, no figures.
pub fn skipped_row(
    id: &str,
    name: &str,
    tier: &str,
    stack: &BTreeMap<String, String>,
    why: &str,
) -> ResultRow {
    let part = |key: &str| stack.get(key).cloned().unwrap_or_default();
    ResultRow {
        pipeline_id: id.to_string(),
        pipeline_name: name.to_string(),
        ingestion: part("ingestion"),
        processor: part("processor"),
        storage: part("storage"),
        validation_status: SKIPPED.to_string(),
        notes: why.to_string(),
        tier: tier.to_string(),
        recorded_at: chrono::Utc::now().to_rfc3339(),
        ..Default::default()
    }
}

/// The `validation_status` of a pipeline that could not run on this machine.
pub const SKIPPED: &str = "SKIPPED";

/// The medians and spreads over the counted rows of one pipeline, from the runs table (the
/// part of a results row that does not need the full run records).
pub fn row_from_run_rows(rows: &[RunRow]) -> ResultRow {
    let counted: Vec<&RunRow> = rows.iter().filter(|r| r.counted()).collect();
    let warmups = rows.len() - counted.len();
    let Some(last) = counted.last().copied().or(rows.last()) else {
        return ResultRow::default();
    };
    let median_of = |figure: fn(&RunRow) -> Option<f64>| {
        let values: Vec<f64> = counted.iter().filter_map(|r| figure(r)).collect();
        stats::median(&values).map(round_ms)
    };
    let e2e: Vec<f64> = counted.iter().map(|r| r.e2e_s).collect();
    let e2e_summary = stats::summarize(&e2e);
    let transform_s = median_of(|r| r.transform_s);
    let count_median = |figure: fn(&RunRow) -> Option<u64>| {
        let values: Vec<f64> = counted
            .iter()
            .filter_map(|r| figure(r).map(|v| v as f64))
            .collect();
        stats::median(&values).map(|m| m.round() as u64)
    };
    let first = |part: fn(&RunRow) -> &str| {
        counted
            .iter()
            .map(|r| part(r))
            .find(|b| !b.is_empty())
            .unwrap_or_default()
    };
    let substituted = first(|r| r.substituted_broker.as_str());
    let substituted_storage = first(|r| r.substituted_storage.as_str());
    let mut notes = Vec::new();
    if !substituted.is_empty() {
        notes.push(format!("broker substituted by {substituted}"));
    }
    if !substituted_storage.is_empty() {
        notes.push(format!("storage substituted by {substituted_storage}"));
    }
    if let Some(summary) = &e2e_summary {
        if summary.noisy {
            notes.push("e2e noisy (robust spread above 10 %)".to_string());
        }
        if let Some(advice) = OutlierAdvice::of(&e2e, warmups as u32) {
            notes.push(advice.message());
        }
    }
    ResultRow {
        pipeline_id: last.pipeline_id.clone(),
        pipeline_name: last.pipeline_name.clone(),
        startup_s: median_of(|r| Some(r.startup_s)),
        ingestion_s: median_of(|r| r.ingestion_s),
        processing_s: median_of(|r| r.processing_s),
        dbt_build_s: transform_s,
        e2e_total_s: e2e_summary.as_ref().map(|s| round_ms(s.median)),
        events: last.events,
        silver_rows: count_median(|r| r.silver_rows),
        containers: counted.iter().map(|r| r.containers).max(),
        dbt_tests: count_median(|r| r.dbt_total),
        dbt_pass: count_median(|r| r.dbt_pass),
        validation_status: worst_status(&counted).unwrap_or_else(|| last.status.clone()),
        notes: notes.join("; "),
        runs: Some(counted.len() as u32),
        e2e_min_s: e2e_summary.as_ref().map(|s| s.min),
        e2e_max_s: e2e_summary.as_ref().map(|s| s.max),
        e2e_ci_low_s: e2e_summary
            .as_ref()
            .and_then(|s| s.median_ci.map(|ci| ci.low)),
        e2e_ci_high_s: e2e_summary
            .as_ref()
            .and_then(|s| s.median_ci.map(|ci| ci.high)),
        prepare_s: median_of(|r| Some(r.prepare_s)),
        transform_s,
        serving_s: median_of(|r| r.serving_s),
        validation_s: median_of(|r| r.validation_s),
        harness_overhead_s: median_of(|r| Some(r.harness_overhead_s)),
        peak_mem_mb: median_of(|r| r.peak_mem_mb),
        cpu_s: median_of(|r| r.cpu_s),
        events_per_s: median_of(|r| r.events_per_s),
        // The worst run's count: a check that failed once is reported, not averaged away.
        checks_passed: counted.iter().map(|r| r.checks_passed).min(),
        checks_total: counted.iter().map(|r| r.checks_total).max(),
        tier: last.tier.clone(),
        run_id: last.run_id.clone(),
        run_dir: last.run_dir.clone(),
        recorded_at: last.started_at.clone(),
        run_ids: counted
            .iter()
            .map(|r| r.run_id.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        substituted_broker: substituted.to_string(),
        substituted_storage: substituted_storage.to_string(),
        ..Default::default()
    }
}

/// What the end of `rtde bench` shows for one pipeline, as hyperfine closes a benchmark:
/// the figures of [`row_from_run_rows`] with the end-to-end statistics and the warnings that
/// say what to do about noise or outliers.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchSummary {
    pub pipeline_id: String,
    pub pipeline_name: String,
    /// The pipeline's status over its counted runs (the worst one wins).
    pub status: String,
    pub runs: usize,
    pub warmups: usize,
    /// The end-to-end time over the counted runs; `None` when no run was counted.
    pub e2e: Option<stats::Summary>,
    /// The median of each stage category the runs had, in the order stages run.
    pub stages: Vec<(&'static str, f64)>,
    pub peak_mem_mb: Option<f64>,
    pub cpu_s: Option<f64>,
    pub checks_passed: Option<u32>,
    pub checks_total: Option<u32>,
    pub substituted_broker: String,
    /// Under a sustained load: the freshness of the counted sustained runs.
    pub freshness: Option<FreshnessSummary>,
    pub warnings: Vec<String>,
}

/// The freshness part of the closing summary of sustained runs (`rtde bench --rate`).
#[derive(Debug, Clone, PartialEq)]
pub struct FreshnessSummary {
    pub rate: f64,
    /// The counted sustained runs (load applied, passed).
    pub runs: usize,
    /// p50, p95 and p99 over those runs, each as the end-to-end time is summarised.
    pub percentiles: Vec<(&'static str, stats::Summary)>,
    /// results.csv's `sustained`: every counted run sustained its rate.
    pub sustained: String,
}

/// The closing summary of one pipeline's runs (one invocation, warm-ups included).
pub fn bench_summary(rows: &[RunRow]) -> BenchSummary {
    let row = row_from_run_rows(rows);
    let counted: Vec<f64> = rows
        .iter()
        .filter(|r| r.counted())
        .map(|r| r.e2e_s)
        .collect();
    let warmups = rows.len() - counted.len();
    let e2e = stats::summarize(&counted);
    let mut warnings = Vec::new();
    if let Some(summary) = e2e.as_ref().filter(|s| s.noisy) {
        warnings.push(format!(
            "the end-to-end time is noisy: its robust spread is {:.0} % of the median (above \
             {:.0} %), so differences smaller than that are not evidence; re-run on a quiet \
             machine or raise `--runs`",
            100.0 * stats::MAD_TO_SIGMA * summary.mad / summary.median,
            100.0 * stats::NOISY_RELATIVE_SPREAD
        ));
    }
    if let Some(advice) = OutlierAdvice::of(&counted, warmups as u32) {
        warnings.push(advice.message());
    }
    let freshness = rows.iter().any(|r| r.load_rate.is_some()).then(|| {
        let mut figures = ResultRow::default();
        freshness::fill_sustained(&mut figures, rows);
        FreshnessSummary {
            rate: figures.load_rate.unwrap_or_default(),
            runs: freshness::counted(rows).len(),
            percentiles: freshness::percentiles(rows),
            sustained: figures.sustained,
        }
    });
    if let Some((_, p99)) = freshness
        .iter()
        .flat_map(|f| &f.percentiles)
        .find(|(name, s)| *name == "p99" && s.noisy)
    {
        warnings.push(format!(
            "the freshness p99 is noisy: its robust spread is {:.0} % of the median (above \
             {:.0} %), so differences smaller than that are not evidence; re-run on a quiet \
             machine or raise `--runs`",
            100.0 * stats::MAD_TO_SIGMA * p99.mad / p99.median,
            100.0 * stats::NOISY_RELATIVE_SPREAD
        ));
    }
    let stages = [
        ("startup", row.startup_s),
        ("ingestion", row.ingestion_s),
        ("processing", row.processing_s),
        ("transform", row.transform_s),
        ("serving", row.serving_s),
        ("validation", row.validation_s),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect();
    BenchSummary {
        pipeline_id: row.pipeline_id,
        pipeline_name: row.pipeline_name,
        status: row.validation_status,
        runs: counted.len(),
        warmups,
        e2e,
        stages,
        peak_mem_mb: row.peak_mem_mb,
        cpu_s: row.cpu_s,
        checks_passed: row.checks_passed,
        checks_total: row.checks_total,
        substituted_broker: row.substituted_broker,
        freshness,
        warnings,
    }
}

/// Medians of millisecond figures are written to the millisecond: the averaging of an even
/// count must not print as 12.350000000000001 in results.csv.
fn round_ms(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// One failed run makes the pipeline FAIL even if the last passed, because a stack that
/// fails one time in three is not a passing stack; otherwise the last run's status stands.
fn worst_status(counted: &[&RunRow]) -> Option<String> {
    [RunStatus::Failed, RunStatus::CheckFailed]
        .into_iter()
        .map(RunStatus::label)
        .find(|bad| counted.iter().any(|r| r.status == *bad))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::runs_table::tests::record;

    fn dirs(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("runs/p01/r{i}")).collect()
    }

    #[test]
    fn medians_over_counted_runs_only() {
        let records = [
            record("w", 0, true, 90.0),
            record("a", 1, false, 30.0),
            record("b", 2, false, 34.0),
            record("c", 3, false, 31.0),
        ];
        let row = row_from_runs(&records, &dirs(4));
        assert_eq!(row.runs, Some(3));
        assert_eq!(row.e2e_total_s, Some(31.0));
        assert_eq!((row.e2e_min_s, row.e2e_max_s), (Some(30.0), Some(34.0)));
        // Three runs are too few for a 95 % interval of the median.
        assert_eq!(row.e2e_ci_low_s, None);
        assert_eq!(row.startup_s, Some(11.0));
        assert_eq!(row.dbt_build_s, Some(7.0));
        assert_eq!(row.transform_s, Some(7.0));
        assert_eq!(row.ingestion, "Kafka 4.0");
        assert_eq!(row.run_ids, "a b c");
        assert_eq!(row.run_dir, "runs/p01/r3");
        assert_eq!(row.validation_status, "PASS");
        assert_eq!((row.dbt_tests, row.dbt_pass), (Some(91), Some(91)));
        assert_eq!(row.events, Some(10000));
    }

    #[test]
    fn a_sustained_bench_summary_carries_each_percentile_and_warns_on_a_noisy_p99() {
        let sustained = |id: &str, p99: f64| RunRow {
            pipeline_id: "p20".into(),
            run_id: id.into(),
            status: "PASS".into(),
            load_rate: Some(2000.0),
            freshness_p50_s: Some(p99 / 2.0),
            freshness_p99_s: Some(p99),
            sustained: "yes".into(),
            ..RunRow::default()
        };
        let steady = bench_summary(&[
            sustained("a", 2.0),
            sustained("b", 2.02),
            sustained("c", 1.98),
        ]);
        let f = steady.freshness.expect("a sustained run's summary");
        assert_eq!((f.rate, f.runs, f.sustained.as_str()), (2000.0, 3, "yes"));
        let names: Vec<&str> = f.percentiles.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["p50", "p99"], "only what was measured");
        assert_eq!(f.percentiles[1].1.median, 2.0);
        assert!(steady.warnings.is_empty(), "{:?}", steady.warnings);

        let noisy = bench_summary(&[
            sustained("a", 1.0),
            sustained("b", 2.0),
            sustained("c", 3.0),
        ]);
        assert!(
            noisy
                .warnings
                .iter()
                .any(|w| w.starts_with("the freshness p99 is noisy")),
            "{:?}",
            noisy.warnings
        );
        let batch = bench_summary(&[RunRow {
            e2e_s: 30.0,
            ..RunRow::default()
        }]);
        assert_eq!(batch.freshness, None);
    }

    #[test]
    fn six_runs_give_an_interval() {
        let records: Vec<RunRecord> = (0..6)
            .map(|i| record(&format!("r{i}"), i, false, 30.0 + f64::from(i)))
            .collect();
        let row = row_from_runs(&records, &dirs(6));
        assert_eq!(row.e2e_ci_low_s, Some(30.0));
        assert_eq!(row.e2e_ci_high_s, Some(35.0));
    }

    #[test]
    fn a_skipped_pipeline_has_its_reason_and_no_figures() {
        let stack = BTreeMap::from([("ingestion".to_string(), "kafka".to_string())]);
        let row = skipped_row("p01", "Kafka", "core", &stack, "image `x` cannot be had");
        assert_eq!(row.validation_status, SKIPPED);
        assert_eq!(row.notes, "image `x` cannot be had");
        assert_eq!(
            (row.ingestion.as_str(), row.e2e_total_s, row.runs),
            ("kafka", None, None)
        );
    }

    #[test]
    fn one_failed_run_fails_the_pipeline() {
        let mut records = vec![record("a", 0, false, 30.0), record("b", 1, false, 30.0)];
        records[0].status = RunStatus::Failed;
        assert_eq!(row_from_runs(&records, &dirs(2)).validation_status, "FAIL");
        // A failed warm-up does not count.
        records[0].warmup = true;
        assert_eq!(row_from_runs(&records, &dirs(2)).validation_status, "PASS");
    }

    #[test]
    fn a_slow_first_run_is_noted_with_advice() {
        let records: Vec<RunRecord> = [60.0, 30.0, 30.5, 29.8, 30.2]
            .iter()
            .enumerate()
            .map(|(i, e2e)| record(&format!("r{i}"), i as u32, false, *e2e))
            .collect();
        let row = row_from_runs(&records, &dirs(5));
        assert!(row.notes.contains("--warmup 1"), "{}", row.notes);
    }

    fn rows(records: &[RunRecord]) -> Vec<RunRow> {
        records
            .iter()
            .map(|r| RunRow::from_record(r, "runs/p01/x"))
            .collect()
    }

    #[test]
    fn the_bench_summary_carries_the_statistics_and_the_advice() {
        let records: Vec<RunRecord> = [60.0, 30.0, 30.5, 29.8, 30.2]
            .iter()
            .enumerate()
            .map(|(i, e2e)| record(&format!("r{i}"), i as u32, false, *e2e))
            .collect();
        let summary = bench_summary(&rows(&records));
        assert_eq!((summary.runs, summary.warmups), (5, 0));
        let e2e = summary.e2e.as_ref().unwrap();
        assert_eq!((e2e.median, e2e.min, e2e.max), (30.2, 29.8, 60.0));
        assert_eq!(e2e.median_ci, None, "five runs have no 95 % interval");
        assert_eq!(summary.status, "PASS");
        assert_eq!(
            summary.stages.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            ["startup", "ingestion", "processing", "transform"]
        );
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert!(summary.warnings[0].contains("--warmup 1"));
    }

    #[test]
    fn a_noisy_bench_is_warned_about_and_warm_ups_are_not_counted() {
        let records: Vec<RunRecord> = [90.0, 20.0, 30.0, 40.0]
            .iter()
            .enumerate()
            .map(|(i, e2e)| record(&format!("r{i}"), i as u32, i == 0, *e2e))
            .collect();
        let summary = bench_summary(&rows(&records));
        assert_eq!((summary.runs, summary.warmups), (3, 1));
        assert_eq!(summary.e2e.as_ref().unwrap().max, 40.0);
        assert!(
            summary
                .warnings
                .iter()
                .any(|w| w.contains("noisy") && w.contains("49 %")),
            "{:?}",
            summary.warnings
        );
    }
}
