//! P14's Materialize SQL (`pipelines/14-kafka-materialize/materialize`), as far as it can be
//! checked without a Materialize server, which cannot run here (no image registry):
//!
//! - every statement `mz.py` deploys is checked by `local/parse_check.py`: the transforms
//!   parse in sqlglot's Materialize dialect into real syntax trees and read only what earlier
//!   files create; the connection, source and sink (which sqlglot reads only as opaque
//!   commands) match the shape of Materialize's grammar for them;
//! - the regular expression that splits Bronze from the dead letters (Materialize has no JSON
//!   validity test) is compiled with Rust's `regex` crate, the engine Materialize evaluates
//!   `~` with, and judges every generated message and a set of edge cases as a JSON parser
//!   (serde_json) does;
//! - the portable views run on a real PostgreSQL over the generator's JSON lines loaded as
//!   Materialize's source would hold them, and their Silver equals the reference Silver
//!   (DuckDB) row for row; the dead-letter view holds exactly the lines that are not JSON
//!   objects.
//!
//! Needs the repo's `.venv` (requirements-dev.txt: DuckDB, psycopg2 through dbt-postgres,
//! sqlglot) and a PostgreSQL server from `tests/support/postgres.sh start`, whose URL is in
//! `RTDE_TEST_POSTGRES` (as `.ci/run` sets it).

#[path = "support/tools.rs"]
mod tools;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};
use regex::Regex;
use serde_json::Value;
use tempfile::TempDir;
use tools::{EVENTS, generate_jsonl, python, repo_root, run};

fn engine_dir() -> PathBuf {
    repo_root().join("pipelines/14-kafka-materialize/materialize")
}

fn postgres_url() -> String {
    std::env::var("RTDE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RTDE_TEST_POSTGRES is not set: start a server with `tests/support/postgres.sh start` \
             and export RTDE_TEST_POSTGRES=postgres://postgres@127.0.0.1:54329/postgres"
        )
    })
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

fn parse_check(files: &[&Path]) -> Result<Output> {
    Command::new(python())
        .arg(engine_dir().join("local/parse_check.py"))
        .args(files)
        .output()
        .context("starting parse_check.py")
}

#[test]
fn every_deployed_statement_checks_as_materialize_sql() -> Result<()> {
    let output = parse_check(&[])?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Materialize SQL must check:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = fs::read_dir(engine_dir().join("sql"))?
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as u64;
    assert_eq!(
        count(&stdout, "statements_checked"),
        files,
        "mz.py must deploy every file in materialize/sql, each one statement"
    );

    // Each kind of mistake is caught: a sink to the wrong topic, a view on a relation nothing
    // created, and SQL the parser cannot read.
    let dir = tempfile::Builder::new()
        .prefix("rtde-mz-parse-")
        .tempdir()?;
    let sink = fs::read_to_string(engine_dir().join("sql/dlq_sink.sql"))?;
    let cases = [
        (
            "dlq_sink.sql",
            sink.replace("taxi.raw_trips.dlq", "taxi.raw_trips"),
            "shape of Materialize's grammar",
        ),
        (
            "orphan.sql",
            "CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM bronze_trips;".to_owned(),
            "no file before it",
        ),
        (
            "unreadable.sql",
            "CREATE MATERIALIZED VIEW v AS SELECT FROM FROM;".to_owned(),
            "parse",
        ),
    ];
    for (name, text, says) in cases {
        let file = dir.path().join(name);
        fs::write(&file, text)?;
        let output = parse_check(&[&file])?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success() && stderr.contains(says),
            "{name} must fail the check saying {says:?}, got: {stderr}"
        );
    }
    Ok(())
}

/// The pattern of `messages.sql`: the SQL string literals between `message ~ (` and
/// `) AS is_json_object`, joined as `||` joins them, quotes undoubled.
fn json_object_pattern() -> Result<String> {
    let sql = fs::read_to_string(engine_dir().join("sql/messages.sql"))?;
    let start = sql
        .find("message ~ (")
        .context("messages.sql has no `message ~ (`")?;
    let end = sql
        .find(") AS is_json_object")
        .context("messages.sql has no `) AS is_json_object`")?;
    let literal = Regex::new(r"'((?:[^']|'')*)'")?;
    let pattern: String = literal
        .captures_iter(&sql[start..end])
        .map(|c| c[1].replace("''", "'"))
        .collect();
    if pattern.is_empty() {
        bail!("no string literals in messages.sql's pattern");
    }
    Ok(pattern)
}

fn is_json_object(message: &str) -> bool {
    serde_json::from_str::<Value>(message).is_ok_and(|v| v.is_object())
}

#[test]
fn the_json_object_pattern_judges_as_a_json_parser_in_materializes_regex_engine() -> Result<()> {
    let pattern = Regex::new(&json_object_pattern()?).context("compiling with Rust's regex")?;
    let dir = tempfile::Builder::new().prefix("rtde-mz-re-").tempdir()?;
    let (jsonl, oracle) = (dir.path().join("e.jsonl"), dir.path().join("o.json"));
    let oracle = generate_jsonl(&jsonl, &oracle)?;
    let text = fs::read_to_string(&jsonl)?;
    let messages: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(messages.len() as u64, EVENTS);
    let misjudged: Vec<&&str> = messages
        .iter()
        .filter(|m| pattern.is_match(m) != is_json_object(m))
        .collect();
    assert!(misjudged.is_empty(), "misjudged: {misjudged:?}");
    let rejected = messages.iter().filter(|m| !pattern.is_match(m)).count() as u64;
    assert_eq!(rejected, oracle["dead_letters"].as_u64().unwrap());
    assert!(rejected > 0, "the generation must hold malformed lines");

    // Edge cases of JSON's grammar for flat objects, both ways.
    for case in [
        r#"{}"#,
        r#" { "a" : "\u00e9\"\\" , "b": -0.5e+3, "c": null, "d": true, "e": false } "#,
        r#"{"a": 1"#,
        r#"{"a": 01}"#,
        r#"{"a": 1,}"#,
        r#"{"a": "\q"}"#,
        "{\"a\": \"tab\there\"}",
        r#"[{"a": 1}]"#,
        r#"{"a": 1} x"#,
    ] {
        assert_eq!(
            pattern.is_match(case),
            is_json_object(case),
            "{case:?} judged unlike serde_json"
        );
    }
    // What the pattern is documented not to take: a nested value (no event has one).
    let nested = r#"{"a": {"b": 1}}"#;
    assert!(is_json_object(nested) && !pattern.is_match(nested));
    Ok(())
}

/// One generation as JSON lines, its oracle, and the reference Silver built from it by DuckDB.
struct Generated {
    dir: TempDir,
    oracle: Value,
}

impl Generated {
    fn new() -> Result<Generated> {
        let dir = tempfile::Builder::new().prefix("rtde-mz-").tempdir()?;
        let at = |name: &str| dir.path().join(name).display().to_string();
        let oracle = generate_jsonl(
            Path::new(&at("events.jsonl")),
            Path::new(&at("oracle.json")),
        )?;
        run(Command::new(python())
            .arg(repo_root().join("shared/dbt/scripts/reference_silver.py"))
            .args(["--bronze", &format!("jsonl:{}", at("events.jsonl"))])
            .args(["--oracle", &at("oracle.json")])
            .args(["--out", &at("reference")])
            .arg("--check"))
        .context("building the reference Silver")?;
        Ok(Generated { dir, oracle })
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn oracle_count(&self, name: &str) -> u64 {
        self.oracle[name]
            .as_u64()
            .unwrap_or_else(|| panic!("the oracle has no count {name}"))
    }

    fn run_on_postgres(&self, extra: &[&str]) -> Result<String> {
        run(Command::new(python())
            .arg(engine_dir().join("local/run_on_postgres.py"))
            .args(["--dsn", &postgres_url()])
            .args(["--jsonl", &self.path("events.jsonl")])
            .args(["--oracle", &self.path("oracle.json")])
            .args(["--reference-silver", &self.path("reference/silver.parquet")])
            .args(extra))
    }
}

#[test]
fn portable_views_on_postgresql_equal_the_reference_silver() -> Result<()> {
    let generated = Generated::new()?;
    let stdout = generated.run_on_postgres(&[])?;

    assert_eq!(count(&stdout, "consumed"), EVENTS, "{stdout}");
    for name in ["bronze_rows", "silver_rows", "dead_letters"] {
        assert_eq!(
            count(&stdout, name),
            generated.oracle_count(name),
            "{name}: {stdout}"
        );
    }
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
