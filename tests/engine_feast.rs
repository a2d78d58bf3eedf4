//! P21's feature store for real: Feast 0.67 applies P21's feature repository and materializes
//! demand features computed from the reference Silver into its SQLite online store, and the
//! online values of sampled days and every payment type equal the oracle's Gold.
//!
//! `pipelines/21-feast-feature-store/feast/materialize.py` is what P21's `features` stage runs
//! (there on dbt's `fct_trips`, here on the reference Silver of the engine tests' generation):
//! the `feast apply` and `feast materialize` CLI, then `get_online_features` through the SDK.
//! The check must be able to fail: read against an oracle with one day's revenue a cent
//! higher, the same online store gives exactly one mismatch.
//!
//! Needs the Feast venv `.venv-feast` (`pipelines/21-feast-feature-store/feast/requirements.txt`;
//! `.ci/run` makes it) and the repo's `.venv` (DuckDB, for the reference Silver).

#[path = "support/tools.rs"]
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::Value;
use tools::{generate_jsonl, python, repo_root, run};

fn feast_python() -> PathBuf {
    let python = repo_root().join(".venv-feast/bin/python");
    assert!(
        python.exists(),
        "{} is missing: python3 -m venv .venv-feast && .venv-feast/bin/pip install --no-deps \
         -r pipelines/21-feast-feature-store/feast/requirements.txt",
        python.display()
    );
    python
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn count(stdout: &str, name: &str) -> Result<u64> {
    let text = stdout
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
        .with_context(|| format!("no {name}= line in:\n{stdout}"))?;
    text.parse()
        .with_context(|| format!("{name} is not a count: {text:?}"))
}

#[test]
fn feast_applies_and_materializes_and_its_online_features_equal_the_oracle() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-feast-").tempdir()?;
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
    ]))
    .context("building the reference Silver")?;

    let materialize = |args: &[&str], oracle: &Path| {
        run(Command::new(feast_python())
            .arg(repo_root().join("pipelines/21-feast-feature-store/feast/materialize.py"))
            .args(args)
            .arg("--oracle")
            .arg(oracle)
            .arg("--work")
            .arg(at("feast")))
    };
    let silver = format!("parquet:{}", at("reference/silver.parquet").display());
    let started = Instant::now();
    let out = materialize(&["--silver", &silver], &at("oracle.json"))?;
    eprintln!(
        "feast: {out}in {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    let payment_types = oracle["gold"]["payment_type"].as_array().unwrap().len() as u64;
    assert_eq!(count(&out, "feast_entities_checked")?, 10 + payment_types);
    assert_eq!(count(&out, "feast_mismatches")?, 0, "{out}");
    // The online store is Feast's SQLite file, made by `feast materialize`.
    assert!(at("feast/data/online.db").metadata()?.len() > 0);
    assert!(at("feast/data/registry.db").exists());

    let mut tampered: Value = oracle.clone();
    let first = &mut tampered["gold"]["daily"][0]["revenue_cents"];
    *first = Value::from(first.as_i64().unwrap() + 1);
    std::fs::write(at("tampered.json"), serde_json::to_vec(&tampered)?)?;
    let out = materialize(&["--compare-only"], &at("tampered.json"))?;
    assert_eq!(count(&out, "feast_mismatches")?, 1, "{out}");
    Ok(())
}
