//! `rtde up`, `rtde stage`, `rtde status`, `rtde down`: working on a pipeline's stack by
//! hand, step by step.
//!
//! Stacks started this way (and by `bench --keep-up`) carry `rtde.keep=true`, so the crash
//! sweep never removes them; `rtde down` is how they go. Like the sweep, these commands see
//! only the stacks of their own rtde instance (`RTDE_INSTANCE`), so two users or test runs
//! sharing an engine never stop each other's stacks. `rtde up` records the stack's
//! variables in its folder (`run::stepwise`), which `rtde stage` runs stages with and
//! `rtde down` tears down with.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::Result;

use super::{Context, overrides, require_broker};
use crate::cli::{StackArgs, StageArgs};
use crate::engine::docker::{Engine, PROJECT_LABEL, labels};
use crate::error::Error;
use crate::exit;
use crate::output::Event;
use crate::run::guard::StackGuard;
use crate::run::owner::instance;
use crate::run::record::RunStatus;
use crate::run::runner::{compose_project, new_run_id, variables};
use crate::run::stepwise::{self, StackRecord, stack_dir};

pub async fn up(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    require_broker(std::slice::from_ref(&pipeline), args.broker.as_deref())?;
    let harness = ctx.harness().await?;
    let run_id = new_run_id();
    let project_name = format!("rtde-{}-{run_id}", pipeline.id);
    let dir = stack_dir(&ctx.root, &pipeline.id, &run_id);
    std::fs::create_dir_all(&dir)?;
    let given = overrides(&args.vars, None, None, args.broker.as_deref())?;
    let vars = variables(
        &harness.compose,
        &pipeline,
        &given,
        &ctx.root,
        &run_id,
        &project_name,
        &dir,
    );
    let labels = harness.owner.labels(&run_id, &pipeline.id, true);
    let stack = harness
        .stack(&pipeline, &project_name, &vars, &dir, &labels)
        .await?;
    harness.prepare(&stack).await?;
    let guard = StackGuard::new(
        stack.project.clone(),
        stack.all_profiles.clone(),
        &harness.active,
    );
    stack
        .project
        .up(
            &stack.up_profiles,
            &stack.model.services_for(&stack.up_profiles),
        )
        .await?;
    harness.wait_ready(&stack, pipeline.startup_timeout).await?;
    guard.keep();
    StackRecord {
        pipeline: pipeline.id.clone(),
        project: project_name.clone(),
        run_id,
        started_at: chrono::Utc::now(),
        overrides: given,
        variables: vars,
    }
    .write(&dir)?;
    ctx.reporter.event(Event::Note(format!(
        "{} is up as project {project_name}; `rtde stage {} STAGE…` runs stages on it, \
         `rtde status {}` shows it, `rtde down {}` stops it",
        pipeline.id, pipeline.id, pipeline.id, pipeline.id
    )));
    Ok(exit::OK)
}

/// Run named stages on the stack `rtde up` started (see `run::stepwise`). Refused, as
/// invalid input, when no such stack of this rtde instance is up, when several are, or when
/// `--var`/`--broker` differ from what the stack was started with.
pub async fn stage(ctx: &Context, args: StageArgs) -> Result<i32> {
    let StageArgs {
        stack: args,
        stages,
    } = args;
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    let selected = stepwise::select(&pipeline, &stages)?;
    require_broker(std::slice::from_ref(&pipeline), args.broker.as_deref())?;
    let given = overrides(&args.vars, None, None, args.broker.as_deref())?;
    let harness = ctx.harness().await?;
    let up = up_command(&args);
    let run_id = kept_stack(&harness.engine, &pipeline.id, &up).await?;
    let dir = stack_dir(&ctx.root, &pipeline.id, &run_id);
    let stack = StackRecord::read(&dir)?.ok_or_else(|| {
        Error::InvalidInput(format!(
            "{}: the stack up (run {run_id}) was not started by `rtde up`: {} is missing (a \
             stack kept by `rtde bench --keep-up` has none); stop it with `rtde down {}` and \
             start it with `{up}`",
            pipeline.id,
            dir.join(stepwise::STACK_FILE).display(),
            args.id
        ))
    })?;
    let differ = stepwise::disagreements(&stack.overrides, &given);
    if !differ.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{}: the stack is up with other variables: {}; run the stages without them, or \
             restart the stack with `rtde down {}` and `{up}`",
            pipeline.id,
            differ.join(", "),
            args.id
        ))
        .into());
    }
    Ok(
        match stepwise::run(&harness, &pipeline, &stack, &dir, &selected).await? {
            RunStatus::Passed => exit::OK,
            RunStatus::Interrupted => exit::INTERRUPTED,
            RunStatus::Failed | RunStatus::CheckFailed => exit::FAILED,
        },
    )
}

/// The run id of the one stack of this pipeline that `rtde up` keeps up for this rtde
/// instance; none or several is invalid input that says what to run.
async fn kept_stack(engine: &Engine, pipeline: &str, up: &str) -> Result<String> {
    let mine = instance();
    let runs: BTreeSet<String> = engine
        .containers(&[
            (labels::PIPELINE, pipeline),
            (labels::KEEP, "true"),
            (labels::INSTANCE, &mine),
        ])
        .await?
        .into_iter()
        .filter_map(|c| c.labels.get(labels::RUN_ID).cloned())
        .collect();
    let mut runs = runs.into_iter();
    match (runs.next(), runs.next()) {
        (Some(run), None) => Ok(run),
        (None, _) => Err(Error::InvalidInput(format!(
            "{pipeline}: no stack is up; start it first with `{up}`"
        ))
        .into()),
        (Some(a), Some(b)) => Err(Error::InvalidInput(format!(
            "{pipeline}: several stacks are up (runs {a}, {b}{}); `rtde down {pipeline}` stops \
             them all, then `{up}` starts one",
            runs.map(|r| format!(", {r}")).collect::<String>()
        ))
        .into()),
    }
}

/// `rtde up` with the id and variables given to this command.
fn up_command(args: &StackArgs) -> String {
    let mut words = vec!["rtde up".to_string(), args.id.clone()];
    for pair in &args.vars {
        words.push(format!("--var {pair}"));
    }
    if let Some(broker) = &args.broker {
        words.push(format!("--broker {broker}"));
    }
    words.join(" ")
}

pub async fn down(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    let harness = ctx.harness().await?;
    let projects: BTreeMap<String, Option<String>> = harness
        .engine
        .containers(&[
            (labels::PIPELINE, &pipeline.id),
            (labels::INSTANCE, &instance()),
        ])
        .await?
        .into_iter()
        .filter_map(|c| {
            let project = c.labels.get(PROJECT_LABEL)?.clone();
            Some((project, c.labels.get(labels::RUN_ID).cloned()))
        })
        .collect();
    if projects.is_empty() {
        ctx.reporter.event(Event::Note(format!(
            "{}: no stack of rtde is up",
            pipeline.id
        )));
        return Ok(exit::OK);
    }
    let scratch = tempfile::tempdir()?;
    for (name, run_id) in projects {
        // A stack `rtde up` started is torn down with its own variables (its broker's files);
        // one kept by `bench --keep-up` with the manifest's defaults.
        let recorded = match &run_id {
            Some(id) => StackRecord::read(&stack_dir(&ctx.root, &pipeline.id, id))?,
            None => None,
        };
        let vars = match recorded {
            Some(stack) => stack.variables,
            None => variables(
                &harness.compose,
                &pipeline,
                &BTreeMap::new(),
                &ctx.root,
                "down",
                &name,
                scratch.path(),
            ),
        };
        let project = compose_project(&harness.compose, &pipeline, &name, &vars)?;
        let all: Vec<String> = project.profiles().await?.into_iter().collect();
        StackGuard::new(project, all, &harness.active)
            .teardown(&harness.engine)
            .await?;
        ctx.reporter
            .event(Event::Note(format!("{}: {name} is down", pipeline.id)));
    }
    Ok(exit::OK)
}

pub async fn status(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    let engine = crate::engine::docker::Engine::connect().await?;
    let containers = engine
        .containers(&[
            (labels::PIPELINE, &pipeline.id),
            (labels::INSTANCE, &instance()),
        ])
        .await?;
    let mut out = std::io::stdout().lock();
    if containers.is_empty() {
        writeln!(out, "{}: no containers of rtde", pipeline.id)?;
    }
    for c in containers {
        writeln!(
            out,
            "{:<28} {:<16} {:<10} {:<10} {}",
            c.labels.get(PROJECT_LABEL).cloned().unwrap_or_default(),
            c.service,
            c.status,
            c.health.unwrap_or_else(|| "-".into()),
            c.image
        )?;
    }
    Ok(exit::OK)
}
