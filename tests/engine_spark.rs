//! The Spark transforms of P02/P05 (`shared/spark/jobs/transforms.py`) run for real, on
//! PySpark 3.5 in local mode, and their Silver equals the reference Silver row for row.
//!
//! The test generates events with `rtde generate` (fixed seed) as JSON lines (exactly the
//! Kafka payloads, malformed ones included), runs `shared/spark/local/run_local.py` (the
//! transforms between a file source and Parquet sinks, as Structured Streaming queries with
//! trigger availableNow) and the reference (`shared/dbt/scripts/reference_silver.py`, DuckDB),
//! and compares: counts with the oracle, Silver's column names and types, Silver's rows, and
//! the dead letters, message for message. The Kafka source and the Iceberg and Kafka sinks
//! of the stack's jobs need jars this machine cannot download; they are not run here.
//!
//! Needs the repo's `.venv` with requirements-dev.txt installed (pyspark, duckdb) and Java 17.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use tempfile::TempDir;

const SEED: u64 = 42;
const EVENTS: u64 = 10_000;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: create the venv at the repo root with `python3 -m venv .venv && \
         .venv/bin/pip install -r requirements-dev.txt`",
        python.display()
    );
    python
}

/// Runs a command and returns its stdout; a failure carries the command, stdout and stderr.
fn run(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("starting {command:?}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{command:?} failed with {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

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
    let script = "import duckdb, json, sys\n\
                  for row in duckdb.sql(sys.argv[1]).fetchall():\n    \
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

/// One generation as JSON lines, with its oracle, and the reference Silver of it.
struct Generated {
    dir: TempDir,
    oracle: Value,
    reference: Value,
}

impl Generated {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn new() -> Result<Generated> {
        let dir = tempfile::Builder::new().prefix("rtde-spark-").tempdir()?;
        let at = |name: &str| dir.path().join(name).display().to_string();
        run(Command::new(env!("CARGO_BIN_EXE_rtde")).args([
            "generate",
            "--events",
            &EVENTS.to_string(),
            "--seed",
            &SEED.to_string(),
            "--sink",
            &format!("jsonl:{}", at("events.jsonl")),
            "--oracle-out",
            &at("oracle.json"),
        ]))?;
        let oracle: Value = serde_json::from_str(&std::fs::read_to_string(at("oracle.json"))?)?;
        let reference = parse_counts(&run(Command::new(python()).args([
            &repo_root().join("shared/dbt/scripts/reference_silver.py"),
            Path::new("--bronze"),
            Path::new(&format!("jsonl:{}", at("events.jsonl"))),
            Path::new("--oracle"),
            &dir.path().join("oracle.json"),
            Path::new("--out"),
            &dir.path().join("reference"),
            // Kept so the test can read the reference's dead letters.
            Path::new("--duckdb"),
            &dir.path().join("reference.duckdb"),
        ]))?);
        Ok(Generated {
            dir,
            oracle,
            reference,
        })
    }

    fn reference_silver(&self) -> String {
        format!(
            "read_parquet('{}')",
            self.path("reference/silver.parquet").display()
        )
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

    let out = generated.path("spark");
    let stdout = run(Command::new(python()).args([
        &repo_root().join("shared/spark/local/run_local.py"),
        Path::new("--events"),
        &generated.path("events.jsonl"),
        Path::new("--oracle"),
        &generated.path("oracle.json"),
        Path::new("--out"),
        &out,
    ]))
    .context("running the Spark transforms in local mode")?;
    let spark = parse_counts(&stdout);
    eprintln!(
        "spark local run: {spark}; reference: {}",
        generated.reference
    );

    for name in ["bronze_rows", "silver_rows", "dead_letters"] {
        let count = spark[name].as_u64();
        assert_eq!(count, oracle[name].as_u64(), "Spark's {name} vs the oracle");
        assert_eq!(
            count,
            generated.reference[name].as_u64(),
            "Spark's {name} vs the reference"
        );
    }

    let (spark_silver, reference_silver) =
        (parquet(&out.join("silver")), generated.reference_silver());
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

    // The dead letters are the malformed messages themselves, unchanged, each once.
    let attach = format!(
        "attach '{}' as reference (read_only);",
        generated.path("reference.duckdb").display()
    );
    let spark_dead = format!("(select value from {})", parquet(&out.join("dead_letters")));
    assert_eq!(
        difference(
            &attach,
            &spark_dead,
            "(select message from reference.dead_letters)"
        )?,
        0,
        "Spark's dead letters must be the reference's, message for message"
    );
    Ok(())
}

/// The row comparison above can fail: one changed cent in one row is two different rows.
#[test]
fn the_silver_comparison_sees_one_changed_row() -> Result<()> {
    let generated = Generated::new()?;
    let reference = generated.reference_silver();
    let tampered = format!(
        "(select * replace (case when trip_id = (select min(trip_id) from {reference}) \
         then fare_amount + 0.01 else fare_amount end as fare_amount) from {reference})"
    );
    assert_eq!(difference("", &reference, &reference)?, 0);
    assert_eq!(difference("", &tampered, &reference)?, 2);
    Ok(())
}
