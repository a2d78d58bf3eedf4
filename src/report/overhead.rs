//! What an orchestrator costs on top of the stack it drives: an orchestrated pipeline's runs
//! against its base stack's runs, on the same machine and the same substitutions.
//!
//! The end-to-end difference is the Hodges–Lehmann shift with its distribution-free interval
//! (`stats::shift_ci`), not a difference of two medians whose spread nobody knows. Memory and
//! CPU are differences of medians, and the orchestrator's own services (those that ran only in
//! the orchestrated stack: its server, scheduler, metadata database) are shown apart, since
//! what the orchestrator adds to the stack's peak depends on when its peak falls.
//!
//! Pure: it takes loaded results and returns figures; `markdown` renders them.

use std::collections::BTreeSet;

use crate::results::comparison::{self, E2E, PipelineResult};
use crate::results::stats::{self, ShiftInterval};

/// The orchestrated pipeline against its base, when both have counted runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Overhead {
    pub runs: usize,
    pub base_runs: usize,
    pub e2e: ShiftInterval,
    /// Startup (compose up until healthy, outside the clock): the difference of the medians.
    pub startup_s: Option<f64>,
    pub peak_mem_mb: Option<f64>,
    pub cpu_s: Option<f64>,
    /// The services that ran in the orchestrated stack and in none of the base's runs.
    pub services: Vec<String>,
    /// Their peak working sets summed, per run, then the median over the runs.
    pub services_peak_mb: Option<f64>,
    /// Their CPU time summed, per run, then the median over the runs.
    pub services_cpu_s: Option<f64>,
}

/// Why two pipelines are not compared.
#[derive(Debug, Clone, PartialEq)]
pub enum NotCompared {
    /// They ran with different substitutions (e.g. one on tansu, one on Kafka): the difference
    /// would measure the broker as much as the orchestrator.
    Substitutions { own: String, base: String },
    /// One side has no counted end-to-end times.
    NoRuns,
}

/// The overhead of `orchestrated` over `base`.
pub fn of(orchestrated: &PipelineResult, base: &PipelineResult) -> Result<Overhead, NotCompared> {
    if orchestrated.substitution() != base.substitution() {
        return Err(NotCompared::Substitutions {
            own: orchestrated.substitution(),
            base: base.substitution(),
        });
    }
    let (times, base_times) = (orchestrated.values(&E2E), base.values(&E2E));
    let e2e = stats::shift_ci(&times, &base_times, stats::CONFIDENCE).ok_or(NotCompared::NoRuns)?;
    let difference = |key: &str| {
        let metric = comparison::metric(key);
        Some(stats::median(&orchestrated.values(metric))? - stats::median(&base.values(metric))?)
    };
    let base_services: BTreeSet<&String> =
        base.services.iter().flat_map(|run| run.keys()).collect();
    let services: BTreeSet<&String> = orchestrated
        .services
        .iter()
        .flat_map(|run| run.keys())
        .filter(|service| !base_services.contains(service))
        .collect();
    let per_run = |figure: fn(&comparison::ServiceUse) -> f64| {
        let sums: Vec<f64> = orchestrated
            .services
            .iter()
            .map(|run| {
                run.iter()
                    .filter(|(name, _)| services.contains(name))
                    .map(|(_, used)| figure(used))
                    .sum()
            })
            .collect();
        stats::median(&sums)
    };
    Ok(Overhead {
        runs: times.len(),
        base_runs: base_times.len(),
        e2e,
        startup_s: difference("startup_s"),
        peak_mem_mb: difference("peak_mem_mb"),
        cpu_s: difference("cpu_s"),
        services_peak_mb: per_run(|used| used.peak_mb),
        services_cpu_s: per_run(|used| used.cpu_s),
        services: services.into_iter().cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::results::comparison::ServiceUse;
    use crate::results::runs_table::RunRow;
    use crate::results::table::ResultRow;

    fn pipeline(id: &str, e2e: &[f64], peak: f64, services: &[(&str, f64, f64)]) -> PipelineResult {
        let runs = e2e
            .iter()
            .map(|&e2e_s| RunRow {
                pipeline_id: id.into(),
                e2e_s,
                startup_s: 10.0,
                peak_mem_mb: Some(peak),
                cpu_s: Some(e2e_s / 2.0),
                ..RunRow::default()
            })
            .collect();
        let per_run: BTreeMap<String, ServiceUse> = services
            .iter()
            .map(|&(name, peak_mb, cpu_s)| (name.to_string(), ServiceUse { peak_mb, cpu_s }))
            .collect();
        PipelineResult {
            row: ResultRow {
                pipeline_id: id.into(),
                substituted_broker: "tansu".into(),
                ..ResultRow::default()
            },
            runs,
            sustained_runs: Vec::new(),
            record: None,
            samples: Vec::new(),
            failed_checks: Vec::new(),
            services: vec![per_run; e2e.len()],
        }
    }

    #[test]
    fn the_overhead_is_the_shift_over_the_base_and_the_orchestrators_own_services() {
        let base = pipeline(
            "p01",
            &[100.0, 104.0, 102.0],
            1000.0,
            &[("jobmanager", 600.0, 20.0), ("dbt", 300.0, 30.0)],
        );
        let airflow = pipeline(
            "p08",
            &[130.0, 128.0, 140.0],
            1500.0,
            &[
                ("jobmanager", 610.0, 21.0),
                ("dbt", 290.0, 29.0),
                ("airflow", 450.0, 40.0),
            ],
        );
        let overhead = of(&airflow, &base).unwrap();
        // Differences 130 128 140 − 100 104 102: 30 26 28 / 28 24 26 / 40 36 38, sorted
        // 24 26 26 28 28 30 36 38 40 → median 28, the full range 24 … 40 (90 %).
        assert_eq!(overhead.e2e.estimate, 28.0);
        assert_eq!((overhead.e2e.low, overhead.e2e.high), (24.0, 40.0));
        assert_eq!((overhead.runs, overhead.base_runs), (3, 3));
        assert_eq!(overhead.peak_mem_mb, Some(500.0));
        // CPU is half the end-to-end time in this fixture: medians 65 and 51.
        assert_eq!(overhead.cpu_s, Some(14.0));
        assert_eq!(overhead.startup_s, Some(0.0));
        assert_eq!(overhead.services, ["airflow"]);
        assert_eq!(overhead.services_peak_mb, Some(450.0));
        assert_eq!(overhead.services_cpu_s, Some(40.0));
    }

    #[test]
    fn stacks_on_different_substitutions_are_not_compared() {
        let base = pipeline("p01", &[100.0], 1000.0, &[]);
        let mut airflow = pipeline("p08", &[130.0], 1500.0, &[]);
        airflow.row.substituted_broker = String::new();
        assert_eq!(
            of(&airflow, &base),
            Err(NotCompared::Substitutions {
                own: String::new(),
                base: "tansu".into()
            })
        );
        let mut empty = pipeline("p08", &[], 1500.0, &[]);
        empty.row.substituted_broker = "tansu".into();
        assert_eq!(of(&empty, &base), Err(NotCompared::NoRuns));
    }
}
