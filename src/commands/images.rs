//! `rtde images build`: the project's images, on public or local bases, all of them, the
//! ones named, or the ones some pipelines' stacks use (`--for`), ending with a table.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result};

use super::{Context, overrides, require_broker};
use crate::cli::{BaseArg, ImagesBuildArgs};
use crate::engine::compose::ComposeTool;
use crate::exit;
use crate::images::{self, BaseChoice, Outcome, Progress, Selection};
use crate::output::{Event, ImageRow};
use crate::run::runner::stack_project;

pub fn build(ctx: &Context, args: &ImagesBuildArgs) -> Result<i32> {
    let choice = match args.base {
        BaseArg::Public => BaseChoice::Public,
        BaseArg::Local => BaseChoice::Local,
    };
    let selection = if !args.pipelines.is_empty() {
        let runtime = tokio::runtime::Runtime::new()?;
        Selection::Stacks(runtime.block_on(stack_images(
            ctx,
            &args.pipelines,
            args.broker.as_deref(),
        ))?)
    } else if !args.only.is_empty() {
        Selection::Named(args.only.clone())
    } else {
        Selection::All
    };
    let reporter = ctx.reporter.clone();
    let mut rows = Vec::new();
    images::build(
        &ctx.root,
        choice,
        &selection,
        args.skip_bases,
        &mut |progress| match progress {
            Progress::Step { image, step } => reporter.event(Event::Step { what: image, step }),
            Progress::Done {
                image,
                outcome,
                seconds,
            } => {
                let result = match outcome {
                    Outcome::Built => "built",
                    Outcome::UpToDate => "up to date",
                    Outcome::NeedsRegistry => "skipped: its base image needs a registry",
                };
                reporter.event(Event::Note(format!("{image}: {result} in {seconds:.1}s")));
                rows.push(ImageRow {
                    image,
                    result: result.to_string(),
                    seconds,
                });
            }
        },
    )?;
    ctx.reporter.event(Event::ImagesBuilt(rows));
    Ok(exit::OK)
}

/// The images the stacks of these pipelines use, as `compose config` resolves them with
/// each manifest's variables (and `--broker`), every profile included.
async fn stack_images(
    ctx: &Context,
    ids: &[String],
    broker: Option<&str>,
) -> Result<BTreeSet<String>> {
    let pipelines = ctx.load(ids)?;
    require_broker(&pipelines, broker)?;
    let vars = overrides(&[], None, None, broker)?;
    let tool = ComposeTool::detect().await?;
    let scratch = tempfile::tempdir()?;
    let mut used = BTreeSet::new();
    for pipeline in &pipelines {
        let own: BTreeMap<String, String> = vars
            .iter()
            .filter(|(k, _)| pipeline.variables.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (project, _) =
            stack_project(&tool, pipeline, &own, &ctx.root, "images", scratch.path())?;
        let model = project
            .model()
            .await
            .with_context(|| format!("reading the compose stack of {}", pipeline.id))?;
        used.extend(model.services.into_values().filter_map(|s| s.image));
    }
    Ok(used)
}
