//! rtde: benchmark real-time data pipelines that live in Docker Compose stacks.
//!
//! `main` is wiring only: parse the command line, set up tracing, dispatch, and map an error
//! to one of the exit codes documented in [`exit`].

mod cli;
mod error;
mod exit;
mod export;
mod report;
mod results;
mod run;
mod sample;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("Error: {err:#}");
            error::exit_code_of(&err)
        }
    };
    std::process::exit(code);
}

fn run(cli: cli::Cli) -> anyhow::Result<i32> {
    let stdout = &mut std::io::stdout().lock();
    match &cli.command {
        cli::Command::Compare(args) => report::command::compare(&cli.root, args, stdout),
        cli::Command::Report(args) => report::command::report(&cli.root, args, stdout),
        _ => Ok(exit::OK),
    }
}
