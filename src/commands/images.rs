//! `rtde images build`: the project's images, on public or local bases.

use std::time::Instant;

use anyhow::Result;

use super::Context;
use crate::cli::{BaseArg, ImagesBuildArgs};
use crate::exit;
use crate::images::{self, BaseChoice, Outcome};
use crate::output::Event;

pub fn build(ctx: &Context, args: &ImagesBuildArgs) -> Result<i32> {
    let choice = match args.base {
        BaseArg::Public => BaseChoice::Public,
        BaseArg::Local => BaseChoice::Local,
    };
    let started = Instant::now();
    let reporter = ctx.reporter.clone();
    images::build(
        &ctx.root,
        choice,
        &args.only,
        args.skip_bases,
        &mut |image, outcome| {
            let what = match outcome {
                Outcome::Built => "built",
                Outcome::UpToDate => "up to date",
                Outcome::NeedsRegistry => "skipped: its base image needs a registry",
            };
            reporter.event(Event::Note(format!(
                "{image}: {what} ({:.1}s so far)",
                started.elapsed().as_secs_f64()
            )));
        },
    )?;
    Ok(exit::OK)
}
