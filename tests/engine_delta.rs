//! P13's point, shown on real Delta tables: after an overwrite, a Delta table's folder still
//! holds the files the overwrite removed from the table (until a VACUUM past the retention
//! period), and a Parquet glob over it (how the original P13's dbt source read Silver) counts
//! them; DuckDB's `delta_scan` (the dbt source's `silver_source: delta`), reading the table's
//! latest version through its log, counts Silver.
//!
//! `pipelines/13-kafka-spark-delta-lake/local/delta_glob.py` writes the reference Silver of the
//! engine tests' generation with delta-rs (PyPI `deltalake`; Spark's Delta jars are on Maven
//! Central, which this machine does not reach): two appends, then an overwrite with every row.
//!
//! Needs the repo's `.venv` (deltalake, DuckDB and its packaged delta extension, pyarrow:
//! requirements-dev.txt).

#[path = "support/tools.rs"]
mod tools;

use std::path::PathBuf;
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

/// DuckDB's extension directory that the `duckdb-ext-*` packages fill.
fn duckdb_extension_dir() -> Result<PathBuf> {
    let stdout = run(Command::new(python()).args([
        "-c",
        "import duckdb_ext; print(list(duckdb_ext.__path__)[0])",
    ]))
    .context("DuckDB's extension packages (duckdb-ext-* in shared/dbt/requirements.txt)")?;
    Ok(PathBuf::from(stdout.trim()).join("extensions"))
}

#[test]
fn a_glob_over_an_overwritten_delta_table_counts_removed_files_and_delta_scan_does_not()
-> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-delta-").tempdir()?;
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
        .arg(repo_root().join("pipelines/13-kafka-spark-delta-lake/local/delta_glob.py"))
        .arg("--silver")
        .arg(at("reference/silver.parquet"))
        .arg("--table")
        .arg(at("silver_trips"))
        .arg("--extension-dir")
        .arg(duckdb_extension_dir()?))?;
    let silver = count(&out, "silver_rows")?;
    assert_eq!(silver, oracle["silver_rows"].as_u64().unwrap());
    assert_eq!(
        count(&out, "versions")?,
        3,
        "two appends and an overwrite: {out}"
    );
    assert_eq!(count(&out, "delta_scan_rows")?, silver, "{out}");
    assert_eq!(
        count(&out, "delta_scan_differing")?,
        0,
        "delta_scan must read exactly Silver's rows: {out}"
    );
    // The two appends' files are out of the table but still on disk: the glob reads every
    // row twice, once from the appends and once from the overwrite.
    assert_eq!(count(&out, "removed_rows")?, silver, "{out}");
    assert_eq!(count(&out, "glob_rows")?, 2 * silver, "{out}");
    Ok(())
}
