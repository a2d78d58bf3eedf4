//! `rtde up`, `rtde down`, `rtde status`: working on a pipeline's stack by hand.
//!
//! Stacks started this way (and by `bench --keep-up`) carry `rtde.keep=true`, so the crash
//! sweep never removes them; `rtde down` is how they go.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::Result;

use super::{Context, overrides, require_broker};
use crate::cli::StackArgs;
use crate::engine::docker::{PROJECT_LABEL, labels};
use crate::exit;
use crate::output::Event;
use crate::run::guard::StackGuard;
use crate::run::runner::{compose_project, new_run_id, variables};

pub async fn up(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    require_broker(std::slice::from_ref(&pipeline), args.broker.as_deref())?;
    let harness = ctx.harness().await?;
    let run_id = new_run_id();
    let project_name = format!("rtde-{}-{run_id}", pipeline.id);
    let dir = ctx
        .root
        .join("runs")
        .join(&pipeline.id)
        .join(format!("manual-{run_id}"));
    std::fs::create_dir_all(&dir)?;
    let vars = variables(
        &harness.compose,
        &pipeline,
        &overrides(&args.vars, None, None, args.broker.as_deref())?,
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
    ctx.reporter.event(Event::Note(format!(
        "{} is up as project {project_name}; `rtde status {}` shows it, `rtde down {}` stops it",
        pipeline.id, pipeline.id, pipeline.id
    )));
    Ok(exit::OK)
}

pub async fn down(ctx: &Context, args: StackArgs) -> Result<i32> {
    let pipeline = ctx.load(std::slice::from_ref(&args.id))?.remove(0);
    let harness = ctx.harness().await?;
    let projects: BTreeSet<String> = harness
        .engine
        .containers(&[(labels::PIPELINE, &pipeline.id)])
        .await?
        .into_iter()
        .filter_map(|c| c.labels.get(PROJECT_LABEL).cloned())
        .collect();
    if projects.is_empty() {
        ctx.reporter.event(Event::Note(format!(
            "{}: no stack of rtde is up",
            pipeline.id
        )));
        return Ok(exit::OK);
    }
    let scratch = tempfile::tempdir()?;
    for name in projects {
        let vars = variables(
            &harness.compose,
            &pipeline,
            &BTreeMap::new(),
            &ctx.root,
            "down",
            &name,
            scratch.path(),
        );
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
        .containers(&[(labels::PIPELINE, &pipeline.id)])
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
