//! rtde: benchmark real-time data pipelines that live in Docker Compose stacks.
//!
//! `main` is wiring only: parse the command line, set up tracing and the reporter, dispatch,
//! and map an error to one of the exit codes documented in `rtde::exit`.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::Parser;
use rtde::{cli, commands, error, exit, output};
use tracing_subscriber::EnvFilter;

use cli::{Cli, Command};
use commands::Context;
use output::{Console, Style};

fn main() {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let code = match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("Error: {err:#}");
            error::exit_code_of(&err)
        }
    };
    // A forced second signal ends the process as interrupted, even when the clean path
    // finished first (its teardown failing because the containers were removed under it).
    let code = if rtde::run::guard::forced() {
        exit::INTERRUPTED
    } else {
        code
    };
    std::process::exit(code);
}

/// Tracing goes to stderr, filtered by RTDE_LOG (or -v for debug), so it never mixes with
/// command output on stdout.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "rtde=debug",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("RTDE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let style = Style::resolve(
        std::io::stdout().is_terminal(),
        std::env::var_os("CI").is_some(),
    );
    let ctx = Context {
        root: cli.root,
        pipelines_dir: cli.pipelines_dir,
        reporter: Arc::new(Console::new(style)),
    };
    // Commands that do no async work run outside the runtime: the generator's sinks drive
    // their own small runtimes, which cannot start inside another one.
    let command = match cli.command {
        Command::List => return commands::list::list(&ctx),
        Command::Generate(a) => return commands::generate::generate(&a),
        Command::Topics(a) => return commands::topics::topics(&a),
        Command::Probe(a) => return commands::probe::run(&a).map(|()| exit::OK),
        Command::Images(cli::ImagesCommand::Build(a)) => {
            return commands::images::build(&ctx, &a);
        }
        Command::Compare(a) => {
            return commands::compare::compare(&ctx.root, &a, &mut std::io::stdout().lock());
        }
        Command::Report(a) => {
            return commands::report::report(&ctx.root, &a, &mut std::io::stdout().lock());
        }
        other => other,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        match command {
            Command::Validate(a) => {
                commands::validate::validate(&ctx, a.ids, a.all, a.no_compose, a.print).await
            }
            Command::Bench(a) => commands::bench::bench(&ctx, a).await,
            Command::BenchAll(a) => commands::bench::bench_all(&ctx, a).await,
            Command::Up(a) => commands::stack::up(&ctx, a).await,
            Command::Stage(a) => commands::stack::stage(&ctx, a).await,
            Command::Down(a) => commands::stack::down(&ctx, a).await,
            Command::Status(a) => commands::stack::status(&ctx, a).await,
            Command::Clean => commands::clean::clean(&ctx).await,
            Command::List
            | Command::Generate(_)
            | Command::Topics(_)
            | Command::Probe(_)
            | Command::Images(_)
            | Command::Compare(_)
            | Command::Report(_) => unreachable!("handled before the runtime starts"),
        }
    })
}
