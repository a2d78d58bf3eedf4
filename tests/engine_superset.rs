//! P10's Superset dashboard for real: Superset 6.1.0 (`.venv-superset`, the tree pinned in
//! `pipelines/10-serving-comparison/superset/requirements.txt`) with its metadata database on
//! SQLite in a temporary home, set up as P10's container does it (`superset db upgrade`,
//! `superset fab create-admin`, `superset init`), imports the bundle that
//! `superset/bundle.py` zips from the files in `superset/assets/`. The metadata database
//! must then hold the dashboard, its four charts on the fct_trips dataset of the ClickHouse
//! database; a bundle with one broken chart file is refused, and nothing of it is imported.
//!
//! What is not real here: ClickHouse. The import does not need it (the dataset lists its
//! columns); Superset's attempt to look the table up fails to resolve the host and is only
//! a warning. That the dataset's columns are the ones P10's ClickHouse SQL creates is
//! checked in tests/serving_specs.rs.
//!
//! Needs `.venv-superset` (`.ci/run` makes it).

#[path = "support/files.rs"]
mod files;

#[path = "support/tools.rs"]
#[allow(dead_code)]
mod tools;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, ensure};
use files::copy_tree;
use serde_json::Value;
use tools::{repo_root, run};

const ASSETS: &str = "pipelines/10-serving-comparison/superset/assets";

fn venv_bin(name: &str) -> PathBuf {
    let bin = repo_root().join(".venv-superset/bin").join(name);
    assert!(
        bin.exists(),
        "{} is missing: python3 -m venv .venv-superset && .venv-superset/bin/pip install \
         --no-deps -r pipelines/10-serving-comparison/superset/requirements.txt",
        bin.display()
    );
    bin
}

/// A Superset home of its own: a config with a local secret key and a SQLite metadata DB.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Result<Home> {
        let dir = tempfile::Builder::new()
            .prefix("rtde-superset-")
            .tempdir()?;
        let config = format!(
            "SECRET_KEY = 'rtde-local-test-key-not-a-secret'\n\
             SQLALCHEMY_DATABASE_URI = 'sqlite:///{}'\n",
            dir.path().join("superset.db").display()
        );
        fs::write(dir.path().join("superset_config.py"), config)?;
        Ok(Home { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn superset(&self, args: &[&str]) -> Result<Output> {
        Command::new(venv_bin("superset"))
            .args(args)
            .env("SUPERSET_HOME", self.dir.path())
            .env("SUPERSET_CONFIG_PATH", self.path("superset_config.py"))
            .env("FLASK_APP", "superset")
            .output()
            .context("starting superset")
    }

    fn superset_ok(&self, args: &[&str]) -> Result<()> {
        let out = self.superset(args)?;
        ensure!(out.status.success(), "superset {args:?}: {}", shown(&out));
        Ok(())
    }

    /// bundle.py's zip of an assets folder, written into the home.
    fn bundle(&self, assets: &Path, name: &str) -> Result<PathBuf> {
        let zip = self.path(name);
        run(Command::new(venv_bin("python"))
            .arg(repo_root().join("pipelines/10-serving-comparison/superset/bundle.py"))
            .arg("--assets")
            .arg(assets)
            .arg("--out")
            .arg(&zip))?;
        Ok(zip)
    }

    /// `superset import-dashboards` of a bundle, as the admin (P10's start.sh does the same).
    fn import(&self, zip: &Path) -> Result<Output> {
        self.superset(&[
            "import-dashboards",
            "-p",
            &zip.display().to_string(),
            "-u",
            "admin",
        ])
    }

    /// Rows of a query on the metadata database, as JSON arrays.
    fn rows(&self, sql: &str) -> Result<Vec<Value>> {
        let script = format!(
            "import json, sqlite3; print(json.dumps(sqlite3.connect({:?}).execute({sql:?}).fetchall()))",
            self.path("superset.db").display().to_string()
        );
        let text = run(Command::new(venv_bin("python")).args(["-c", &script]))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn shown(out: &Output) -> String {
    format!(
        "exited {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn p10_superset_imports_the_dashboard_files_and_refuses_a_broken_one() -> Result<()> {
    let home = Home::new()?;
    home.superset_ok(&["db", "upgrade"])?;
    home.superset_ok(&[
        "fab",
        "create-admin",
        "--username",
        "admin",
        "--firstname",
        "rtde",
        "--lastname",
        "admin",
        "--email",
        "admin@rtde.local",
        "--password",
        "admin",
    ])?;
    // The roles and their permissions: without them the admin may not create a database.
    home.superset_ok(&["init"])?;

    // A chart without its required name: the whole bundle is refused, nothing imported.
    let broken = home.path("broken");
    copy_tree(&repo_root().join(ASSETS), &broken)?;
    let chart = broken.join("charts/hourly.yaml");
    let text = fs::read_to_string(&chart)?;
    fs::write(
        &chart,
        text.lines()
            .filter(|l| !l.starts_with("slice_name:"))
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    let zip = home.bundle(&broken, "broken.zip")?;
    let refused = home.import(&zip)?;
    let why = shown(&refused);
    assert!(
        !refused.status.success()
            && why.contains("charts/hourly.yaml")
            && why.contains("slice_name"),
        "a chart without slice_name must be refused: {why}"
    );
    assert_eq!(
        home.rows("select count(*) from dashboards")?,
        [Value::from(vec![0])]
    );
    assert_eq!(
        home.rows("select count(*) from slices")?,
        [Value::from(vec![0])]
    );

    let zip = home.bundle(&repo_root().join(ASSETS), "p10.zip")?;
    let imported = home.import(&zip)?;
    ensure!(imported.status.success(), "import: {}", shown(&imported));
    let dashboards = home.rows("select dashboard_title, slug from dashboards")?;
    assert_eq!(
        dashboards,
        [serde_json::json!([
            "P10: serving comparison (ClickHouse)",
            "p10-serving-comparison"
        ])]
    );
    let charts = home.rows(
        "select s.slice_name, t.table_name, d.database_name, d.sqlalchemy_uri \
         from dashboard_slices ds join slices s on s.id = ds.slice_id \
         join tables t on t.id = s.datasource_id join dbs d on d.id = t.database_id \
         order by s.slice_name",
    )?;
    assert_eq!(charts.len(), 4, "the dashboard's charts: {charts:?}");
    for chart in &charts {
        assert_eq!(chart[1], "fct_trips", "{chart}");
        assert_eq!(chart[2], "ClickHouse", "{chart}");
        let uri = chart[3].as_str().unwrap_or_default();
        assert!(
            uri.starts_with("clickhousedb://rtde:") && uri.ends_with("@clickhouse:8123/rtde"),
            "the stack's ClickHouse through clickhouse-connect's dialect: {uri}"
        );
    }
    let positions = home.rows("select position_json from dashboards")?;
    let position: Value = serde_json::from_str(positions[0][0].as_str().unwrap_or("{}"))?;
    let placed = position
        .as_object()
        .context("position_json is not an object")?
        .values()
        .filter(|item| item["type"] == "CHART")
        .count();
    assert_eq!(placed, 4, "every chart placed on the dashboard: {position}");
    Ok(())
}
