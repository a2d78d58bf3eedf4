//! The RisingWave pipelines' SQL (`shared/risingwave/sql`, P03 and P06), as far as it can be
//! checked without a RisingWave server, which cannot run here (no image registry):
//!
//! - every statement `rw.py` deploys parses in sqlglot's RisingWave dialect into a real
//!   syntax tree and uses no type RisingWave's binder rejects (`numeric(p, s)`);
//! - the portable transforms (Bronze, Silver, dead letters, progress) run on a real
//!   PostgreSQL over the generator's JSON lines loaded as RisingWave's source would hold them,
//!   and their Silver equals the reference Silver (DuckDB) row for row and the oracle's count;
//!   the dead-letter view holds exactly the lines that are not JSON objects.
//!
//! Needs the repo's `.venv` (requirements-dev.txt: DuckDB, psycopg2 through dbt-postgres,
//! sqlglot) and a PostgreSQL server from `tests/support/postgres.sh start`, whose URL is in
//! `RTDE_TEST_POSTGRES` (as `.ci/run` sets it).

#[path = "support/tools.rs"]
mod tools;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result};
use serde_json::Value;
use tempfile::TempDir;
use tools::{EVENTS, generate_jsonl, python, repo_root, run};

fn script(name: &str) -> PathBuf {
    repo_root().join("shared").join(name)
}

fn postgres_url() -> String {
    std::env::var("RTDE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RTDE_TEST_POSTGRES is not set: start a server with `tests/support/postgres.sh start` \
             and export RTDE_TEST_POSTGRES=postgres://postgres@127.0.0.1:54329/postgres"
        )
    })
}

fn output_of(command: &mut Command) -> Result<Output> {
    command
        .output()
        .with_context(|| format!("starting {command:?}"))
}

/// The `name=value` count a helper script printed.
fn count(stdout: &str, name: &str) -> u64 {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name}= in:\n{stdout}"))
        .parse()
        .unwrap_or_else(|err| panic!("{name} is not a count ({err}) in:\n{stdout}"))
}

/// One generation as JSON lines (the Kafka payloads, malformed ones included), its oracle,
/// and the reference Silver built from it by DuckDB.
struct Generated {
    dir: TempDir,
    oracle: Value,
}

impl Generated {
    fn new() -> Result<Generated> {
        let dir = tempfile::Builder::new().prefix("rtde-rw-").tempdir()?;
        let generated = Generated {
            dir,
            oracle: Value::Null,
        };
        let oracle = generate_jsonl(
            Path::new(&generated.path("events.jsonl")),
            Path::new(&generated.path("oracle.json")),
        )?;
        run(Command::new(python())
            .arg(script("dbt/scripts/reference_silver.py"))
            .args([
                "--bronze",
                &format!("jsonl:{}", generated.path("events.jsonl")),
            ])
            .args(["--oracle", &generated.path("oracle.json")])
            .args(["--out", &generated.path("reference")])
            .arg("--check"))
        .context("building the reference Silver")?;
        Ok(Generated {
            oracle,
            ..generated
        })
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn oracle_count(&self, name: &str) -> u64 {
        self.oracle[name]
            .as_u64()
            .unwrap_or_else(|| panic!("the oracle has no count {name}"))
    }

    /// The portable transforms on PostgreSQL, compared with the reference by the driver.
    fn run_on_postgres(&self, extra: &[&str]) -> Result<String> {
        run(Command::new(python())
            .arg(script("risingwave/local/run_on_postgres.py"))
            .args(["--dsn", &postgres_url()])
            .args(["--jsonl", &self.path("events.jsonl")])
            .args(["--oracle", &self.path("oracle.json")])
            .args(["--reference-silver", &self.path("reference/silver.parquet")])
            .args(extra))
    }
}

fn parse_check(oracle: &Path, files: &[&Path]) -> Result<Output> {
    output_of(
        Command::new(python())
            .arg(script("risingwave/local/parse_check.py"))
            .arg("--oracle")
            .arg(oracle)
            .args(files),
    )
}

#[test]
fn every_deployed_statement_parses_as_risingwave_sql() -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("rtde-rw-parse-")
        .tempdir()?;
    let oracle = dir.path().join("oracle.json");
    fs::write(
        &oracle,
        r#"{"window": {"start": "2024-01-01T00:00:00", "end": "2024-02-01T00:00:00"}}"#,
    )?;
    let output = parse_check(&oracle, &[])?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the RisingWave SQL must parse:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = fs::read_dir(repo_root().join("shared/risingwave/sql"))?
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as u64;
    assert_eq!(
        count(&stdout, "statements_parsed"),
        files,
        "rw.py must deploy every file in shared/risingwave/sql, each one statement"
    );

    // What the parser accepts and RisingWave's binder rejects is caught, and so is what the
    // parser cannot read.
    let rejected = dir.path().join("rejected.sql");
    fs::write(&rejected, "select cast(fare as numeric(10, 2)) from t;")?;
    let unreadable = dir.path().join("unreadable.sql");
    fs::write(
        &unreadable,
        "create materialized view v as select from from;",
    )?;
    for (file, says) in [(&rejected, "precision or scale"), (&unreadable, "parse")] {
        let output = parse_check(&oracle, &[file])?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success() && stderr.contains(says),
            "{} must fail the check saying {says:?}, got: {stderr}",
            file.display()
        );
    }
    Ok(())
}

#[test]
fn portable_transforms_on_postgresql_equal_the_reference_silver() -> Result<()> {
    let generated = Generated::new()?;
    let stdout = generated.run_on_postgres(&[])?;

    assert_eq!(count(&stdout, "consumed"), EVENTS, "{stdout}");
    assert_eq!(
        count(&stdout, "bronze_rows"),
        generated.oracle_count("bronze_rows"),
        "{stdout}"
    );
    assert_eq!(
        count(&stdout, "silver_rows"),
        generated.oracle_count("silver_rows"),
        "{stdout}"
    );
    assert_eq!(
        count(&stdout, "silver_columns_match"),
        1,
        "Silver's columns must be the reference's, in order: {stdout}"
    );
    assert_eq!(
        (
            count(&stdout, "silver_only_engine"),
            count(&stdout, "silver_only_reference")
        ),
        (0, 0),
        "Silver must equal the reference Silver row for row: {stdout}"
    );
    let dead_letters = generated.oracle_count("dead_letters");
    assert!(dead_letters > 0, "the generation must hold malformed lines");
    assert_eq!(count(&stdout, "dead_letters"), dead_letters, "{stdout}");
    assert_eq!(
        count(&stdout, "dead_letters_mismatch"),
        0,
        "the dead-letter view must hold exactly the lines that are not JSON objects: {stdout}"
    );

    // The comparison can fail: a window that starts a day late loses that day's trips.
    assert_eq!(
        generated.oracle["window"]["start"], "2024-01-01T00:00:00",
        "the negative control below assumes the generator's default window"
    );
    let shifted = generated.run_on_postgres(&["--window-start", "2024-01-02T00:00:00"])?;
    assert!(
        count(&shifted, "silver_only_reference") > 0
            && count(&shifted, "silver_rows") < generated.oracle_count("silver_rows"),
        "a shifted window must make Silver differ from the reference: {shifted}"
    );
    assert_eq!(count(&shifted, "silver_only_engine"), 0, "{shifted}");
    Ok(())
}
