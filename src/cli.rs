//! Command-line definitions, and nothing else.
//!
//! Each subcommand's doc comment is its `--help` text. Parsing turns the raw flags into these
//! structs; `commands/` turns them into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::HELP_TABLE;

/// Benchmark real-time data pipelines that live in Docker Compose stacks.
#[derive(Debug, Parser)]
#[command(name = "rtde", version, after_help = HELP_TABLE)]
pub struct Cli {
    /// Debug tracing on stderr (RTDE_LOG=debug does the same and more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Project root: where `pipelines/`, `shared/` and `runs/` live.
    #[arg(long, global = true, env = "RTDE_ROOT", default_value = ".")]
    pub root: PathBuf,

    /// Folder of pipeline folders (relative to the root).
    #[arg(long, global = true, default_value = "pipelines")]
    pub pipelines_dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the pipelines with their stack, tier and last result.
    List,
    /// Check manifests, their compose files and every reference in them.
    ///
    /// Checks that every service a stage names exists, every referenced file exists and every
    /// profile is defined, and runs `compose config` on the stack.
    Validate(ValidateArgs),
    /// Benchmark one or more pipelines.
    Bench(BenchArgs),
    /// Benchmark every pipeline (or a tier, or a selection).
    BenchAll(BenchAllArgs),
    /// Bring a pipeline's stack up by hand (it stays up until `rtde down`).
    Up(StackArgs),
    /// Tear down a stack that `rtde up` (or `bench --keep-up`) left running.
    Down(StackArgs),
    /// Show the containers of a pipeline's stacks that rtde started.
    Status(StackArgs),
    /// Build the images the stacks use, with or without a container registry.
    #[command(subcommand)]
    Images(ImagesCommand),
    /// Remove what runs of rtde left behind when rtde itself was killed.
    ///
    /// Only resources whose rtde process is gone are removed; a live run is never touched.
    Clean,
    /// Compare pipelines: report with charts, ranking, exports, regressions against a baseline.
    ///
    /// Writes comparison_report.md and its SVG charts to --out. With --baseline, exits 4 when
    /// a metric is worse beyond --threshold and the difference is real given both sides' runs.
    Compare(CompareArgs),
    /// Regenerate BENCHMARK_RESULTS.md from the results table (real runs only).
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The results table to compare (relative to the root).
    #[arg(long, default_value = "pipelines/comparison/results.csv")]
    pub results: PathBuf,
    /// The per-run table (default: runs.csv beside the results table).
    #[arg(long)]
    pub runs_table: Option<PathBuf>,
    /// Where comparison_report.md and its charts go (relative to the root).
    #[arg(long, default_value = "pipelines/comparison")]
    pub out: PathBuf,
    /// Rebuild the results and runs tables from the run.json files under this folder first.
    #[arg(long, value_name = "RUNS_DIR")]
    pub from_runs: Option<PathBuf>,
    /// An older result to check for regressions: a --export-json file or a results.csv.
    #[arg(long, value_name = "OLD_RESULTS_OR_JSON")]
    pub baseline: Option<PathBuf>,
    /// How much worse a median must be to count as a regression.
    #[arg(long, default_value = "10%")]
    pub threshold: String,
    /// Write the results as hyperfine-style JSON (also usable as a --baseline).
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the results as hyperfine-style CSV.
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Write the results as a hyperfine-style Markdown table.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The results table (relative to the root).
    #[arg(long, default_value = "pipelines/comparison/results.csv")]
    pub results: PathBuf,
    /// The file to write (relative to the root).
    #[arg(long, default_value = "BENCHMARK_RESULTS.md")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Pipeline ids (p01, 01, 1 or the folder name).
    pub ids: Vec<String>,
    /// Validate every pipeline.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// Skip `compose config` (for machines without a compose tool).
    #[arg(long)]
    pub no_compose: bool,
}

#[derive(Debug, Args, Clone)]
pub struct RunOptions {
    /// Measured runs per pipeline.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Warm-up runs per pipeline: executed, recorded, not counted.
    #[arg(long, default_value_t = 0)]
    pub warmup: u32,
    /// Events to generate (sets the manifest variable `events`).
    #[arg(long)]
    pub events: Option<u64>,
    /// Generator seed (sets the manifest variable `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Set any manifest variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Leave the stack running after the run (prints how to stop it).
    #[arg(long)]
    pub keep_up: bool,
    /// Where run records go (relative to the root).
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// The results table to upsert (relative to the root).
    #[arg(long, default_value = "pipelines/comparison/results.csv")]
    pub results: PathBuf,
    /// Turn memory and CPU sampling off.
    #[arg(long)]
    pub no_sample: bool,
    /// How to read memory and CPU.
    #[arg(long, value_enum, default_value_t = SamplerChoice::Auto)]
    pub sampler: SamplerChoice,
    /// Sampling interval in milliseconds.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..))]
    pub sample_interval: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplerChoice {
    /// cgroup files when readable, else the stats stream.
    Auto,
    /// Read cgroup v1/v2 files directly (rtde must run on the Docker host).
    Cgroup,
    /// Docker's stats stream (remote engines, Docker Desktop).
    Stats,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Pipeline ids (p01, 01, 1 or the folder name).
    #[arg(required = true)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct BenchAllArgs {
    /// Only pipelines of this tier.
    #[arg(long)]
    pub tier: Option<String>,
    /// Only these pipelines (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Skip these pipelines (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Go on with the next pipeline when one fails.
    #[arg(long)]
    pub continue_on_error: bool,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// Pipeline id (p01, 01, 1 or the folder name).
    pub id: String,
    /// Set a manifest variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// Build the project's images (and, with --base local, the local bases first).
    ///
    /// Idempotent: an image whose recorded inputs are unchanged is not rebuilt.
    Build(ImagesBuildArgs),
}

#[derive(Debug, Args)]
pub struct ImagesBuildArgs {
    /// `public`: the Dockerfiles' pinned public bases (needs a registry); `local`: bases
    /// built here from Debian packages, trusting the host's extra CA certificates.
    #[arg(long, value_enum, default_value_t = BaseArg::Public)]
    pub base: BaseArg,
    /// Only these images or bases (repeatable; names from shared/docker/images.yaml).
    #[arg(long)]
    pub only: Vec<String>,
    /// Do not build local bases: use them as they are (fail if one is missing).
    #[arg(long)]
    pub skip_bases: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaseArg {
    Public,
    Local,
}
