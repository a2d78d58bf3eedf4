//! `rtde generate`: seeded NYC yellow-taxi trip events with dirty data, sent to one or more
//! sinks, and the oracle that says what a correct pipeline must output.
//!
//! The flow is: check every option (nothing is written if one is wrong), open the sinks,
//! then stream batches of events from a generator thread (or a replayed Parquet file) to the
//! sinks in order, pacing them when `--rate` is given, while the oracle accumulates.

mod civil;
mod digits;
mod dirty;
mod events;
mod model;
mod oracle;
pub mod pace;
mod record;
mod replay;
mod rng;
mod schema;
mod seeds;
mod sink;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::error::Error;
use crate::freshness::pacing::Pacing;
pub use dirty::Category;
use dirty::{DirtyRates, Window};
use events::{Event, Generator};
use oracle::{Oracle, OracleBuilder};
use pace::Pacer;
pub use sink::{Compression, KafkaKey};
use sink::{KafkaOptions, Sink, SinkTarget};

/// Events per batch handed from the generator thread to the sinks: large enough that the
/// channel costs nothing per event, small enough that pacing and memory stay smooth.
const BATCH_EVENTS: usize = 4096;
/// Batches each generator thread may run ahead of the sinks.
const BATCHES_AHEAD: usize = 2;
/// Generator threads at most: beyond a few, the single thread that writes the sinks is the
/// limit.
const MAX_GENERATOR_THREADS: usize = 4;

/// The defaults of `--start` and `--days` (cli.rs), which the stages of every pipeline use.
pub const DEFAULT_START: &str = "2024-01-01T00:00:00";
pub const DEFAULT_DAYS: u32 = 31;

/// What `rtde generate` is asked for, as typed values: the command line builds it
/// (`commands::generate`), and [`run`] checks it before anything is written.
#[derive(Debug, Clone)]
pub struct Options {
    /// Events to generate (with `from`: at most this many rows are replayed).
    pub events: u64,
    pub seed: u64,
    /// Start of the pickup window (New York local time, no zone).
    pub start: String,
    /// Length of the pickup window in days.
    pub days: u32,
    /// Events per second; `None` is as fast as possible.
    pub rate: Option<f64>,
    /// Sink URIs: the same events go to each.
    pub sinks: Vec<String>,
    pub oracle_out: Option<PathBuf>,
    /// Print the oracle JSON on stdout after the events.
    pub oracle: bool,
    /// Write the dbt seed CSVs to this folder.
    pub seeds: Option<PathBuf>,
    /// Write the event's JSON Schema and Avro schema to this folder.
    pub schemas: Option<PathBuf>,
    /// Replay a real TLC yellow-taxi Parquet file instead of generating.
    pub from: Option<PathBuf>,
    pub key: KafkaKey,
    /// Kafka topic when the sink URI names none.
    pub topic: String,
    /// Partitions of the Kafka topic when rtde has to create it.
    pub partitions: i32,
    pub compression: Compression,
    pub linger_ms: u32,
    pub batch_size: u32,
    /// Dirty-data rates that replace their defaults.
    pub dirty: Vec<(Category, f64)>,
}

/// Everything `generate` will do, checked before anything is written.
struct Plan {
    events: u64,
    seed: u64,
    window: Window,
    rates: DirtyRates,
    rate: Option<f64>,
    targets: Vec<SinkTarget>,
    kafka: KafkaOptions,
    oracle_out: Option<PathBuf>,
    print_oracle: bool,
    from: Option<PathBuf>,
}

impl Plan {
    fn from_args(args: &Options) -> anyhow::Result<Plan> {
        let start = civil::parse_timestamp(&args.start)
            .map_err(|err| Error::InvalidInput(format!("--start: {err:#}")))?;
        let window = Window {
            start,
            end: start + i64::from(args.days) * civil::SECONDS_PER_DAY,
        };
        if let Some(rate) = args.rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(Error::InvalidInput(format!(
                "--rate must be a positive number of events per second, got {rate}"
            ))
            .into());
        }
        let rates = DirtyRates::new(&args.dirty)?;
        let targets = args
            .sinks
            .iter()
            .map(|uri| SinkTarget::parse(uri))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let plan = Plan {
            events: args.events,
            seed: args.seed,
            window,
            rates,
            rate: args.rate,
            targets,
            kafka: KafkaOptions {
                default_topic: args.topic.clone(),
                partitions: args.partitions,
                key: args.key,
                compression: args.compression,
                linger_ms: args.linger_ms,
                batch_size: args.batch_size,
            },
            oracle_out: args.oracle_out.clone(),
            print_oracle: args.oracle,
            from: args.from.clone(),
        };
        if !plan.generates() && args.seeds.is_none() && args.schemas.is_none() {
            return Err(Error::InvalidInput(
                "nothing to do: give at least one --sink (or --oracle, --oracle-out, --seeds, --schemas)".into(),
            )
            .into());
        }
        Ok(plan)
    }

    fn generates(&self) -> bool {
        !self.targets.is_empty() || self.oracle_out.is_some() || self.print_oracle
    }
}

/// What one `generate` sent, for its closing line.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub events: u64,
    pub bronze_rows: u64,
    pub silver_rows: u64,
    /// Wall-clock seconds from opening the sinks to their last flush.
    pub seconds: f64,
    /// User plus system CPU seconds of this process over the same span.
    pub cpu_seconds: f64,
    /// What the open-loop pacer achieved, with `rate`.
    pub pacing: Option<Pacing>,
}

impl std::fmt::Display for Generated {
    /// The closing line: what was sent, how fast, and at what CPU cost per event.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rtde generate: {} events ({} Bronze, {} Silver) in {:.3} s = {:.0} events/s; CPU {:.3} s = {:.3} µs/event",
            self.events,
            self.bronze_rows,
            self.silver_rows,
            self.seconds,
            self.events as f64 / self.seconds.max(1e-9),
            self.cpu_seconds,
            self.cpu_seconds * 1e6 / (self.events.max(1) as f64),
        )
    }
}

/// Generates (or replays) the events into the sinks; the oracle JSON goes to its file and,
/// when asked, to `stdout` after the events. `None` when only seeds or schemas were asked
/// for.
pub fn run(args: &Options, stdout: &mut dyn std::io::Write) -> anyhow::Result<Option<Generated>> {
    let plan = Plan::from_args(args)?;
    if let Some(dir) = &args.seeds {
        write_files(dir, "seeds", seeds::seed_files()?)?;
    }
    if let Some(dir) = &args.schemas {
        write_files(dir, "schemas", schema::schema_files())?;
    }
    if !plan.generates() {
        return Ok(None);
    }
    // Create the oracle file first so an unwritable path fails before any event is sent.
    let oracle_file = match &plan.oracle_out {
        Some(path) => Some((
            path,
            std::fs::File::create(path).map_err(|err| {
                Error::InvalidInput(format!(
                    "cannot create the oracle file {}: {err}",
                    path.display()
                ))
            })?,
        )),
        None => None,
    };
    let mut sinks = plan
        .targets
        .iter()
        .map(|target| sink::open(target, &plan.kafka))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let started = Instant::now();
    let cpu_before = cpu_time();
    let (oracle, pacing) = match &plan.from {
        None => generate_into(&plan, &mut sinks)?,
        Some(path) => replay_into(&plan, path, &mut sinks)?,
    };
    for sink in sinks {
        sink.finish()?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = cpu_time().saturating_sub(cpu_before).as_secs_f64();

    let oracle_json = serde_json::to_string_pretty(&oracle)? + "\n";
    if let Some((path, mut file)) = oracle_file {
        std::io::Write::write_all(&mut file, oracle_json.as_bytes())
            .with_context(|| format!("writing the oracle to {}", path.display()))?;
    }
    if plan.print_oracle {
        stdout
            .write_all(oracle_json.as_bytes())
            .context("printing the oracle on stdout")?;
    }
    Ok(Some(Generated {
        events: oracle.events,
        bronze_rows: oracle.bronze_rows,
        silver_rows: oracle.silver_rows,
        seconds,
        cpu_seconds,
        pacing,
    }))
}

/// The oracle's cumulative map for the freshness probe: the index of the event each Silver
/// row comes from, in order (row `r` of Silver is made from event `silver_events(..)[r]`),
/// for the events `rtde generate --events N --seed S` makes with the default window and
/// dirty rates. "How many Silver rows the first k events yield" is the number of entries
/// below k. Event `i` depends only on (seed, i), so this is the same list the generator's
/// oracle counted.
pub fn silver_events(seed: u64, events: u64) -> anyhow::Result<Vec<u64>> {
    let start = civil::parse_timestamp(DEFAULT_START)?;
    let window = Window {
        start,
        end: start + i64::from(DEFAULT_DAYS) * civil::SECONDS_PER_DAY,
    };
    let generator = Generator::new(seed, window, DirtyRates::new(&[])?);
    Ok((0..events)
        .filter(|&i| matches!(generator.event(i), Event::Clean(_)))
        .collect())
}

/// Writes generated files (seeds, schemas) into `dir`, creating it.
fn write_files(dir: &Path, what: &str, files: Vec<(&str, String)>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|err| {
        Error::InvalidInput(format!(
            "cannot create the {what} folder {}: {err}",
            dir.display()
        ))
    })?;
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// User plus system CPU time of this process so far.
fn cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|usage| {
            let micros = |t: nix::sys::time::TimeVal| {
                Duration::from_micros((t.tv_sec() as u64) * 1_000_000 + t.tv_usec() as u64)
            };
            micros(usage.user_time()) + micros(usage.system_time())
        })
        .unwrap_or_default()
}

/// A batch of events and their JSON payloads, rendered once for every sink.
struct Batch {
    events: Vec<Event>,
    payloads: Vec<u8>,
    ends: Vec<usize>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            events: Vec::with_capacity(BATCH_EVENTS),
            payloads: Vec::with_capacity(BATCH_EVENTS * 512),
            ends: Vec::with_capacity(BATCH_EVENTS),
        }
    }

    fn push(&mut self, event: Event) {
        event.write_payload(&mut self.payloads);
        self.ends.push(self.payloads.len());
        self.events.push(event);
    }

    /// Empties the batch for reuse, keeping its buffers.
    fn clear(&mut self) {
        self.events.clear();
        self.payloads.clear();
        self.ends.clear();
    }
}

/// Sends batches to the sinks in order, paced by `--rate`.
struct Delivery<'a> {
    sinks: &'a mut [Box<dyn Sink>],
    pacer: Option<Pacer>,
    sent: u64,
}

impl Delivery<'_> {
    fn deliver(&mut self, batch: &Batch) -> anyhow::Result<()> {
        if self.pacer.is_none() {
            // Unpaced, each sink takes the whole batch at once.
            for sink in self.sinks.iter_mut() {
                sink.write_batch(&batch.events, &batch.payloads, &batch.ends)?;
            }
            self.sent += batch.events.len() as u64;
            return Ok(());
        }
        let mut start = 0;
        for (event, &end) in batch.events.iter().zip(&batch.ends) {
            if let Some(pacer) = &mut self.pacer {
                if let Some(deadline) = pacer.due_later(self.sent) {
                    // Nothing more is due: hand what was written to the readers, then wait
                    // for the next event's due time. Open loop: the schedule alone sets it,
                    // whatever the stack does, so there is no other condition to wait for.
                    for sink in self.sinks.iter_mut() {
                        sink.idle()?;
                    }
                    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                }
                pacer.sent(self.sent);
            }
            let payload = &batch.payloads[start..end];
            for sink in self.sinks.iter_mut() {
                sink.write(event, payload)?;
            }
            self.sent += 1;
            start = end;
        }
        Ok(())
    }
}

fn delivery<'a>(plan: &Plan, sinks: &'a mut [Box<dyn Sink>]) -> Delivery<'a> {
    Delivery {
        sinks,
        pacer: plan.rate.map(Pacer::new),
        sent: 0,
    }
}

fn generate_into(
    plan: &Plan,
    sinks: &mut [Box<dyn Sink>],
) -> anyhow::Result<(Oracle, Option<Pacing>)> {
    let generator = Generator::new(plan.seed, plan.window, plan.rates.clone());
    let mut delivery = delivery(plan, sinks);
    let total = plan.events;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_GENERATOR_THREADS);
    let batch_count = total.div_ceil(BATCH_EVENTS as u64);
    let mut oracle = OracleBuilder::new(plan.seed, plan.window);
    std::thread::scope(|scope| {
        // Event i depends only on (seed, i), so which thread renders it changes nothing in
        // the output. Thread t renders batches t, t + threads, … and keeps its own part of
        // the oracle; this thread takes the batches round-robin, which restores the order,
        // and writes the sinks.
        let generator = &generator;
        let workers: Vec<_> = (0..threads as u64)
            .map(|thread| {
                let (ready, batches) = mpsc::sync_channel::<Batch>(BATCHES_AHEAD);
                // Sent batches come back to be filled again: a fresh 2 MB batch each time
                // cost a page fault per 4 KB written (about 120,000 per million events).
                let (spare, spares) = mpsc::channel::<Batch>();
                let worker = scope.spawn(move || {
                    let mut part = OracleBuilder::new(plan.seed, plan.window);
                    for batch_number in (thread..batch_count).step_by(threads) {
                        let start = batch_number * BATCH_EVENTS as u64;
                        let mut batch = spares.try_recv().unwrap_or_else(|_| Batch::new());
                        batch.clear();
                        for index in start..total.min(start + BATCH_EVENTS as u64) {
                            let event = generator.event(index);
                            part.add(&event);
                            batch.push(event);
                        }
                        if ready.send(batch).is_err() {
                            break; // the sinks failed; the writing side reports why
                        }
                    }
                    part
                });
                (batches, spare, worker)
            })
            .collect();
        for batch_number in 0..batch_count {
            let (batches, spare, _) = &workers[(batch_number % threads as u64) as usize];
            let batch = batches.recv().context("a generator thread stopped early")?;
            delivery.deliver(&batch)?;
            // A worker that has rendered its last batch no longer takes spares.
            let _ = spare.send(batch);
        }
        for (batches, _, worker) in workers {
            drop(batches);
            oracle.merge(worker.join().expect("a generator thread panicked"));
        }
        anyhow::Ok(())
    })?;
    Ok((oracle.finish(), delivery.pacer.map(|p| p.finish())))
}

fn replay_into(
    plan: &Plan,
    path: &std::path::Path,
    sinks: &mut [Box<dyn Sink>],
) -> anyhow::Result<(Oracle, Option<Pacing>)> {
    let generator = Generator::new(plan.seed, plan.window, plan.rates.clone());
    let rows = replay::events(path, plan.events, plan.window, |row| generator.trip_id(row))?;
    let mut delivery = delivery(plan, sinks);
    let mut oracle = OracleBuilder::new(plan.seed, plan.window);
    let mut batch = Batch::new();
    for event in rows {
        let event = event?;
        oracle.add(&event);
        batch.push(event);
        if batch.events.len() == BATCH_EVENTS {
            delivery.deliver(&batch)?;
            batch.clear();
        }
    }
    delivery.deliver(&batch)?;
    Ok((oracle.finish(), delivery.pacer.map(|p| p.finish())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_line_says_what_was_sent_how_fast_and_at_what_cpu_cost() {
        let generated = Generated {
            events: 10_000,
            bronze_rows: 9_988,
            silver_rows: 9_743,
            seconds: 0.5,
            cpu_seconds: 0.25,
            pacing: None,
        };
        assert_eq!(
            generated.to_string(),
            "rtde generate: 10000 events (9988 Bronze, 9743 Silver) in 0.500 s = 20000 events/s; \
             CPU 0.250 s = 25.000 µs/event"
        );
    }
}
