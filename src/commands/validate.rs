//! `rtde validate`: manifests, their compose stacks, their `.env` files, and every reference
//! between them; with `--print`, each manifest as it resolves.

use std::collections::BTreeMap;

use anyhow::Result;

use super::Context;
use crate::engine::compose::ComposeTool;
use crate::error::Error;
use crate::exit;
use crate::manifest::{self, Pipeline, validate};
use crate::output::Event;
use crate::run::runner::stack_project;

pub async fn validate(
    ctx: &Context,
    ids: Vec<String>,
    all: bool,
    no_compose: bool,
    print: bool,
) -> Result<i32> {
    let ids = if all || ids.is_empty() {
        ctx.all_ids()?
    } else {
        ids
    };
    let compose = if no_compose {
        None
    } else {
        Some(ComposeTool::detect().await?)
    };
    let scratch = tempfile::tempdir()?;
    let mut problems = Vec::new();
    for id in &ids {
        let before = problems.len();
        let found = manifest::resolve(&ctx.pipelines_dir(), id)?;
        let pipeline = match manifest::load(&found.manifest, &ctx.root) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        if print {
            ctx.reporter.event(Event::Document(manifest::print::render(
                &pipeline, &ctx.root,
            )));
        }
        if let Some(problem) = env_file_problem(&pipeline) {
            problems.push(problem);
        }
        if let Some(tool) = &compose {
            let (project, _) = stack_project(
                tool,
                &pipeline,
                &BTreeMap::new(),
                &ctx.root,
                "validate",
                scratch.path(),
            )?;
            match project.model().await {
                Ok(model) => {
                    let services = model.services.keys().cloned().collect();
                    for err in validate::against_stack(&pipeline, &services, &model.profiles) {
                        problems.push(err.to_string());
                    }
                }
                Err(e) => problems.push(format!(
                    "{}: the compose stack does not load: {e:#}",
                    pipeline.manifest_path.display()
                )),
            }
        }
        if problems.len() == before {
            ctx.reporter.event(Event::Note(format!(
                "{}: ok ({})",
                pipeline.id, pipeline.name
            )));
        }
    }
    if problems.is_empty() {
        Ok(exit::OK)
    } else {
        Err(Error::InvalidInput(problems.join("\n")).into())
    }
}

/// The pipeline's `.env` (for running the stack by hand with `docker compose`) must list the
/// compose files the manifest merges with its defaults; a folder without one is not checked.
fn env_file_problem(pipeline: &Pipeline) -> Option<String> {
    let path = pipeline.folder.join(".env");
    let text = std::fs::read_to_string(&path).ok()?;
    let expected: Vec<String> = pipeline
        .compose_files
        .iter()
        .map(|f| {
            f.render(&pipeline.variables)
                .unwrap_or_else(|_| f.text.clone())
        })
        .collect();
    manifest::lint::env_file(&text, &expected)
        .err()
        .map(|m| match m.line {
            0 => format!("{}: {}", path.display(), m.message),
            line => format!("{}:{line}: {}", path.display(), m.message),
        })
}
