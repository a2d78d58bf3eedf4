//! `rtde probe`: the arguments checked, then the Silver count polled until stopped, one line a
//! poll on standard output (the data a sustained run reads back; freshness/probe.rs).

use anyhow::Result;

use crate::cli::ProbeArgs;
use crate::error::Error;
use crate::freshness::probe::{self, Source};

pub fn run(args: &ProbeArgs) -> Result<()> {
    let source = Source::parse(&args.silver, args.query.as_deref())?;
    let interval = crate::manifest::duration::parse(&args.interval)
        .map_err(|e| Error::InvalidInput(format!("--interval: {e}")))?;
    probe::run(&source, interval, args.polls, &mut std::io::stdout())
}
