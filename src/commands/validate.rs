//! `rtde validate`: manifests, their compose stacks, and every reference between them.

use std::collections::BTreeMap;

use anyhow::Result;

use super::Context;
use crate::engine::compose::ComposeTool;
use crate::error::Error;
use crate::exit;
use crate::manifest::{self, validate};
use crate::output::Event;
use crate::run::runner::{compose_project, variables};

pub async fn validate(ctx: &Context, ids: Vec<String>, all: bool, no_compose: bool) -> Result<i32> {
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
        let found = manifest::resolve(&ctx.pipelines_dir(), id)?;
        let pipeline = match manifest::load(&found.manifest, &ctx.root) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        if let Some(tool) = &compose {
            let project_name = format!("rtde-{}-validate", pipeline.id);
            let vars = variables(
                tool,
                &pipeline,
                &BTreeMap::new(),
                &ctx.root,
                "validate",
                &project_name,
                scratch.path(),
            );
            let project = compose_project(tool, &pipeline, &project_name, &vars)?;
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
        if !problems
            .iter()
            .any(|p| p.starts_with(&pipeline.manifest_path.display().to_string()))
        {
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
