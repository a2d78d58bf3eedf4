//! What a comparison is made of: each pipeline's results row, the counted runs behind it and,
//! where the run folder is at hand, its run record and memory samples.
//!
//! Loading is the only I/O here; the report, the charts and the exporters are functions of
//! the loaded [`Comparison`], which keeps them testable from fixed inputs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path};

use anyhow::{Context, Result};

use crate::error::Error;
use crate::results::baseline::{Better, Side};
use crate::results::record::{Environment, RunRecord};
use crate::results::runs_table::{self, RunRow};
use crate::results::stats::{self, Summary};
use crate::results::table::{self, ResultRow};

/// One metric that rtde compares, with where to find it in a run row and in a results row.
pub struct Metric {
    /// The key used in exports and baselines.
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub better: Better,
    pub of_run: fn(&RunRow) -> Option<f64>,
    pub of_row: fn(&ResultRow) -> Option<f64>,
    /// A figure of the sustained runs (`rtde bench --rate`), not of the batch ones: its runs
    /// are the row's `freshness_run_ids`.
    pub sustained: bool,
    /// The interval around the row's median results.csv keeps (the 95 % interval of the
    /// median, else the range), for a baseline without per-run figures.
    pub interval: fn(&ResultRow) -> Option<(f64, f64)>,
}

/// The 95 % interval of the median when there is one, else the range.
fn interval(
    ci: (Option<f64>, Option<f64>),
    range: (Option<f64>, Option<f64>),
) -> Option<(f64, f64)> {
    ci.0.zip(ci.1).or_else(|| range.0.zip(range.1))
}

pub const E2E: Metric = Metric {
    key: "e2e_s",
    label: "end-to-end",
    unit: "s",
    better: Better::Lower,
    of_run: |r| Some(r.e2e_s),
    of_row: |r| r.e2e_total_s,
    sustained: false,
    interval: |r| {
        interval(
            (r.e2e_ci_low_s, r.e2e_ci_high_s),
            (r.e2e_min_s, r.e2e_max_s),
        )
    },
};

/// Every compared metric, in report order: end-to-end, the stages, resources, throughput.
pub const METRICS: [Metric; 10] = [
    E2E,
    Metric {
        key: "startup_s",
        label: "startup",
        unit: "s",
        better: Better::Lower,
        of_run: |r| Some(r.startup_s),
        of_row: |r| r.startup_s,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "ingestion_s",
        label: "ingestion",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.ingestion_s,
        of_row: |r| r.ingestion_s,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "processing_s",
        label: "processing",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.processing_s,
        of_row: |r| r.processing_s,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "transform_s",
        label: "transform",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.transform_s,
        of_row: |r| r.transform_s.or(r.dbt_build_s),
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "serving_s",
        label: "serving",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.serving_s,
        of_row: |r| r.serving_s,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "validation_s",
        label: "validation",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.validation_s,
        of_row: |r| r.validation_s,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "peak_mem_mb",
        label: "peak memory",
        unit: "MiB",
        better: Better::Lower,
        of_run: |r| r.peak_mem_mb,
        of_row: |r| r.peak_mem_mb,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "cpu_s",
        label: "CPU",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.cpu_s,
        of_row: |r| r.cpu_s,
        sustained: false,
        interval: |_| None,
    },
    Metric {
        key: "events_per_s",
        label: "ingest rate",
        unit: "events/s",
        better: Better::Higher,
        of_run: |r| r.events_per_s,
        of_row: |r| r.events_per_s,
        sustained: false,
        interval: |_| None,
    },
];

/// The freshness percentiles of the sustained runs (docs/metrics.md), judged against a
/// baseline like the batch metrics when both sides ran at the same rate.
pub const FRESHNESS: [Metric; 3] = [
    Metric {
        key: "freshness_p50_s",
        label: "freshness p50",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.freshness_p50_s,
        of_row: |r| r.freshness_p50_s,
        sustained: true,
        interval: |r| {
            interval(
                (r.freshness_p50_ci_low_s, r.freshness_p50_ci_high_s),
                (r.freshness_p50_min_s, r.freshness_p50_max_s),
            )
        },
    },
    Metric {
        key: "freshness_p95_s",
        label: "freshness p95",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.freshness_p95_s,
        of_row: |r| r.freshness_p95_s,
        sustained: true,
        interval: |r| {
            interval(
                (r.freshness_p95_ci_low_s, r.freshness_p95_ci_high_s),
                (r.freshness_p95_min_s, r.freshness_p95_max_s),
            )
        },
    },
    Metric {
        key: "freshness_p99_s",
        label: "freshness p99",
        unit: "s",
        better: Better::Lower,
        of_run: |r| r.freshness_p99_s,
        of_row: |r| r.freshness_p99_s,
        sustained: true,
        interval: |r| {
            interval(
                (r.freshness_p99_ci_low_s, r.freshness_p99_ci_high_s),
                (r.freshness_p99_min_s, r.freshness_p99_max_s),
            )
        },
    },
];

/// The stage categories of the stacked bars, in stacking order.
pub const STAGE_METRICS: [&str; 6] = [
    "startup_s",
    "ingestion_s",
    "processing_s",
    "transform_s",
    "serving_s",
    "validation_s",
];

pub fn metric(key: &str) -> &'static Metric {
    METRICS
        .iter()
        .chain(&FRESHNESS)
        .find(|m| m.key == key)
        .expect("metric keys are the constants above")
}

/// One memory sample of one container (a samples.csv line).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct MemorySample {
    pub t_offset_ms: u64,
    pub service: String,
    pub container: String,
    pub mem_working_set_bytes: u64,
    pub mem_usage_bytes: u64,
    pub cpu_usec_total: u64,
}

/// One pipeline in the comparison.
#[derive(Debug, Clone)]
pub struct PipelineResult {
    pub row: ResultRow,
    /// The counted runs behind the row, in run order (empty when the runs table is missing).
    pub runs: Vec<RunRow>,
    /// The counted sustained runs behind the row's freshness figures, in run order.
    pub sustained_runs: Vec<RunRow>,
    /// The record of the row's run (`run_dir`), when its run.json could be read.
    pub record: Option<RunRecord>,
    /// That run's memory samples (samples.csv beside run.json), when present.
    pub samples: Vec<MemorySample>,
    /// Checks that failed in any counted run, read from those runs' run.json files.
    pub failed_checks: Vec<FailedCheck>,
    /// Each counted run's resources per service, in run order, for the runs whose run.json
    /// could be read (what an orchestrator's own containers cost over the stack it drives).
    pub services: Vec<BTreeMap<String, ServiceUse>>,
}

/// One service's resources in one run, over its containers (a one-off service may have had
/// several): the highest peak working set of any of them and their CPU time together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServiceUse {
    pub peak_mb: f64,
    pub cpu_s: f64,
}

fn services_of(record: &RunRecord) -> BTreeMap<String, ServiceUse> {
    let mut services: BTreeMap<String, ServiceUse> = BTreeMap::new();
    for container in record.resources.iter().flat_map(|r| &r.containers) {
        let used = services.entry(container.service.clone()).or_default();
        used.peak_mb = used
            .peak_mb
            .max(container.peak_working_set_bytes as f64 / (1024.0 * 1024.0));
        used.cpu_s += container.cpu_s;
    }
    services
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailedCheck {
    pub run_dir: String,
    /// "name: expected …, got …".
    pub text: String,
}

fn failed_checks_of(record: &RunRecord, run_dir: &str) -> Vec<FailedCheck> {
    record
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| FailedCheck {
            run_dir: run_dir.to_string(),
            text: match c.actual {
                Some(actual) => format!("{}: expected {}, got {}", c.name, c.expected, actual),
                None => format!("{}: expected {}, never captured", c.name, c.expected),
            },
        })
        .collect()
}

impl PipelineResult {
    pub fn id(&self) -> &str {
        &self.row.pipeline_id
    }

    /// "p01 kafka-flink-iceberg" (hyperfine's `command`).
    pub fn label(&self) -> String {
        format!("{} {}", self.row.pipeline_id, self.row.pipeline_name)
            .trim()
            .to_string()
    }

    /// The counted runs' figures for a metric, in run order.
    pub fn values(&self, metric: &Metric) -> Vec<f64> {
        self.runs_of(metric)
            .iter()
            .filter_map(metric.of_run)
            .collect()
    }

    /// The runs a metric is measured on: the sustained ones for freshness, else the batch ones.
    fn runs_of(&self, metric: &Metric) -> &[RunRow] {
        if metric.sustained {
            &self.sustained_runs
        } else {
            &self.runs
        }
    }

    pub fn summary(&self, metric: &Metric) -> Option<Summary> {
        stats::summarize(&self.values(metric))
    }

    /// The number of counted runs (from the row when the runs table has none).
    pub fn run_count(&self) -> u32 {
        self.row.runs.unwrap_or(self.runs.len() as u32)
    }

    /// The median of a metric: from the results row (what results.csv says), else the runs.
    pub fn median(&self, metric: &Metric) -> Option<f64> {
        (metric.of_row)(&self.row).or_else(|| self.summary(metric).map(|s| s.median))
    }

    /// The run whose figure is the median (the nearest one for an even count): a median
    /// figure links to that run. Falls back to the row's run folder.
    pub fn run_dir_for(&self, metric: &Metric) -> &str {
        let target = self.median(metric);
        target
            .and_then(|target| {
                self.runs
                    .iter()
                    .filter_map(|r| (metric.of_run)(r).map(|v| (r, (v - target).abs())))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(r, _)| r.run_dir.as_str())
            })
            .unwrap_or(&self.row.run_dir)
    }

    /// The run whose figure is exactly `value` (an interval bound or an extreme is one run's
    /// figure), when the runs are known.
    pub fn run_dir_with(&self, metric: &Metric, value: f64) -> Option<&str> {
        self.runs
            .iter()
            .find(|r| (metric.of_run)(r) == Some(value))
            .map(|r| r.run_dir.as_str())
    }

    /// This pipeline as one side of a baseline comparison. The results row decides which
    /// metrics were measured (a hyperfine baseline has the end-to-end time only).
    pub fn side(&self, metric: &Metric) -> Option<Side> {
        let median = (metric.of_row)(&self.row)?;
        let runs = if metric.sustained {
            self.row
                .freshness_runs
                .unwrap_or(self.sustained_runs.len() as u32)
        } else {
            self.run_count()
        };
        Some(Side {
            runs,
            median,
            values: self.values(metric),
            interval: (metric.interval)(&self.row),
        })
    }

    /// Warm-up runs before the counted ones: run indices count warm-ups first, so the first
    /// counted run's index is their number.
    pub fn warmups(&self) -> u32 {
        self.runs.iter().map(|r| r.run_index).min().unwrap_or(0)
    }

    /// A run whose broker or storage stood in for the manifest's: another stack, never ranked.
    pub fn substituted(&self) -> bool {
        !self.row.substituted_broker.is_empty() || !self.row.substituted_storage.is_empty()
    }

    /// What stood in for the manifest's stack, e.g. `tansu` or `tansu, files storage`.
    pub fn substitution(&self) -> String {
        let mut parts = Vec::new();
        if !self.row.substituted_broker.is_empty() {
            parts.push(self.row.substituted_broker.clone());
        }
        if !self.row.substituted_storage.is_empty() {
            parts.push(format!("{} storage", self.row.substituted_storage));
        }
        parts.join(", ")
    }

    pub fn environment(&self) -> Option<&Environment> {
        self.record.as_ref().map(|r| &r.environment)
    }
}

/// Everything `rtde compare` looks at.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Sorted by pipeline id.
    pub pipelines: Vec<PipelineResult>,
    /// Problems met while loading that do not stop the report (a missing run.json).
    pub warnings: Vec<String>,
}

/// Where the inputs are.
pub struct Sources<'a> {
    pub root: &'a Path,
    pub results: &'a Path,
    pub runs_table: &'a Path,
}

/// Load a comparison. A missing, empty or unreadable results file is invalid input (exit 2):
/// there is nothing to compare, and the message says how to get something.
pub fn load(sources: &Sources) -> Result<Comparison> {
    let results = sources.results;
    if !results.exists() {
        return Err(Error::InvalidInput(format!(
            "results file {} does not exist: run `rtde bench <id>` first, or pass \
             --results FILE",
            results.display()
        ))
        .into());
    }
    let rows = table::read(results)
        .with_context(|| format!("reading results file {}", results.display()))?;
    if rows.is_empty() {
        return Err(Error::InvalidInput(format!(
            "results file {} has no rows: run `rtde bench <id>` first, or pass --results FILE",
            results.display()
        ))
        .into());
    }
    let run_rows = runs_table::read(sources.runs_table)
        .with_context(|| format!("reading runs table {}", sources.runs_table.display()))?;
    let mut warnings = Vec::new();
    if !sources.runs_table.exists() {
        warnings.push(format!(
            "no runs table at {}: spreads and rank tests need it, so only the medians and \
             intervals of results.csv are used",
            sources
                .runs_table
                .strip_prefix(sources.root)
                .unwrap_or(sources.runs_table)
                .display()
        ));
    }
    let by_id: BTreeMap<&str, &RunRow> = run_rows.iter().map(|r| (r.run_id.as_str(), r)).collect();
    let mut pipelines: Vec<PipelineResult> = rows
        .into_iter()
        .map(|row| {
            let runs: Vec<RunRow> = row
                .run_ids
                .split_whitespace()
                .filter_map(|id| by_id.get(id).map(|r| (*r).clone()))
                .collect();
            let sustained_runs: Vec<RunRow> = row
                .freshness_run_ids
                .split_whitespace()
                .filter_map(|id| by_id.get(id).map(|r| (*r).clone()))
                .collect();
            let (record, samples) = read_run_folder(sources.root, &row.run_dir, &mut warnings);
            let mut failed_checks = Vec::new();
            let mut services = Vec::new();
            for run in &runs {
                if run.run_dir == row.run_dir {
                    services.extend(record.as_ref().map(services_of));
                    continue;
                }
                let (other, _) = read_run_folder(sources.root, &run.run_dir, &mut warnings);
                if let Some(other) = other {
                    if run.checks_passed < run.checks_total {
                        failed_checks.extend(failed_checks_of(&other, &run.run_dir));
                    }
                    services.push(services_of(&other));
                }
            }
            if let Some(record) = &record {
                failed_checks.extend(failed_checks_of(record, &row.run_dir));
            }
            PipelineResult {
                row,
                runs,
                sustained_runs,
                record,
                samples,
                failed_checks,
                services,
            }
        })
        .collect();
    pipelines.sort_by(|a, b| a.row.pipeline_id.cmp(&b.row.pipeline_id));
    Ok(Comparison {
        pipelines,
        warnings,
    })
}

fn read_run_folder(
    root: &Path,
    run_dir: &str,
    warnings: &mut Vec<String>,
) -> (Option<RunRecord>, Vec<MemorySample>) {
    if run_dir.is_empty() {
        return (None, Vec::new());
    }
    let dir = root.join(run_dir);
    let record_path = dir.join("run.json");
    let record = match fs::read_to_string(&record_path) {
        Ok(text) => match serde_json::from_str::<RunRecord>(&text) {
            Ok(record) => Some(record),
            Err(e) => {
                warnings.push(format!("{run_dir}/run.json is not a run record ({e})"));
                None
            }
        },
        Err(_) => {
            warnings.push(format!(
                "{run_dir}/run.json is missing: environment and memory chart left out for \
                 this run"
            ));
            None
        }
    };
    let samples_path = dir.join("samples.csv");
    let samples = if samples_path.exists() {
        match read_samples(&samples_path) {
            Ok(samples) => samples,
            Err(e) => {
                warnings.push(format!("{run_dir}/samples.csv skipped: {e:#}"));
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    (record, samples)
}

pub fn read_samples(path: &Path) -> Result<Vec<MemorySample>> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("opening samples {}", path.display()))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.with_context(|| format!("{}:{}: not a samples row", path.display(), i + 2))
        })
        .collect()
}

/// A relative link from a file in `from_dir` to `to` (both relative to the same root, or
/// both absolute), with `/` separators as Markdown wants.
pub fn relative_link(from_dir: &Path, to: &Path) -> String {
    let from = normalize(from_dir);
    let to = normalize(to);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to[common..].iter().cloned());
    parts.join("/")
}

fn normalize(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop();
            }
            Component::RootDir | Component::Prefix(_) => parts.clear(),
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_substituted_broker_or_storage_keeps_a_run_out_of_the_ranking() {
        let result = |broker: &str, storage: &str| PipelineResult {
            row: ResultRow {
                substituted_broker: broker.into(),
                substituted_storage: storage.into(),
                ..Default::default()
            },
            runs: Vec::new(),
            sustained_runs: Vec::new(),
            record: None,
            samples: Vec::new(),
            failed_checks: Vec::new(),
            services: Vec::new(),
        };
        assert!(!result("", "").substituted());
        assert_eq!(result("tansu", "").substitution(), "tansu");
        let both = result("tansu", "files");
        assert!(both.substituted());
        assert_eq!(both.substitution(), "tansu, files storage");
        assert!(result("", "files").substituted());
    }

    #[test]
    fn links_climb_out_of_the_report_folder() {
        assert_eq!(
            relative_link(
                Path::new("pipelines/comparison"),
                Path::new("runs/p01/x/run.json")
            ),
            "../../runs/p01/x/run.json"
        );
        assert_eq!(
            relative_link(Path::new("./out"), Path::new("out/stages.svg")),
            "stages.svg"
        );
    }

    #[test]
    fn missing_and_empty_results_are_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let results = dir.path().join("results.csv");
        let runs = dir.path().join("runs.csv");
        let sources = Sources {
            root: dir.path(),
            results: &results,
            runs_table: &runs,
        };
        let err = load(&sources).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
        assert!(format!("{err:#}").contains("does not exist"));
        fs::write(&results, "").unwrap();
        let err = load(&sources).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
        assert!(format!("{err:#}").contains("has no rows"));
    }
}
