//! P23's serving step on ClickHouse's engine: `pipelines/23-full-stack-capstone/clickhouse/
//! serve.sql` (what the stack's ClickHouse server runs, through serve.sh) on chDB, the same
//! engine in process, since no ClickHouse server can be had here.
//!
//! The SQL turns a Gold document (export_gold.py's shape) and the oracle into rows ClickHouse
//! serves and compares them list by list. Fed the oracle's own Gold it must find the four
//! lists equal; with one hourly trip count off by one, exactly that list differs. That dbt's
//! Gold equals the oracle is tested on DuckDB and PostgreSQL (tests/dbt_project.rs); here the
//! ClickHouse side is.
//!
//! Needs the repo's `.venv` with chdb (requirements-dev.txt).

#[path = "support/tools.rs"]
mod tools;

use std::process::Command;

use anyhow::Result;
use serde_json::Value;
use tools::{generate_jsonl, python, repo_root, run};

#[test]
fn p23_clickhouse_sql_serves_gold_and_finds_a_wrong_list() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-p23-").tempdir()?;
    let at = |name: &str| dir.path().join(name);
    let oracle = generate_jsonl(&at("trips.jsonl"), &at("oracle.json"))?;
    let serve = |gold: &Value| -> Result<String> {
        std::fs::write(at("gold.json"), serde_json::to_vec(gold)?)?;
        run(Command::new(python())
            .arg(repo_root().join("pipelines/23-full-stack-capstone/clickhouse/serve_chdb.py"))
            .arg("--gold")
            .arg(at("gold.json"))
            .arg("--oracle")
            .arg(at("oracle.json")))
    };
    let mut gold = oracle["gold"].clone();
    let same = serve(&gold)?;
    assert!(same.contains("serving_lists=4\n"), "{same}");
    assert!(same.contains("serving_lists_equal=4"), "{same}");

    let trips = &mut gold["hourly"][3]["trips"];
    *trips = Value::from(trips.as_i64().unwrap() + 1);
    let differs = serve(&gold)?;
    assert!(differs.contains("serving_lists_equal=3"), "{differs}");
    Ok(())
}
