//! The Spark transforms of P02/P05 (`shared/spark/jobs/transforms.py`) run for real, on
//! PySpark 3.5 in local mode, and their Silver equals the reference Silver row for row.
//!
//! The test generates events with `rtde generate` (fixed seed) as JSON lines (exactly the
//! Kafka payloads, malformed ones included), runs `shared/spark/local/run_local.py` (the
//! transforms between a file source and Parquet sinks, as Structured Streaming queries with
//! trigger availableNow) and the reference (`shared/dbt/scripts/reference_silver.py`, DuckDB),
//! and compares: counts with the oracle, Silver's column names and types, Bronze's and
//! Silver's rows, and the dead letters, message for message; the same again on messages the
//! generator never sends. The Kafka source and the Iceberg and Kafka sinks of the stack's jobs
//! need jars this machine cannot download; they are not run here. What of the jobs' table
//! formats (Iceberg for P02/P05, Delta for P13, Hudi for P22) can be checked without their
//! jars is checked by `shared/spark/local/check_tables.py`: their SQL parses, their columns
//! are what the jobs write, Hudi's timestamps keep their wall-clock times.
//!
//! Needs the repo's `.venv` with requirements-dev.txt installed (pyspark, duckdb) and Java 17.

#[path = "support/tools.rs"]
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use tempfile::TempDir;
use tools::{SEED, generate_jsonl, python, repo_root, run};

/// `name=value` lines of a script's stdout (other lines are ignored), values as JSON numbers.
fn parse_counts(stdout: &str) -> Value {
    let mut counts = serde_json::Map::new();
    for (name, value) in stdout.lines().filter_map(|line| line.split_once('=')) {
        let value = value.trim();
        if let Ok(number) = value.parse::<u64>() {
            counts.insert(name.to_owned(), json!(number));
        } else if let Ok(number) = value.parse::<f64>() {
            counts.insert(name.to_owned(), json!(number));
        }
    }
    Value::Object(counts)
}

/// One DuckDB query through the venv's duckdb; returns its rows as JSON arrays.
fn duckdb(query: &str) -> Result<Vec<Value>> {
    // No progress bar: on a loaded machine a query passes DuckDB's two-second threshold and
    // the bar would be printed among the rows.
    let script = "import duckdb, json, sys\n\
                  con = duckdb.connect()\n\
                  con.execute('set enable_progress_bar = false')\n\
                  for row in con.sql(sys.argv[1]).fetchall():\n    \
                  print(json.dumps(row, default=str))";
    let stdout = run(Command::new(python()).args(["-c", script, query]))?;
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).with_context(|| format!("row {line:?}")))
        .collect()
}

fn duckdb_count(query: &str) -> Result<u64> {
    let rows = duckdb(query)?;
    rows.first()
        .and_then(|row| row[0].as_u64())
        .with_context(|| format!("{query} returned {rows:?}, not one count"))
}

/// Rows in one relation and not in the other, both ways, duplicates counted (0 when equal).
/// `prelude` runs first (e.g. an ATTACH the relations need).
fn difference(prelude: &str, left: &str, right: &str) -> Result<u64> {
    duckdb_count(&format!(
        "{prelude} select count(*) from ((from {left} except all from {right}) \
         union all (from {right} except all from {left}))"
    ))
}

/// (column name, DuckDB type) of a relation, in order.
fn schema(relation: &str) -> Result<Vec<Value>> {
    Ok(duckdb(&format!("describe from {relation}"))?
        .into_iter()
        .map(|row| json!([row[0], row[1]]))
        .collect())
}

fn parquet(dir: &Path) -> String {
    format!("read_parquet('{}/*.parquet')", dir.display())
}

/// One generation as JSON lines (exactly the Kafka payloads) with its oracle.
struct Generated {
    dir: TempDir,
    oracle: Value,
}

impl Generated {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn new() -> Result<Generated> {
        let dir = tempfile::Builder::new().prefix("rtde-spark-").tempdir()?;
        let oracle = generate_jsonl(
            &dir.path().join("events.jsonl"),
            &dir.path().join("oracle.json"),
        )?;
        Ok(Generated { dir, oracle })
    }

    /// Runs the reference (DuckDB) on one JSON lines file with the generation's window, into
    /// `NAME-reference/silver.parquet` and `NAME-reference.duckdb`; returns its counts.
    fn reference(&self, events: &str, name: &str) -> Result<Value> {
        Ok(parse_counts(&run(Command::new(python()).args([
            &repo_root().join("shared/dbt/scripts/reference_silver.py"),
            Path::new("--bronze"),
            Path::new(&format!("jsonl:{}", self.path(events).display())),
            Path::new("--oracle"),
            &self.path("oracle.json"),
            Path::new("--out"),
            &self.path(&format!("{name}-reference")),
            // Kept so that Bronze and the dead letters can be compared too.
            Path::new("--duckdb"),
            &self.path(&format!("{name}-reference.duckdb")),
        ]))?))
    }

    /// Runs the reference (DuckDB) and the Spark transforms (local mode) on one JSON lines
    /// file with the generation's window; their outputs go to `NAME-reference*` and
    /// `NAME-spark/`.
    fn run_both(&self, events: &str, name: &str) -> Result<Outputs> {
        let reference = self.reference(events, name)?;
        let spark_dir = self.path(&format!("{name}-spark"));
        let spark = parse_counts(
            &run(Command::new(python()).args([
                &repo_root().join("shared/spark/local/run_local.py"),
                Path::new("--events"),
                &self.path(events),
                Path::new("--oracle"),
                &self.path("oracle.json"),
                Path::new("--out"),
                &spark_dir,
            ]))
            .context("running the Spark transforms in local mode")?,
        );
        eprintln!("{name}: spark {spark}; reference {reference}");
        Ok(Outputs {
            reference_dir: self.path(&format!("{name}-reference")),
            reference_db: self.path(&format!("{name}-reference.duckdb")),
            spark_dir,
            reference,
            spark,
        })
    }
}

/// Where one run of both implementations left its outputs, and what each printed.
struct Outputs {
    reference_dir: PathBuf,
    reference_db: PathBuf,
    spark_dir: PathBuf,
    reference: Value,
    spark: Value,
}

impl Outputs {
    /// Asserts that Spark's Bronze, Silver and dead letters are the reference's, row for row
    /// and (for Silver) with the same column names and types.
    fn assert_spark_equals_the_reference(&self) -> Result<()> {
        for name in ["bronze_rows", "silver_rows", "dead_letters"] {
            assert_eq!(
                self.spark[name].as_u64(),
                self.reference[name].as_u64(),
                "Spark's {name} vs the reference's"
            );
        }
        let attach = format!(
            "attach '{}' as reference (read_only);",
            self.reference_db.display()
        );
        let spark_silver = parquet(&self.spark_dir.join("silver"));
        let reference_silver = format!(
            "read_parquet('{}')",
            self.reference_dir.join("silver.parquet").display()
        );
        assert_eq!(
            schema(&spark_silver)?,
            schema(&reference_silver)?,
            "Silver's columns and types must be the contract's (docs/data-contract.md §3)"
        );
        assert_eq!(
            difference("", &spark_silver, &reference_silver)?,
            0,
            "Spark's Silver must hold exactly the reference Silver's rows"
        );
        assert_eq!(
            difference(
                &attach,
                &parquet(&self.spark_dir.join("bronze")),
                "reference.bronze"
            )?,
            0,
            "Spark's Bronze must hold exactly the reference Bronze's rows"
        );
        // The dead letters are the bad messages themselves, unchanged, each once.
        assert_eq!(
            difference(
                &attach,
                &format!(
                    "(select value from {})",
                    parquet(&self.spark_dir.join("dead_letters"))
                ),
                "(select message from reference.dead_letters)"
            )?,
            0,
            "Spark's dead letters must be the reference's, message for message"
        );
        Ok(())
    }
}

#[test]
fn spark_silver_equals_the_reference_silver_and_bad_messages_become_dead_letters() -> Result<()> {
    let generated = Generated::new()?;
    let oracle = &generated.oracle;
    ensure!(
        oracle["dead_letters"].as_u64() > Some(0),
        "seed {SEED} must produce malformed messages for this test to mean anything: {oracle}"
    );
    let outputs = generated.run_both("events.jsonl", "events")?;
    for name in ["bronze_rows", "silver_rows", "dead_letters"] {
        assert_eq!(
            outputs.spark[name].as_u64(),
            oracle[name].as_u64(),
            "Spark's {name} vs the oracle"
        );
    }
    outputs.assert_spark_equals_the_reference()
}

/// Messages the generator never sends, classified and typed as the reference does: JSON that
/// is not an object is a dead letter, an object is Bronze whatever it holds, and a field of
/// the wrong JSON type becomes null (or is cast, for a number written as a string) on its own.
#[test]
fn unusual_messages_are_classified_and_typed_like_the_reference() -> Result<()> {
    let generated = Generated::new()?;
    let events = std::fs::read_to_string(generated.path("events.jsonl"))?;
    let clean: Value = events
        .lines()
        .find_map(|line| serde_json::from_str(line).ok())
        .context("no JSON object among the generated events")?;
    let variant = |n: u32, changes: Value| {
        let mut event = clean.clone();
        event["trip_id"] = json!(format!("e{n:015x}"));
        for (field, value) in changes.as_object().expect("changes are an object") {
            event[field] = value.clone();
        }
        event.to_string()
    };
    let mut lines: Vec<String> = events.lines().take(200).map(str::to_owned).collect();
    lines.extend(
        [
            "[1,2,3]",
            "\"a string\"",
            "null",
            "42",
            "{\"trip_id\":\"cut",
            "{}",
        ]
        .map(str::to_owned),
    );
    lines.extend([
        variant(1, json!({"VendorID": "two"})),
        variant(2, json!({"passenger_count": "3"})),
        variant(3, json!({"tpep_pickup_datetime": "not a time"})),
        variant(
            4,
            json!({"tpep_pickup_datetime": "2024-01-05 10:00:00",
                   "tpep_dropoff_datetime": "2024-01-05 10:30:00"}),
        ),
        variant(5, json!({"store_and_fwd_flag": {"nested": 1}})),
        variant(6, json!({"fare_amount": "12.5"})),
        variant(7, json!({"trip_distance": true})),
        variant(8, json!({"PULocationID": 12.0})),
        variant(9, json!({"fare_amount": 12.345})),
    ]);
    std::fs::write(generated.path("unusual.jsonl"), lines.join("\n") + "\n")?;

    let outputs = generated.run_both("unusual.jsonl", "unusual")?;
    assert!(
        outputs.spark["dead_letters"].as_u64() >= Some(5),
        "the five lines that are not JSON objects must be dead letters: {}",
        outputs.spark
    );
    outputs.assert_spark_equals_the_reference()
}

/// The row comparison above can fail: one changed cent in one row is two different rows.
#[test]
fn the_silver_comparison_sees_one_changed_row() -> Result<()> {
    let generated = Generated::new()?;
    generated.reference("events.jsonl", "events")?;
    let reference = format!(
        "read_parquet('{}')",
        generated.path("events-reference/silver.parquet").display()
    );
    let tampered = format!(
        "(select * replace (case when trip_id = (select min(trip_id) from {reference}) \
         then fare_amount + 0.01 else fare_amount end as fare_amount) from {reference})"
    );
    assert_eq!(difference("", &reference, &reference)?, 0);
    assert_eq!(difference("", &tampered, &reference)?, 2);
    Ok(())
}

/// The continuous driver of the local run, with its output lines as they come.
struct Continuous {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Continuous {
    fn start(source: &Path, out: &Path, window: &str) -> Result<Continuous> {
        use std::io::BufRead;
        let mut child = Command::new(python())
            .arg(repo_root().join("shared/spark/local/run_continuous_local.py"))
            .arg("--source")
            .arg(source)
            .arg("--out")
            .arg(out)
            .env("RTDE_WINDOW", window)
            .env("RTDE_SPARK_TRIGGER", "1 second")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .context("starting run_continuous_local.py")?;
        let stdout = child.stdout.take().context("the driver's stdout")?;
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Continuous {
            child,
            lines,
            seen: Vec::new(),
        })
    }

    /// Reads lines until one satisfies `wanted`, within `deadline`; returns it.
    fn until(
        &mut self,
        deadline: std::time::Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let end = std::time::Instant::now() + deadline;
        loop {
            let left = end.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return Ok(line);
                    }
                }
                Err(_) => anyhow::bail!(
                    "no such line within {deadline:?}; the driver printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Continuous {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Silver's rows after a `silver_batch=N rows=M` line.
fn silver_total(line: &str) -> Option<u64> {
    line.strip_prefix("silver_batch=")?
        .split_once(" rows=")?
        .1
        .parse()
        .ok()
}

/// P02/P05's sustained mode, as far as it runs here: the transforms follow arriving events
/// with a processing-time trigger, across several micro-batches (Silver merged on trip_id as
/// silver.py's MERGE does, so a duplicate in a later batch adds nothing), the stop signal
/// ends the queries cleanly (`common.run_until_signalled`, what continuous.py uses), and
/// Bronze, Silver and the dead letters then equal the oracle. The window comes from
/// RTDE_WINDOW, as in the stack, where the oracle exists only after the load.
#[test]
fn the_continuous_queries_follow_arriving_events_and_stop_cleanly_on_sigint() -> Result<()> {
    let generated = Generated::new()?;
    let oracle = &generated.oracle;
    let window = format!(
        "{}/{}",
        oracle["window"]["start"].as_str().context("window.start")?,
        oracle["window"]["end"].as_str().context("window.end")?
    );
    let events = std::fs::read_to_string(generated.path("events.jsonl"))?;
    let lines: Vec<&str> = events.lines().collect();
    let source = generated.path("topic");
    let staging = generated.path("staging");
    std::fs::create_dir_all(&source)?;
    std::fs::create_dir_all(&staging)?;
    let out = generated.path("continuous");
    let mut driver = Continuous::start(&source, &out, &window)?;
    let minute = std::time::Duration::from_secs(120);
    driver.until(minute, |l| l.contains("continuous queries running"))?;

    // Four arrivals, each once a Silver micro-batch has followed the previous one.
    let chunks: Vec<_> = lines.chunks(lines.len().div_ceil(4)).collect();
    let mut total = None;
    for (i, chunk) in chunks.iter().enumerate() {
        let name = format!("part-{i}.jsonl");
        std::fs::write(staging.join(&name), chunk.join("\n") + "\n")?;
        std::fs::rename(staging.join(&name), source.join(&name))?;
        total = silver_total(&driver.until(minute, |l| silver_total(l).is_some())?);
    }
    let silver_rows = oracle["silver_rows"]
        .as_u64()
        .context("oracle silver_rows")?;
    if total != Some(silver_rows) {
        driver.until(minute, |l| silver_total(l) == Some(silver_rows))?;
    }

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(driver.child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )?;
    driver.until(minute, |l| l.contains("stopped 3 queries on SIGINT"))?;
    driver.until(minute, |l| l.starts_with("silver_rows="))?;
    let status = driver.child.wait()?;
    assert!(
        status.success(),
        "the driver exited with {status}: {:?}",
        driver.seen
    );
    let counts = parse_counts(&driver.seen.join("\n"));
    for name in ["bronze_rows", "silver_rows", "dead_letters"] {
        assert_eq!(
            counts[name], oracle[name],
            "{name} after the continuous run: {counts}"
        );
    }
    Ok(())
}

/// What of the jobs' table formats (`shared/spark/jobs/tables.py`) PySpark can check without
/// their jars (`shared/spark/local/check_tables.py`): Iceberg's and Delta's CREATE TABLE and
/// MERGE statements parse in Spark 3.5's SQL parser, their column lists are the types the jobs
/// write (Bronze's fields and Kafka columns, the Silver transforms.silver makes), and Hudi's
/// writer turns Silver's zone-less times into UTC timestamps of the same wall-clock time.
#[test]
fn the_table_formats_statements_parse_and_their_columns_are_what_the_jobs_write() -> Result<()> {
    let generated = Generated::new()?;
    let outputs = generated.run_both("events.jsonl", "events")?;
    let out = run(Command::new(python())
        .arg(repo_root().join("shared/spark/local/check_tables.py"))
        .arg("--silver")
        .arg(outputs.spark_dir.join("silver")))?;
    let parsed: Vec<&str> = out
        .lines()
        .filter_map(|line| line.strip_prefix("parsed="))
        .collect();
    assert_eq!(
        parsed,
        [
            "iceberg.create_bronze CreateTable",
            "iceberg.create_silver CreateTable",
            "iceberg.merge_silver MergeIntoTable",
            "delta.create_bronze CreateTable",
            "delta.create_silver CreateTable",
            "delta.merge_silver MergeIntoTable",
        ],
        "{out}"
    );
    let counts = parse_counts(&out);
    assert_eq!(counts["bronze_schema_matches"], json!(1), "{out}");
    assert_eq!(counts["silver_schema_matches"], json!(1), "{out}");
    assert_eq!(
        counts["hudi_zoned_timestamps"],
        json!(2),
        "pickup and drop-off: {out}"
    );
    assert_eq!(counts["hudi_zoned_rows_differing"], json!(0), "{out}");
    Ok(())
}
