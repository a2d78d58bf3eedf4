//! `rtde bench ID --find-max-rate [--slo-p99 10s]`: the highest rate a stack sustains.
//!
//! Each step is a short sustained run. A rate passes when the run passed its checks (the
//! load was applied, Silver drained and equals the oracle, dead letters, Gold), its lag did
//! not grow (Theodolite's criterion: the trend after warm-up) and its p99 freshness is
//! within the SLO. The search doubles the rate from `--start-rate` while steps pass (halving
//! while they fail, when the first one does), then bisects between the highest passing and
//! the lowest failing rate until they are within [`PRECISION`] of each other, or
//! [`MAX_STEPS`] runs were made. A step whose generator could not keep its schedule ends
//! the search: above that rate this machine cannot apply the load, whatever the stack does.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use super::runner::{Harness, RunSpec};
use crate::exit;
use crate::freshness::pacing::LoadSpec;
use crate::manifest::Pipeline;
use crate::output::Event;
use crate::results::record::{RunRecord, RunStatus};
use crate::results::{freshness, runs_table};
use crate::sample::SamplerConfig;

/// Bisection stops when the failing rate is within 10 % above the passing one.
pub const PRECISION: f64 = 0.10;
/// At most this many sustained runs per pipeline.
pub const MAX_STEPS: usize = 10;
/// Halving stops below this rate: a stack that sustains less is reported as sustaining none.
pub const MIN_RATE: f64 = 10.0;

/// One rate tried.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub rate: f64,
    pub passed: bool,
    /// Why it failed (checks, lag growth, SLO, generator).
    pub reason: Option<String>,
    pub p99_s: Option<f64>,
    pub lag_slope: Option<f64>,
    pub run_dir: String,
}

/// The search's result for one pipeline (`max-rate.json` in its results folder).
#[derive(Debug, Clone, Serialize)]
pub struct MaxRate {
    pub pipeline: String,
    pub slo_p99_s: f64,
    pub step_duration_s: f64,
    /// The highest rate that passed; `None` when none did.
    pub max_rate: Option<f64>,
    /// The search stopped because the generator could not apply a rate.
    pub limited_by_generator: bool,
    pub steps: Vec<Step>,
}

/// The search's state: the highest passing and the lowest failing rate so far.
#[derive(Debug, Default)]
pub struct Search {
    pub passing: Option<f64>,
    pub failing: Option<f64>,
}

impl Search {
    /// Takes a step's verdict; the next rate to try, or `None` when the search is done.
    pub fn next(&mut self, rate: f64, passed: bool) -> Option<f64> {
        if passed {
            self.passing = Some(self.passing.map_or(rate, |p| p.max(rate)));
        } else {
            self.failing = Some(self.failing.map_or(rate, |f| f.min(rate)));
        }
        match (self.passing, self.failing) {
            (Some(p), None) => Some(p * 2.0),
            (None, Some(f)) => (f / 2.0 >= MIN_RATE).then_some(f / 2.0),
            (Some(p), Some(f)) => (f > p * (1.0 + PRECISION)).then(|| ((p + f) / 2.0).round()),
            (None, None) => unreachable!("a verdict was just taken"),
        }
    }
}

/// Why a finished step fails the search, or `None` when it passes.
fn verdict(record: &RunRecord, slo_p99_s: f64) -> Option<String> {
    let Some(f) = &record.freshness else {
        return Some(
            record
                .error
                .clone()
                .unwrap_or_else(|| "no freshness measured".into()),
        );
    };
    if !f.valid {
        return Some("the generator could not keep its schedule".into());
    }
    if record.status != RunStatus::Passed {
        return Some(
            record
                .error
                .clone()
                .unwrap_or_else(|| record.status.label().into()),
        );
    }
    if !f.freshness.sustained {
        return Some(format!(
            "lag grew ({:+.3} s/s after warm-up)",
            f.freshness.lag_slope.unwrap_or(f64::NAN)
        ));
    }
    match f.freshness.p99_s {
        Some(p99) if p99 <= slo_p99_s => None,
        Some(p99) => Some(format!("p99 {p99:.2} s above the SLO of {slo_p99_s} s")),
        None => Some("no Silver row was seen".into()),
    }
}

/// `max-rate.json` in the pipeline's results folder, and its results.csv column.
fn write_result(
    spec: &SearchSpec<'_>,
    result: &mut MaxRate,
    search: &Search,
    last_row: Option<&runs_table::RunRow>,
) -> Result<std::path::PathBuf> {
    result.max_rate = search.passing;
    if let Some(row) = last_row {
        freshness::set_max_rate(spec.results_path, row, result.max_rate)?;
    }
    let path = spec.out_dir.join(&result.pipeline).join("max-rate.json");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, serde_json::to_vec_pretty(result)?)?;
    Ok(path)
}

/// What a search is asked for: typed, so the command line stays in `commands/bench.rs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchOptions {
    /// The p99 freshness a sustained rate must stay within.
    pub slo_p99: Duration,
    /// Each step's duration.
    pub step_duration: Duration,
    /// The first rate tried (events/s).
    pub start_rate: f64,
    /// How often the probe counts Silver in each step.
    pub probe_interval: Duration,
}

/// Everything a search needs from `rtde bench`.
pub struct SearchSpec<'a> {
    pub harness: &'a Harness,
    pub vars: &'a BTreeMap<String, String>,
    pub out_dir: &'a Path,
    pub results_path: &'a Path,
    pub runs_path: &'a Path,
    pub root: &'a Path,
    pub sampling: Option<SamplerConfig>,
    pub options: SearchOptions,
}

/// Searches each pipeline's highest sustained rate; `exit::FAILED` when one sustains none.
pub async fn find_max_rate(spec: &SearchSpec<'_>, pipelines: &[Pipeline]) -> Result<i32> {
    let mut code = exit::OK;
    for pipeline in pipelines {
        let mut search = Search::default();
        let mut result = MaxRate {
            pipeline: pipeline.id.clone(),
            slo_p99_s: spec.options.slo_p99.as_secs_f64(),
            step_duration_s: spec.options.step_duration.as_secs_f64(),
            max_rate: None,
            limited_by_generator: false,
            steps: Vec::new(),
        };
        let mut rate = Some(spec.options.start_rate);
        let mut last_row = None;
        while let Some(r) = rate {
            if result.steps.len() == MAX_STEPS {
                break;
            }
            let load = LoadSpec {
                rate: r,
                duration: spec.options.step_duration,
                probe_interval: spec.options.probe_interval,
            };
            let mut own: BTreeMap<String, String> = spec
                .vars
                .iter()
                .filter(|(name, _)| pipeline.variables.contains_key(*name))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            own.insert("events".into(), load.events().to_string());
            let run = RunSpec {
                pipeline,
                overrides: &own,
                out_dir: spec.out_dir,
                keep_up: false,
                run_index: result.steps.len() as u32,
                total_runs: MAX_STEPS as u32,
                warmup: false,
                sampling: spec.sampling,
                load: Some(load),
            };
            let outcome = spec.harness.run(&run).await?;
            if outcome.record.status == RunStatus::Interrupted {
                return Ok(exit::INTERRUPTED);
            }
            let dir = outcome
                .run_dir
                .strip_prefix(spec.root)
                .unwrap_or(&outcome.run_dir)
                .display()
                .to_string();
            runs_table::upsert(spec.runs_path, &outcome.record, &dir)?;
            last_row = Some(runs_table::RunRow::from_record(&outcome.record, &dir));
            let reason = verdict(&outcome.record, spec.options.slo_p99.as_secs_f64());
            let fresh = outcome.record.freshness.as_ref().map(|f| &f.freshness);
            spec.harness.reporter.event(Event::Note(format!(
                "{} at {r} events/s: {} (p99 {}, lag slope {})",
                pipeline.id,
                reason.as_deref().unwrap_or("sustained"),
                fresh
                    .and_then(|f| f.p99_s)
                    .map_or("-".into(), |p| format!("{p:.2} s")),
                fresh
                    .and_then(|f| f.lag_slope)
                    .map_or("-".into(), |s| format!("{s:+.3} s/s")),
            )));
            let generator_limited = outcome.record.freshness.as_ref().is_some_and(|f| !f.valid);
            result.steps.push(Step {
                rate: r,
                passed: reason.is_none(),
                p99_s: fresh.and_then(|f| f.p99_s),
                lag_slope: fresh.and_then(|f| f.lag_slope),
                reason: reason.clone(),
                run_dir: dir,
            });
            if generator_limited {
                result.limited_by_generator = true;
                break;
            }
            rate = search.next(r, reason.is_none());
            // Rewritten after every step: an interrupted search keeps what it found.
            write_result(spec, &mut result, &search, last_row.as_ref())?;
        }
        let path = write_result(spec, &mut result, &search, last_row.as_ref())?;
        spec.harness.reporter.event(Event::Note(format!(
            "{}: highest sustained rate {} (p99 within {} s, lag not growing; {} steps{}); {}",
            pipeline.id,
            result
                .max_rate
                .map_or("none".to_string(), |r| format!("{r} events/s")),
            result.slo_p99_s,
            result.steps.len(),
            if result.limited_by_generator {
                ", stopped where the generator could not keep its schedule"
            } else {
                ""
            },
            path.display()
        )));
        if result.max_rate.is_none() {
            code = exit::FAILED;
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rates a search tries against a stack that sustains up to `capacity`.
    fn tried(start: f64, capacity: f64) -> (Vec<f64>, Option<f64>) {
        let mut search = Search::default();
        let mut rates = Vec::new();
        let mut rate = Some(start);
        while let Some(r) = rate {
            assert!(rates.len() < 40, "{rates:?}");
            rates.push(r);
            rate = search.next(r, r <= capacity);
        }
        (rates, search.passing)
    }

    #[test]
    fn doubling_then_bisection_brackets_the_capacity() {
        let (rates, best) = tried(500.0, 3000.0);
        assert_eq!(&rates[..4], &[500.0, 1000.0, 2000.0, 4000.0]);
        let best = best.unwrap();
        assert!(
            (3000.0 / (1.0 + PRECISION)..=3000.0).contains(&best),
            "{rates:?}"
        );
    }

    #[test]
    fn a_first_failure_halves_and_a_stack_that_sustains_nothing_ends() {
        let (rates, best) = tried(500.0, 100.0);
        assert_eq!(&rates[..3], &[500.0, 250.0, 125.0]);
        assert!(best.unwrap() <= 100.0);
        let (rates, best) = tried(40.0, 0.0);
        assert_eq!(rates, [40.0, 20.0, 10.0]);
        assert_eq!(best, None);
    }
}
