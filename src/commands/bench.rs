//! `rtde bench` and `rtde bench-all`: sweep, then each pipeline's warm-up and measured runs,
//! with the results table rewritten after every run (a later failure never loses earlier
//! results).
//!
//! The tables live in the results folder `--out` names, beside its run records, so an
//! ad-hoc run never touches the curated comparison. An interrupted run is in neither table
//! (its record stays in its folder): it measured nothing, and must not replace a row. A
//! pipeline whose images cannot be had here is, under `--continue-on-error`, a SKIPPED row
//! with the reason, and the run goes on.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, bail};

use super::{Context, overrides, require_broker};
use crate::cli::{BenchAllArgs, BenchArgs, LoadOptions, RunOptions, SamplerChoice};
use crate::error::Error;
use crate::exit;
use crate::freshness::pacing::LoadSpec;
use crate::manifest::Pipeline;
use crate::output::Event;
use crate::paths::under_root;
use crate::results::record::{RunRecord, RunStatus};
use crate::results::runs_table::{self, RunRow};
use crate::results::{freshness, summary, table};
use crate::run::runner::RunSpec;
use crate::run::search::{self, SearchOptions, SearchSpec};
use crate::run::sustained;
use crate::sample::{Method, SamplerConfig};

pub async fn bench(ctx: &Context, args: BenchArgs) -> Result<i32> {
    let pipelines = ctx.load(&args.ids)?;
    require_broker(&pipelines, args.options.broker.as_deref())?;
    run_all(ctx, &pipelines, &args.options, false).await
}

pub async fn bench_all(ctx: &Context, args: BenchAllArgs) -> Result<i32> {
    let wanted = |id: &str, list: &[String]| {
        list.iter().any(|w| {
            let n = w.trim_start_matches(['p', 'P']);
            n.parse::<u32>().ok() == id[1..].parse::<u32>().ok()
        })
    };
    let ids: Vec<String> = ctx
        .all_ids()?
        .into_iter()
        .filter(|id| args.only.is_empty() || wanted(id, &args.only))
        .filter(|id| !wanted(id, &args.skip))
        .collect();
    let pipelines: Vec<Pipeline> = ctx
        .load(&ids)?
        .into_iter()
        .filter(|p| args.tier.as_ref().is_none_or(|t| &p.tier == t))
        .collect();
    // Under a sustained load, only the pipelines that declare how (`sustained:`) run.
    let load = &args.options.load;
    let pipelines: Vec<Pipeline> = if load.rate.is_some() || load.find_max_rate {
        pipelines
            .into_iter()
            .filter(|p| {
                if p.sustained.is_none() {
                    ctx.reporter.event(Event::Warning(format!(
                        "{} declares no `sustained:` section; left out of the sustained runs",
                        p.id
                    )));
                }
                p.sustained.is_some()
            })
            .collect()
    } else {
        pipelines
    };
    if pipelines.is_empty() {
        return Err(Error::InvalidInput(
            "no pipeline matches the selection; `rtde list` shows ids and tiers".into(),
        )
        .into());
    }
    run_all(ctx, &pipelines, &args.options, args.continue_on_error).await
}

/// The load `--rate`, `--duration` and `--probe-interval` ask for; `None` in batch mode.
fn load_spec(options: &LoadOptions) -> Result<Option<LoadSpec>> {
    let probe_interval = parse_duration("--probe-interval", &options.probe_interval)?;
    let (Some(rate), Some(duration)) = (options.rate, &options.duration) else {
        return Ok(None);
    };
    if !(rate.is_finite() && rate > 0.0) {
        bail!(Error::InvalidInput(format!(
            "--rate must be a positive number of events per second, got {rate}"
        )));
    }
    Ok(Some(LoadSpec {
        rate,
        duration: parse_duration("--duration", duration)?,
        probe_interval,
    }))
}

/// What `--find-max-rate` is asked for: `--slo-p99`, `--step-duration`, `--start-rate`.
fn search_options(options: &LoadOptions) -> Result<SearchOptions> {
    if !(options.start_rate.is_finite() && options.start_rate > 0.0) {
        bail!(Error::InvalidInput(format!(
            "--start-rate must be a positive number of events per second, got {}",
            options.start_rate
        )));
    }
    Ok(SearchOptions {
        slo_p99: parse_duration("--slo-p99", &options.slo_p99)?,
        step_duration: parse_duration("--step-duration", &options.step_duration)?,
        start_rate: options.start_rate,
        probe_interval: parse_duration("--probe-interval", &options.probe_interval)?,
    })
}

/// A duration flag, zero refused.
fn parse_duration(flag: &str, text: &str) -> Result<Duration> {
    match crate::manifest::duration::parse(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => bail!(Error::InvalidInput(format!("{flag} must be above zero"))),
        Err(e) => bail!(Error::InvalidInput(format!("{flag}: {e}"))),
    }
}

async fn run_all(
    ctx: &Context,
    pipelines: &[Pipeline],
    options: &RunOptions,
    continue_on_error: bool,
) -> Result<i32> {
    let vars = overrides(
        &options.vars,
        options.events,
        options.seed,
        options.broker.as_deref(),
    )?;
    let load = load_spec(&options.load)?;
    let search = options
        .load
        .find_max_rate
        .then(|| search_options(&options.load))
        .transpose()?;
    if load.is_some() || search.is_some() {
        for pipeline in pipelines {
            sustained::check_pipeline(pipeline, &vars)?;
        }
    }
    let harness = ctx.harness().await?;
    ctx.sweep(&harness.engine).await?;
    let out_dir = under_root(&ctx.root, &options.out);
    let results_path = options.results.as_ref().map_or_else(
        || out_dir.join("results.csv"),
        |path| under_root(&ctx.root, path),
    );
    // Every run's figures, warm-ups included, beside the results table.
    let runs_path = results_path.with_file_name("runs.csv");
    let sampling = (!options.no_sample).then(|| SamplerConfig {
        method: match options.sampler {
            SamplerChoice::Auto => Method::Auto,
            SamplerChoice::Cgroup => Method::Cgroup,
            SamplerChoice::Stats => Method::Stats,
        },
        interval: Duration::from_millis(options.sample_interval),
    });
    if let Some(options) = search {
        let spec = SearchSpec {
            harness: &harness,
            vars: &vars,
            out_dir: &out_dir,
            results_path: &results_path,
            runs_path: &runs_path,
            root: &ctx.root,
            sampling,
            options,
        };
        return search::find_max_rate(&spec, pipelines).await;
    }
    let total = options.warmup + options.runs;
    let mut code = exit::OK;
    let mut skipped = false;
    let mut benches: Vec<Bench> = pipelines
        .iter()
        .map(|pipeline| Bench::new(ctx, pipeline, &vars, load.as_ref()))
        .collect();
    for (at, index) in order(benches.len(), total, options.interleave) {
        let bench = &mut benches[at];
        if bench.ended {
            continue;
        }
        let pipeline = bench.pipeline;
        let spec = RunSpec {
            pipeline,
            overrides: &bench.own,
            out_dir: &out_dir,
            keep_up: options.keep_up && index + 1 == total,
            run_index: index,
            total_runs: total,
            warmup: index < options.warmup,
            sampling,
            load,
        };
        let outcome = match harness.run(&spec).await {
            Ok(outcome) => outcome,
            Err(e) if continue_on_error && unavailable(&e) => {
                let why = format!("{e:#}");
                ctx.reporter
                    .event(Event::Warning(format!("{} skipped: {why}", pipeline.id)));
                let row = summary::skipped_row(
                    &pipeline.id,
                    &pipeline.name,
                    &pipeline.tier,
                    &pipeline.stack,
                    &why,
                );
                table::upsert(&results_path, row)?;
                skipped = true;
                bench.ended = true;
                continue;
            }
            Err(e) => return Err(e),
        };
        let status = outcome.record.status;
        if status == RunStatus::Interrupted {
            return Ok(exit::INTERRUPTED);
        }
        let environment_error = outcome.environment_error;
        bench.dirs.push(
            outcome
                .run_dir
                .strip_prefix(&ctx.root)
                .unwrap_or(&outcome.run_dir)
                .display()
                .to_string(),
        );
        runs_table::upsert(
            &runs_path,
            &outcome.record,
            bench.dirs.last().expect("just pushed"),
        )?;
        bench.records.push(outcome.record);
        if load.is_some() {
            freshness::upsert_sustained(&results_path, &bench.rows())?;
        } else if bench.records.iter().any(|r| !r.warmup) {
            table::upsert(
                &results_path,
                summary::row_from_runs(&bench.records, &bench.dirs),
            )?;
        }
        if let Some(why) = environment_error {
            return Err(Error::Environment(why).into());
        }
        let failed = status != RunStatus::Passed;
        if !failed && index + 1 < total {
            continue;
        }
        bench.ended = true;
        ctx.reporter
            .event(Event::BenchSummary(Box::new(summary::bench_summary(
                &bench.rows(),
            ))));
        if failed {
            code = exit::FAILED;
            if !continue_on_error && pipelines.len() > 1 {
                ctx.reporter.event(Event::Warning(format!(
                    "{} failed; stopping (pass --continue-on-error to go on)",
                    pipeline.id
                )));
                break;
            }
        }
    }
    // A failed pipeline says more about the pipelines than a skipped one does about this
    // machine, so it decides the code when there are both.
    if skipped && code == exit::OK {
        code = exit::ENVIRONMENT;
    }
    Ok(code)
}

/// One pipeline's runs so far in a bench.
struct Bench<'p> {
    pipeline: &'p Pipeline,
    /// Only the pipeline's own variables reach its run: `bench-all --broker tansu` must not
    /// record a broker on a pipeline that has none (it would read as a substitution).
    own: BTreeMap<String, String>,
    records: Vec<RunRecord>,
    dirs: Vec<String>,
    /// Its runs are over: all done, one failed, or it was skipped.
    ended: bool,
}

impl<'p> Bench<'p> {
    fn new(
        ctx: &Context,
        pipeline: &'p Pipeline,
        vars: &BTreeMap<String, String>,
        load: Option<&LoadSpec>,
    ) -> Bench<'p> {
        for name in vars.keys() {
            if !pipeline.variables.contains_key(name) {
                ctx.reporter.event(Event::Warning(format!(
                    "{} has no variable `{name}`; the value is not used",
                    pipeline.id
                )));
            }
        }
        let mut own: BTreeMap<String, String> = vars
            .iter()
            .filter(|(name, _)| pipeline.variables.contains_key(*name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        if let Some(load) = load {
            own.insert("events".into(), load.events().to_string());
        }
        Bench {
            pipeline,
            own,
            records: Vec::new(),
            dirs: Vec::new(),
            ended: false,
        }
    }

    fn rows(&self) -> Vec<RunRow> {
        self.records
            .iter()
            .zip(&self.dirs)
            .map(|(record, dir)| RunRow::from_record(record, dir))
            .collect()
    }
}

/// The (pipeline, run index) pairs in the order they run: each pipeline's runs together, or
/// with `interleave` in rounds (every pipeline's run 0, then every pipeline's run 1, …).
fn order(pipelines: usize, runs: u32, interleave: bool) -> Vec<(usize, u32)> {
    if interleave {
        (0..runs)
            .flat_map(|index| (0..pipelines).map(move |at| (at, index)))
            .collect()
    } else {
        (0..pipelines)
            .flat_map(|at| (0..runs).map(move |index| (at, index)))
            .collect()
    }
}

/// The run could not even start because an image of its stack cannot be had here.
fn unavailable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<Error>(),
            Some(Error::ImagesUnavailable(_))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_runs_go_in_rounds_and_the_others_pipeline_by_pipeline() {
        assert_eq!(
            order(2, 3, false),
            [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
        );
        assert_eq!(
            order(2, 3, true),
            [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]
        );
        assert_eq!(order(1, 2, true), order(1, 2, false));
    }
}
