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
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Context, overrides, require_broker};
use crate::cli::{StackArgs, StageArgs};
use crate::engine::docker::{Engine, PROJECT_LABEL, labels};
use crate::error::Error;
use crate::exit;
use crate::output::Event;
use crate::results::record::RunStatus;
use crate::run::guard::StackGuard;
use crate::run::owner::instance;
use crate::run::runner::{compose_project, new_run_id, variables};
use crate::run::stepwise::{self, StackRecord, stack_dir};

pub async fn up(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    require_broker(std::slice::from_ref(&pipeline), args.broker.as_deref())?;
    let harness = ctx.harness().await?;
    let run_id = new_run_id();
    let dir = stack_dir(&ctx.root, &pipeline.id, &run_id);
    std::fs::create_dir_all(&dir)?;
    let given = overrides(&args.vars, None, None, args.broker.as_deref())?;
    let stack = harness
        .stack(&pipeline, &run_id, &given, &dir, true)
        .await?;
    let project_name = stack.project.name.clone();
    harness.prepare(&stack).await?;
    let guard = harness.guard(&stack);
    harness.start(&stack, pipeline.startup_timeout).await?;
    guard.keep();
    StackRecord {
        pipeline: pipeline.id.clone(),
        project: project_name.clone(),
        run_id,
        started_at: chrono::Utc::now(),
        overrides: given,
        variables: stack.vars.clone(),
        instance: instance(),
        services: stack.model.services_for(&stack.up_profiles),
        down_at: None,
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
    let (dir, stack) = live_stack(&harness.engine, &ctx.root, &pipeline.id, &up).await?;
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

/// The one stack of this pipeline that `rtde up` started for this rtde instance, with its
/// folder. None, several, or one whose containers are gone is invalid input that says what
/// to run.
async fn live_stack(
    engine: &Engine,
    root: &Path,
    pipeline: &str,
    up: &str,
) -> Result<(PathBuf, StackRecord)> {
    let mut live = stepwise::live_stacks(root, pipeline)?;
    if live.len() > 1 {
        let runs: Vec<&str> = live.iter().map(|(_, s)| s.run_id.as_str()).collect();
        return Err(Error::InvalidInput(format!(
            "{pipeline}: several stacks are up (runs {}); `rtde down {pipeline}` stops them \
             all, then `{up}` starts one",
            runs.join(", ")
        ))
        .into());
    }
    let Some((dir, stack)) = live.pop() else {
        let kept = engine
            .containers(&[
                (labels::PIPELINE, pipeline),
                (labels::KEEP, "true"),
                (labels::INSTANCE, &instance()),
            ])
            .await?;
        let why = if kept.is_empty() {
            "no stack is up".to_string()
        } else {
            format!(
                "the stack up was kept by `rtde bench --keep-up`, which records no variables \
                 for stages; stop it with `rtde down {pipeline}`"
            )
        };
        return Err(Error::InvalidInput(format!("{pipeline}: {why}; start it with `{up}`")).into());
    };
    let running: BTreeSet<String> = engine
        .project_containers(&stack.project)
        .await?
        .into_iter()
        .filter(|c| c.running && !c.one_off)
        .map(|c| c.service)
        .collect();
    let gone: Vec<&str> = stack
        .services
        .iter()
        .filter(|s| !running.contains(*s))
        .map(String::as_str)
        .collect();
    if !gone.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{pipeline}: the stack {} is not running (no container of {}: stopped outside \
             rtde?); `rtde down {pipeline}` clears it, then `{up}` starts it again",
            stack.project,
            gone.join(", ")
        ))
        .into());
    }
    Ok((dir, stack))
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

/// Tear down every stack of the pipeline this rtde instance keeps: those `rtde up` recorded
/// (a stack of one-off stages only has no container between stages, but may have volumes)
/// and any container's project, each with the variables it was started with when recorded.
pub async fn down(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    let harness = ctx.harness().await?;
    let mut projects: BTreeMap<String, Option<(PathBuf, StackRecord)>> =
        stepwise::live_stacks(&ctx.root, &pipeline.id)?
            .into_iter()
            .map(|(dir, stack)| (stack.project.clone(), Some((dir, stack))))
            .collect();
    for c in harness
        .engine
        .containers(&[
            (labels::PIPELINE, &pipeline.id),
            (labels::INSTANCE, &instance()),
        ])
        .await?
    {
        let Some(name) = c.labels.get(PROJECT_LABEL) else {
            continue;
        };
        if projects.contains_key(name) {
            continue;
        }
        let recorded = match c.labels.get(labels::RUN_ID) {
            Some(id) => {
                let dir = stack_dir(&ctx.root, &pipeline.id, id);
                StackRecord::read(&dir)?.map(|stack| (dir, stack))
            }
            None => None,
        };
        projects.insert(name.clone(), recorded);
    }
    if projects.is_empty() {
        ctx.reporter.event(Event::Note(format!(
            "{}: no stack of rtde is up",
            pipeline.id
        )));
        return Ok(exit::OK);
    }
    let scratch = tempfile::tempdir()?;
    for (name, recorded) in projects {
        // A stack `rtde up` started is torn down with its own variables (its broker's files);
        // one kept by `bench --keep-up` with the manifest's defaults.
        let vars = match &recorded {
            Some((_, stack)) => stack.variables.clone(),
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
        StackGuard::new(project, all, &harness.active, harness.reporter.clone())
            .teardown(&harness.engine)
            .await?;
        if let Some((dir, stack)) = recorded {
            stack.mark_down(&dir)?;
        }
        ctx.reporter
            .event(Event::Note(format!("{}: {name} is down", pipeline.id)));
    }
    Ok(exit::OK)
}

/// The stacks `rtde up` recorded (with the stages run on them so far) and every container of
/// the pipeline this rtde instance started.
pub async fn status(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    let engine = Engine::connect().await?;
    let mut text = String::new();
    for (dir, stack) in stepwise::live_stacks(&ctx.root, &pipeline.id)? {
        let ran = stepwise::StagesRecord::read(&dir)?.summary();
        text.push_str(&format!(
            "{}: {} up by `rtde up` since {}, recorded in {}; stages run: {}\n",
            pipeline.id,
            stack.project,
            stack.started_at.format("%Y-%m-%d %H:%M:%SZ"),
            dir.display(),
            if ran.is_empty() {
                "none yet".to_string()
            } else {
                ran.join(", ")
            }
        ));
    }
    let containers = engine
        .containers(&[
            (labels::PIPELINE, &pipeline.id),
            (labels::INSTANCE, &instance()),
        ])
        .await?;
    if containers.is_empty() {
        text.push_str(&format!("{}: no containers of rtde\n", pipeline.id));
    }
    for c in containers {
        text.push_str(&format!(
            "{:<28} {:<16} {:<10} {:<10} {}\n",
            c.labels.get(PROJECT_LABEL).cloned().unwrap_or_default(),
            c.service,
            c.status,
            c.health.unwrap_or_else(|| "-".into()),
            c.image
        ));
    }
    ctx.reporter.event(Event::Document(text));
    Ok(exit::OK)
}
