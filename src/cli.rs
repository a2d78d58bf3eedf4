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
    /// Run named stages of a manifest on the stack `rtde up` started, as a bench run would.
    ///
    /// The stages render the variables `rtde up` was given (`--var` and `--broker` here must
    /// agree with them), capture their metrics and run the checks whose metrics are known,
    /// also those captured by earlier `rtde stage` calls; everything is recorded in the
    /// stack's folder (stages.json, stages/). The stack stays up.
    Stage(StageArgs),
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
    ///
    /// From the curated table (no FOLDER, --results or --out) it also regenerates the
    /// measured section of docs/streaming-data-paths.md, between its marker lines.
    Report(ReportArgs),
    /// Create and count Kafka topics on any Kafka-protocol broker (Kafka, Redpanda, tansu).
    ///
    /// Pipelines' `topics` stages run this, so switching the broker changes no stage.
    Topics(TopicsArgs),
    /// Generate seeded NYC yellow-taxi trip events, with dirty data and the oracle.
    ///
    /// The same seed and options give the same events, byte for byte, on any machine and to
    /// any sink. Sinks: kafka://host:port[,host:port]/topic, parquet:PATH, jsonl:PATH,
    /// csv:PATH, postgres://user:pass@host:port/db?table=raw_trips, stdout. See
    /// docs/data-contract.md for the event, the dirty categories and the oracle.
    Generate(Box<GenerateArgs>),
    /// Count a stack's Silver at a fixed interval, one line per poll, until stopped.
    ///
    /// Runs inside a stack (the rtde image) beside a sustained load; `rtde bench --rate`
    /// starts it and turns its polls into freshness (docs/metrics.md). Prints
    /// `rtde probe: t_ms=<Unix ms> rows=<n>`.
    Probe(ProbeArgs),
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// What to count: files:DIR/*.parquet (footers), files:DIR/*.jsonl (lines),
    /// postgres://user:pass@host:port/db (with --query), kafka://host:port/TOPIC.
    #[arg(long, value_name = "SOURCE")]
    pub silver: String,
    /// For a PostgreSQL source: the query that returns the count (one bigint).
    #[arg(long)]
    pub query: Option<String>,
    /// Time between polls (`250ms`, `1s`).
    #[arg(long, default_value = "250ms")]
    pub interval: String,
    /// Stop after this many polls (default: poll until stopped).
    #[arg(long)]
    pub polls: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A results folder (a bench's --out): its results.csv and runs.csv are compared, and
    /// the report is written there (default: pipelines/comparison).
    #[arg(value_name = "FOLDER", conflicts_with = "results")]
    pub folder: Option<PathBuf>,
    /// The results table to compare instead (relative to the root).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// The per-run table (default: runs.csv beside the results table).
    #[arg(long)]
    pub runs_table: Option<PathBuf>,
    /// Where comparison_report.md and its charts go (default: beside the results table).
    #[arg(long)]
    pub out: Option<PathBuf>,
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
pub struct TopicsArgs {
    #[command(subcommand)]
    pub command: TopicsCommand,
}

#[derive(Debug, Args)]
pub struct BrokerArgs {
    /// Bootstrap servers, host:port[,host:port].
    #[arg(long, value_name = "HOST:PORT")]
    pub bootstrap: String,
    /// How long to wait for the broker (and, for count, for the end of the topic).
    #[arg(long, default_value = "60s", value_parser = crate::manifest::duration::parse)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// Create topics that do not exist yet (one replica); existing ones are left as they are.
    Create {
        #[command(flatten)]
        broker: BrokerArgs,
        /// Partitions of a topic given without `:N`.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..))]
        partitions: i32,
        /// Topics as NAME or NAME:PARTITIONS.
        #[arg(required = true, value_name = "NAME[:PARTITIONS]")]
        topics: Vec<crate::topics::TopicSpec>,
    },
    /// Count the messages of topics, read to their current end; prints `TOPIC: messages=N`.
    Count {
        #[command(flatten)]
        broker: BrokerArgs,
        /// Also write where each partition's reading ended, as Flink's Kafka connector takes
        /// it (`partition:0,offset:N;partition:1,offset:M`, N the offset after the last
        /// message read): a bound measured by reading, for brokers whose ListOffsets answers
        /// a wrong end (tansu). Needs exactly one topic.
        #[arg(long, value_name = "FILE")]
        offsets_out: Option<PathBuf>,
        #[arg(required = true, value_name = "TOPIC")]
        topics: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results folder (a bench's --out): its results.csv is reported, into
    /// FOLDER/BENCHMARK_RESULTS.md (default: pipelines/comparison, into the root's file).
    #[arg(value_name = "FOLDER", conflicts_with = "results")]
    pub folder: Option<PathBuf>,
    /// The results table instead (relative to the root).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// The file to write (relative to the root).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Pipeline ids (p01, 01, 1 or the folder name) or paths to pipeline folders.
    pub ids: Vec<String>,
    /// Validate every pipeline.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// Skip `compose config` (for machines without a compose tool).
    #[arg(long)]
    pub no_compose: bool,
    /// Print each manifest fully resolved (`extends:` and `use:` applied), every part with the
    /// file and line it came from.
    #[arg(long)]
    pub print: bool,
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
    /// Run Kafka-protocol pipelines on another broker (kafka, redpanda, tansu): the same as
    /// --var broker=NAME. A substituted run is recorded as such and never ranked as the
    /// original stack.
    #[arg(long, value_name = "NAME")]
    pub broker: Option<String>,
    /// Leave the stack running after the run (prints how to stop it).
    #[arg(long)]
    pub keep_up: bool,
    /// With several pipelines, run them in rounds: the first run of each, then the second of
    /// each, and so on, so that a change in the machine's load falls on all of them alike
    /// (what a comparison between them needs). Without it, each pipeline's runs come together.
    #[arg(long)]
    pub interleave: bool,
    /// The results folder (relative to the root): run records go to OUT/<id>/<time>-<run id>/,
    /// the results and runs tables to OUT/results.csv and OUT/runs.csv. The curated
    /// comparison is `--out pipelines/comparison` (what `make nightly` passes).
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// Upsert this results table instead (runs.csv goes beside it).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Turn memory and CPU sampling off.
    #[arg(long)]
    pub no_sample: bool,
    /// How to read memory and CPU.
    #[arg(long, value_enum, default_value_t = SamplerChoice::Auto)]
    pub sampler: SamplerChoice,
    /// Sampling interval in milliseconds.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..))]
    pub sample_interval: u64,
    #[command(flatten)]
    pub load: LoadOptions,
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

/// The sustained-load mode (docs/metrics.md, "Freshness under load").
#[derive(Debug, Args, Clone, Default)]
pub struct LoadOptions {
    /// Sustained load: the generator produces this many events per second, open loop, while
    /// the pipeline's processor runs continuously (its manifest's `sustained:` section) and
    /// a probe measures how fresh Silver stays. Needs --duration.
    #[arg(long, requires = "duration", conflicts_with = "events")]
    pub rate: Option<f64>,
    /// With --rate: how long the load lasts (`60s`, `2m`); the events are rate × duration.
    #[arg(long, requires = "rate")]
    pub duration: Option<String>,
    /// Search for the highest rate the pipeline sustains (doubling, then bisection, of short
    /// sustained runs): p99 freshness within --slo-p99 and a lag that does not grow.
    #[arg(long, conflicts_with_all = ["rate", "events"])]
    pub find_max_rate: bool,
    /// With --find-max-rate: the p99 freshness a sustained rate must stay within.
    #[arg(long, default_value = "10s")]
    pub slo_p99: String,
    /// With --find-max-rate: the first rate tried (events/s).
    #[arg(long, default_value_t = 500.0)]
    pub start_rate: f64,
    /// With --find-max-rate: each step's duration.
    #[arg(long, default_value = "30s")]
    pub step_duration: String,
    /// How often the probe counts Silver (the resolution of every freshness figure).
    #[arg(long, default_value = "250ms")]
    pub probe_interval: String,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Pipeline ids (p01, 01, 1 or the folder name) or paths to pipeline folders.
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
    /// Go on with the next pipeline when one fails, or cannot run here (its images cannot be
    /// had): that one is recorded as SKIPPED with the reason.
    #[arg(long)]
    pub continue_on_error: bool,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// Pipeline id (p01, 01, 1 or the folder name) or path to a pipeline folder.
    pub id: String,
    /// Set a manifest variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Run Kafka-protocol pipelines on another broker (kafka, redpanda, tansu): the same as
    /// --var broker=NAME. A substituted run is recorded as such and never ranked as the
    /// original stack.
    #[arg(long, value_name = "NAME")]
    pub broker: Option<String>,
}

#[derive(Debug, Args)]
pub struct StageArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// The stages to run, in this order (names from the manifest's `stages`).
    #[arg(required = true, value_name = "STAGE")]
    pub stages: Vec<String>,
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
    #[arg(long, conflicts_with = "pipelines")]
    pub only: Vec<String>,
    /// Only the images these pipelines' stacks use (repeatable; ids as for `rtde bench`):
    /// every service's `image:` after the manifest's variables, matched to images.yaml.
    #[arg(long = "for", value_name = "ID")]
    pub pipelines: Vec<String>,
    /// With --for: the stacks on this broker (as `rtde bench --broker`).
    #[arg(long, requires = "pipelines")]
    pub broker: Option<String>,
    /// Do not build local bases: use them as they are (fail if one is missing).
    #[arg(long)]
    pub skip_bases: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaseArg {
    Public,
    Local,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Events to generate (with --from: at most this many rows are replayed).
    #[arg(long, default_value_t = 10_000)]
    pub events: u64,
    /// Seed of the generation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Start of the pickup window (New York local time, no zone).
    #[arg(long, default_value = crate::generate::DEFAULT_START)]
    pub start: String,
    /// Length of the pickup window in days.
    #[arg(long, default_value_t = crate::generate::DEFAULT_DAYS, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
    /// Events per second, open loop: event i is due at start + i / rate (default: as fast as
    /// possible).
    #[arg(long)]
    pub rate: Option<f64>,
    /// With --rate: generate for this long (`60s`, `2m`), that is rate × duration events,
    /// instead of --events.
    #[arg(long, requires = "rate", conflicts_with = "events")]
    pub duration: Option<String>,
    /// Where to send the events (repeatable: the same events go to each).
    #[arg(long = "sink", value_name = "URI")]
    pub sinks: Vec<String>,
    /// Write the oracle JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub oracle_out: Option<PathBuf>,
    /// Print the oracle JSON on stdout after the events.
    #[arg(long)]
    pub oracle: bool,
    /// Write the dbt seed CSVs (zones, payment types, rate codes, vendors) to this folder.
    #[arg(long, value_name = "DIR")]
    pub seeds: Option<PathBuf>,
    /// Write the event's JSON Schema and Avro schema to this folder.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Replay a real TLC yellow-taxi Parquet file instead of generating.
    #[arg(long = "from", value_name = "FILE.parquet")]
    pub from: Option<PathBuf>,
    /// Kafka message key.
    #[arg(long, value_enum, default_value_t = KafkaKey::TripId)]
    pub key: KafkaKey,
    /// Kafka topic when the sink URI names none.
    #[arg(long, default_value = "taxi.raw_trips")]
    pub topic: String,
    /// Partitions of the Kafka topic when rtde has to create it.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..))]
    pub partitions: i32,
    /// Kafka compression codec.
    #[arg(long, value_enum, default_value_t = Compression::Lz4)]
    pub compression: Compression,
    /// Kafka producer linger (milliseconds).
    #[arg(long, default_value_t = 5)]
    pub linger_ms: u32,
    /// Kafka producer batch size (messages per batch).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub batch_size: u32,
    #[command(flatten)]
    pub dirty: DirtyRateArgs,
}

/// Dirty-data rates, each a share of all events (defaults in docs/data-contract.md).
#[derive(Debug, Args, Default)]
pub struct DirtyRateArgs {
    /// Share of events that re-send an earlier clean event.
    #[arg(long)]
    pub duplicate_rate: Option<f64>,
    /// Share of events with a zero or negative fare.
    #[arg(long)]
    pub non_positive_fare_rate: Option<f64>,
    /// Share of events with a negative trip distance.
    #[arg(long)]
    pub negative_distance_rate: Option<f64>,
    /// Share of events with a null passenger count.
    #[arg(long)]
    pub null_passenger_count_rate: Option<f64>,
    /// Share of events whose drop-off is before the pickup.
    #[arg(long)]
    pub dropoff_before_pickup_rate: Option<f64>,
    /// Share of events with a location id outside 1-265.
    #[arg(long)]
    pub unknown_location_rate: Option<f64>,
    /// Share of events picked up outside the generation window.
    #[arg(long)]
    pub outside_window_rate: Option<f64>,
    /// Share of messages that are not valid JSON.
    #[arg(long)]
    pub malformed_rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KafkaKey {
    /// The event's trip id.
    TripId,
    /// The pickup zone id as a decimal string.
    PickupZone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}
