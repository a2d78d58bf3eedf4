//! rtde: benchmark real-time data pipelines that live in Docker Compose stacks.
//!
//! `main` is wiring only: parse the command line, set up tracing, dispatch, and map an error
//! to one of the exit codes documented in [`exit`].

mod cli;
mod error;
mod exit;
mod generate;
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
    match cli.command {
        cli::Command::Generate(args) => generate::run(&args).map(|()| exit::OK),
        _ => Ok(exit::OK),
    }
}
