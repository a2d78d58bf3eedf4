//! P22's point, shown on a real Hudi reader: a copy-on-write table whose Silver was upserted
//! holds superseded file versions, and a Parquet glob over its files (how the original P22's
//! dbt source read it) counts them; hudi-rs (PyPI `hudi`), reading the latest snapshot by the
//! table's timeline, counts Silver.
//!
//! `pipelines/22-hudi-cdc-storage/local/hudi_glob.py` writes the reference Silver of the engine
//! tests' generation as a Hudi table by hand (no Hudi writer installs here: Spark's Hudi bundle
//! is on Maven Central): one insert commit in two file groups, the first group's rows in an
//! earlier version (each fare a cent lower), then an upsert of that group to Silver's values.
//! P22's snapshot stage on the same table, and dbt on its export, are in tests/dbt_project.rs.
//!
//! Needs the repo's `.venv` (hudi, DuckDB, pyarrow: requirements-dev.txt).

#[path = "support/tools.rs"]
mod tools;

use std::process::Command;

use anyhow::{Context, Result};
use tools::{generate_jsonl, python, repo_root, run};

fn count(stdout: &str, name: &str) -> Result<u64> {
    let text = stdout
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
        .with_context(|| format!("no {name}= line in:\n{stdout}"))?;
    text.parse()
        .with_context(|| format!("{name} is not a count: {text:?}"))
}

#[test]
fn a_glob_over_an_upserted_hudi_table_counts_superseded_rows_and_its_snapshot_does_not()
-> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-hudi-").tempdir()?;
    let at = |name: &str| dir.path().join(name);
    let oracle = generate_jsonl(&at("trips.jsonl"), &at("oracle.json"))?;
    run(Command::new(python())
        .arg(repo_root().join("shared/dbt/scripts/reference_silver.py"))
        .arg("--bronze")
        .arg(format!("jsonl:{}", at("trips.jsonl").display()))
        .arg("--oracle")
        .arg(at("oracle.json"))
        .arg("--out")
        .arg(at("reference")))?;
    let out = run(Command::new(python())
        .arg(repo_root().join("pipelines/22-hudi-cdc-storage/local/hudi_glob.py"))
        .arg("--silver")
        .arg(at("reference/silver.parquet"))
        .arg("--table")
        .arg(at("silver_trips")))?;
    let silver = count(&out, "silver_rows")?;
    assert_eq!(silver, oracle["silver_rows"].as_u64().unwrap());
    assert_eq!(count(&out, "hudi_snapshot_rows")?, silver, "{out}");
    assert_eq!(
        count(&out, "snapshot_upserts_seen")?,
        count(&out, "upserted_rows")?,
        "the snapshot holds every upserted row's latest version: {out}"
    );
    // The glob reads the first file group twice: once per version.
    assert_eq!(
        count(&out, "glob_rows")?,
        silver + count(&out, "upserted_rows")?,
        "{out}"
    );
    Ok(())
}
