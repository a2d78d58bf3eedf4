//! The Flink pipelines' SQL (P01, P04) run for real on generated events, on a local Flink 2.0.1
//! MiniCluster, and held to the reference Silver row for row.
//!
//! `rtde generate` writes 10,000 events (fixed seed) as JSON lines — exactly the Kafka
//! payloads, malformed ones included — and the oracle. `shared/flink/local/flink_local.py`
//! composes the job as the stack does (`shared/flink/bin/job-sql.sh`: the same Bronze, Silver
//! and dead-letter SQL files) with a file source and file sinks in place of Kafka and Iceberg,
//! and runs it. The test checks Bronze, Silver and the dead letters against the oracle, that
//! Silver's deduplication emitted inserts only, that every Silver row equals the reference
//! Silver (`shared/dbt/reference/silver.sql` on DuckDB) and that the dead letters are exactly
//! the malformed lines; then that a one-cent change to the reference makes the comparison fail.
//!
//! Needs the repo's `.venv` with requirements-dev.txt installed (DuckDB and the Flink jars of
//! `apache-flink-libraries`) and a Java 17 runtime with its compiler (`java` on PATH).

#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use serde_json::Value;
use tools::{generate_jsonl, python, repo_root, run};

/// The value of a `name=value` line of a helper script's stdout.
fn value<'a>(stdout: &'a str, name: &str) -> Result<&'a str> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
        .with_context(|| format!("no {name}= line in:\n{stdout}"))
}

fn count(stdout: &str, name: &str) -> Result<u64> {
    let text = value(stdout, name)?;
    text.parse()
        .with_context(|| format!("{name} is not a count: {text:?}"))
}

fn oracle_count(oracle: &Value, name: &str) -> Result<u64> {
    oracle[name]
        .as_u64()
        .with_context(|| format!("the oracle has no count {name}"))
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn flink_local(args: &[&str]) -> Result<String> {
    let script = repo_root().join("shared/flink/local/flink_local.py");
    run(Command::new(python()).arg(script).args(args))
}

#[test]
fn flink_sql_silver_equals_the_reference_and_routes_malformed_messages_to_the_dead_letters()
-> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-flink-").tempdir()?;
    let at = |name: &str| dir.path().join(name);
    let oracle = generate_jsonl(&at("trips.jsonl"), &at("oracle.json"))?;
    run(Command::new(python()).args([
        path_arg(&repo_root().join("shared/dbt/scripts/reference_silver.py")),
        "--bronze",
        &format!("jsonl:{}", at("trips.jsonl").display()),
        "--oracle",
        path_arg(&at("oracle.json")),
        "--out",
        path_arg(&at("reference")),
        "--check",
    ]))
    .context("building the reference Silver")?;

    let started = Instant::now();
    let counts = flink_local(&[
        "run",
        "--input",
        path_arg(&at("trips.jsonl")),
        "--oracle",
        path_arg(&at("oracle.json")),
        "--out",
        path_arg(&at("flink")),
    ])?;
    eprintln!(
        "local Flink job: {} s (submit to FINISHED), {} s with JVM start and planning, {:.1} s \
         in all",
        value(&counts, "flink_job_seconds")?,
        value(&counts, "flink_run_seconds")?,
        started.elapsed().as_secs_f64()
    );
    for name in ["bronze_rows", "silver_rows", "dead_letters"] {
        assert_eq!(
            count(&counts, name)?,
            oracle_count(&oracle, name)?,
            "Flink's {name} differ from the oracle's"
        );
    }
    ensure!(
        oracle_count(&oracle, "dead_letters")? > 0,
        "the generation holds no malformed message: the dead-letter check would prove nothing"
    );
    assert_eq!(
        count(&counts, "non_insert_changes")?,
        0,
        "Silver's deduplication emitted updates or retractions"
    );

    let compare = |reference: &Path| {
        flink_local(&[
            "compare",
            "--flink",
            path_arg(&at("flink")),
            "--reference",
            path_arg(reference),
            "--input",
            path_arg(&at("trips.jsonl")),
        ])
    };
    let reference = at("reference/silver.parquet");
    let same = compare(&reference)?;
    assert_eq!(count(&same, "silver_missing")?, 0, "{same}");
    assert_eq!(count(&same, "silver_extra")?, 0, "{same}");
    assert_eq!(count(&same, "dead_letters_wrong")?, 0, "{same}");

    // The comparison must be able to fail: one reference fare one cent higher is one row
    // Flink lacks and one row the reference lacks.
    let tampered = at("tampered.parquet");
    run(Command::new(python()).args([
        "-c",
        "import duckdb, sys; duckdb.sql(f\"copy (select * replace (case when trip_id = \
         (select min(trip_id) from '{sys.argv[1]}') then fare_amount + 0.01 else fare_amount \
         end as fare_amount) from '{sys.argv[1]}') to '{sys.argv[2]}' (format parquet)\")",
        path_arg(&reference),
        path_arg(&tampered),
    ]))?;
    let differs = compare(&tampered)?;
    assert_eq!(count(&differs, "silver_missing")?, 1, "{differs}");
    assert_eq!(count(&differs, "silver_extra")?, 1, "{differs}");
    Ok(())
}
