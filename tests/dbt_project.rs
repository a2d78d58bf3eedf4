//! The canonical dbt project (`shared/dbt`) end to end on DuckDB, with real dbt and real DuckDB.
//!
//! Each test generates events with `rtde generate` (fixed seed), builds Bronze and Silver with
//! the reference SQL (`shared/dbt/reference`), runs `dbt build` and `dbt source freshness` on a
//! temporary copy of the project, and checks the outcome against the generator's oracle:
//! every dbt test passes, and the Gold lists equal the oracle's to the cent. A tampered Silver
//! row must make the oracle check fail. The same project is also built on a real PostgreSQL
//! server (the `postgres` target PostgreSQL-wire engines use), started privately by the test,
//! and on the `duckdb_lake` target over the reference Silver written as a real Iceberg table
//! (pyiceberg) and a real Delta table (delta-rs), read by DuckDB's extensions from the
//! `duckdb-ext-*` packages, without network.
//!
//! RisingWave cannot run here, so its target is checked in two halves: the project compiled
//! for `risingwave` (no server needed) must parse as RisingWave SQL with no `decimal(p, s)`,
//! and the RisingWave implementations of the project's dispatch macros, run on PostgreSQL in
//! place of PostgreSQL's own, must pass every data test and give Gold equal to the oracle.
//! Materialize cannot run here either: the project compiled for `materialize` (dbt-materialize,
//! no server needed) must parse in sqlglot's Materialize dialect. P11's Soda Core checks run
//! on the DuckDB file the project built, with Soda's own DuckDB (`.venv-soda`).
//!
//! P10 serves dbt's fact table from ClickHouse, which cannot run here either: the fct_trips
//! that dbt builds, exported by `export_fact.py`, is loaded through P10's ClickHouse SQL and
//! served by `shared/serving/serve.py` on chDB (ClickHouse's engine in process, the repo's
//! `.venv`), the same SQL and driver the stack's ClickHouse server is given.
//!
//! Needs the repo's `.venv` with `requirements-dev.txt` installed and `.venv-soda` with
//! `pipelines/11-observability-stack/soda/requirements.txt` (CI's `.ci/run` makes both), and
//! PostgreSQL's server programs (Debian's `postgresql` package); a missing tool fails the test
//! with what to install.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use tempfile::TempDir;

const SEED: u64 = 42;
const EVENTS: u64 = 10_000;
/// The floor: the original framework's best pipeline ran 94 tests.
const MIN_DATA_TESTS: usize = 94;
/// One unit test or more for each non-trivial model (see the `unit_tests:` blocks).
const MIN_UNIT_TESTS: usize = 17;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python tools of the repo's virtual environment.
struct Venv {
    python: PathBuf,
    dbt: PathBuf,
}

impl Venv {
    fn find() -> Venv {
        let bin = repo_root().join(".venv/bin");
        let venv = Venv {
            python: bin.join("python"),
            dbt: bin.join("dbt"),
        };
        for tool in [&venv.python, &venv.dbt] {
            assert!(
                tool.exists(),
                "{} is missing: create the venv with `python3 -m venv .venv && \
                 .venv/bin/pip install -r requirements-dev.txt` at the repo root",
                tool.display()
            );
        }
        venv
    }

    /// The DuckDB extension directory that the `duckdb-ext-*` packages fill (each adds
    /// `v<DuckDB>/<platform>/<name>.duckdb_extension`), inside the package `duckdb_ext`.
    fn duckdb_extension_dir(&self) -> Result<PathBuf> {
        let stdout = run(Command::new(&self.python).args([
            "-c",
            "import duckdb_ext; print(list(duckdb_ext.__path__)[0])",
        ]))
        .context("DuckDB's extension packages (duckdb-ext-* in shared/dbt/requirements.txt)")?;
        Ok(PathBuf::from(stdout.trim()).join("extensions"))
    }
}

/// Runs a command and returns its output, whatever its exit status.
fn run_unchecked(command: &mut Command) -> Result<Output> {
    command
        .output()
        .with_context(|| format!("starting {command:?}"))
}

/// Runs a command and returns its stdout; a failure carries the command, stdout and stderr.
fn run(command: &mut Command) -> Result<String> {
    let output = run_unchecked(command)?;
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

/// `name=value` lines of a helper script's stdout, as a JSON object of integers.
fn parse_counts(stdout: &str) -> Result<Value> {
    let mut counts = serde_json::Map::new();
    for line in stdout.lines() {
        let (name, value) = line
            .split_once('=')
            .with_context(|| format!("expected name=value, got {line:?}"))?;
        let value: u64 = value
            .parse()
            .with_context(|| format!("{name} is not a count: {value:?}"))?;
        counts.insert(name.to_owned(), json!(value));
    }
    Ok(Value::Object(counts))
}

/// The value of the `name=value` line called `name` in a helper script's stdout.
fn value_of(stdout: &str, name: &str) -> Result<String> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
        .map(str::to_owned)
        .with_context(|| format!("no {name}= line in {stdout:?}"))
}

/// Copies a directory tree, leaving out what dbt and Python write (target, logs, caches).
fn copy_project(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if ["target", "logs", "dbt_packages", "__pycache__"]
            .contains(&name.to_string_lossy().as_ref())
        {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_project(&source, &destination)?;
        } else {
            fs::copy(&source, &destination)
                .with_context(|| format!("copying {}", source.display()))?;
        }
    }
    Ok(())
}

/// One generation (both sinks, the oracle, the seeds) and a private copy of the dbt project.
struct Prepared {
    venv: Venv,
    dir: TempDir,
    project: PathBuf,
    oracle: Value,
}

impl Prepared {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn new() -> Result<Prepared> {
        let venv = Venv::find();
        let dir = tempfile::Builder::new().prefix("rtde-dbt-").tempdir()?;
        let at = |name: &str| dir.path().join(name).display().to_string();
        run(Command::new(env!("CARGO_BIN_EXE_rtde")).args([
            "generate",
            "--events",
            &EVENTS.to_string(),
            "--seed",
            &SEED.to_string(),
            "--sink",
            &format!("parquet:{}", at("bronze.parquet")),
            "--sink",
            &format!("jsonl:{}", at("bronze.jsonl")),
            "--oracle-out",
            &at("oracle.json"),
        ]))
        .context("generating events with `rtde generate` (is the generator merged?)")?;
        let oracle: Value = serde_json::from_str(&fs::read_to_string(at("oracle.json"))?)
            .context("parsing the oracle")?;

        let project = dir.path().join("dbt");
        copy_project(&repo_root().join("shared/dbt"), &project)?;
        run(Command::new(env!("CARGO_BIN_EXE_rtde")).args([
            "generate",
            "--seeds",
            &project.join("seeds").display().to_string(),
        ]))
        .context("writing the seeds with `rtde generate --seeds`")?;

        Ok(Prepared {
            venv,
            dir,
            project,
            oracle,
        })
    }

    /// The reference Silver from the Parquet sink, in `silver/`, as most tests start.
    fn silver_from_parquet(&self) -> Result<Value> {
        self.reference_silver(
            &format!("parquet:{}", self.path("bronze.parquet").display()),
            "silver",
        )
    }

    /// Runs the reference Bronze + Silver SQL over one sink; returns the printed counts.
    fn reference_silver(&self, bronze: &str, out: &str) -> Result<Value> {
        let stdout = run(Command::new(&self.venv.python).args([
            repo_root()
                .join("shared/dbt/scripts/reference_silver.py")
                .to_str()
                .context("non-UTF-8 repo path")?,
            "--bronze",
            bronze,
            "--oracle",
            &self.path("oracle.json").display().to_string(),
            "--out",
            &self.path(out).display().to_string(),
        ]))?;
        parse_counts(&stdout)
    }

    /// Runs one dbt command on the project copy against `silver.parquet` in `silver_dir`.
    fn dbt(&self, args: &[&str], silver_dir: &str, database: &str) -> Result<Output> {
        let vars = json!({
            "silver_source": "parquet",
            "silver_path": self.path(silver_dir).join("silver.parquet"),
            "oracle_path": self.path("oracle.json"),
        });
        let env = [
            ("RTDE_DBT_TARGET", "duckdb".to_owned()),
            (
                "RTDE_DBT_DUCKDB_PATH",
                self.path(database).display().to_string(),
            ),
        ];
        self.dbt_with(args, vars, &env)
    }

    /// Runs one dbt command on the project copy with these vars (the oracle's window is
    /// added) and these environment variables (the profile's settings).
    fn dbt_with(&self, args: &[&str], mut vars: Value, env: &[(&str, String)]) -> Result<Output> {
        let window = &self.oracle["window"];
        vars["window_start"] = window["start"].clone();
        vars["window_end"] = window["end"].clone();
        run_unchecked(
            Command::new(&self.venv.dbt)
                .args(args)
                .arg("--project-dir")
                .arg(&self.project)
                .arg("--profiles-dir")
                .arg(&self.project)
                .arg("--vars")
                .arg(vars.to_string())
                .envs(env.iter().map(|(name, value)| (name, value)))
                .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
                .current_dir(self.dir.path()),
        )
    }

    fn run_results(&self) -> Result<Value> {
        let path = self.project.join("target/run_results.json");
        let text = fs::read_to_string(&path).with_context(|| format!("reading {path:?}"))?;
        Ok(serde_json::from_str(&text)?)
    }

    /// The Gold lists of a built DuckDB file, in the oracle's shape.
    fn gold(&self, database: &str) -> Result<Value> {
        let stdout = run(Command::new(&self.venv.python).args([
            repo_root()
                .join("shared/dbt/scripts/export_gold.py")
                .to_str()
                .context("non-UTF-8 repo path")?,
            "--duckdb",
            &self.path(database).display().to_string(),
        ]))?;
        Ok(serde_json::from_str(&stdout)?)
    }

    /// Rows that are in one Silver Parquet file and not in the other (0 when equal).
    fn silver_difference(&self, left: &str, right: &str) -> Result<u64> {
        let (left, right) = (
            self.path(left).join("silver.parquet"),
            self.path(right).join("silver.parquet"),
        );
        let query = format!(
            "select count(*) from ((from '{l}' except all from '{r}') \
             union all (from '{r}' except all from '{l}'))",
            l = left.display(),
            r = right.display()
        );
        let stdout = run(Command::new(&self.venv.python).args([
            "-c",
            // No progress bar among the output on a loaded machine.
            &format!(
                "import duckdb; con = duckdb.connect(); con.execute('set enable_progress_bar = false'); \
                 print(con.sql({query:?}).fetchone()[0])"
            ),
        ]))?;
        Ok(stdout.trim().parse()?)
    }

    /// Runs `tests/support/silver_lake.py` on `silver/silver.parquet`; returns its stdout.
    fn silver_lake(&self, action: &str, args: &[&str]) -> Result<String> {
        run(Command::new(&self.venv.python)
            .arg(repo_root().join("tests/support/silver_lake.py"))
            .arg(action)
            .arg("--silver")
            .arg(self.path("silver/silver.parquet"))
            .args(args))
        .with_context(|| {
            format!("silver_lake.py {action} (its packages are in requirements-dev.txt)")
        })
    }

    /// The environment of the `duckdb_lake` target, with Gold in `database`.
    fn lake_env(&self, database: &str) -> Result<[(&'static str, String); 3]> {
        Ok([
            ("RTDE_DBT_TARGET", "duckdb_lake".to_owned()),
            (
                "RTDE_DBT_DUCKDB_PATH",
                self.path(database).display().to_string(),
            ),
            (
                "RTDE_DUCKDB_EXTENSION_DIR",
                self.venv.duckdb_extension_dir()?.display().to_string(),
            ),
        ])
    }

    /// Checks that `relation` (DuckDB SQL reading the lake table with the packaged
    /// extensions) holds exactly the reference Silver's rows, with the same column types.
    fn assert_lake_holds_silver(&self, relation: &str) -> Result<()> {
        let extension_dir = self.venv.duckdb_extension_dir()?.display().to_string();
        let stdout = self.silver_lake(
            "compare",
            &["--relation", relation, "--extension-dir", &extension_dir],
        )?;
        let counts = parse_counts(&stdout)?;
        ensure!(
            counts["rows_differing"] == json!(0) && counts["same_types"] == json!(1),
            "{relation} must hold the reference Silver's rows with its types: {counts}"
        );
        Ok(())
    }

    /// Runs `dbt build` on the `duckdb_lake` target with these Silver vars and Gold in
    /// `database`; checks that every test passed (the oracle's included) and that Gold equals
    /// the oracle. Prints how long `dbt build` took (`--no-capture` shows it).
    fn build_on_lake(&self, mut vars: Value, database: &str) -> Result<()> {
        vars["oracle_path"] = json!(self.path("oracle.json"));
        let started = Instant::now();
        let build = self.dbt_with(&["build"], vars.clone(), &self.lake_env(database)?)?;
        let took = started.elapsed();
        let statuses = test_statuses(&self.run_results()?);
        passed_with_the_oracle(&build, &statuses, &format!("on {vars}"))?;
        ensure!(
            self.gold(database)? == self.oracle["gold"],
            "Gold built from {vars} must equal the oracle"
        );
        eprintln!("dbt build on {vars}: {:.1} s", took.as_secs_f64());
        Ok(())
    }
}

/// A private PostgreSQL server in a temp directory, stopped when dropped.
///
/// PostgreSQL refuses to run as root, so when the test runs as root (as CI does) the server
/// runs as the `postgres` user that Debian's package creates.
struct PostgresServer {
    pg_ctl: PathBuf,
    data: PathBuf,
    as_postgres_user: bool,
    port: u16,
    _dir: TempDir,
}

impl PostgresServer {
    fn start() -> Result<PostgresServer> {
        let bin = postgres_bin_dir()?;
        let dir = tempfile::Builder::new().prefix("rtde-pg-").tempdir()?;
        let data = dir.path().join("data");
        let as_postgres_user = run(Command::new("id").arg("-u"))?.trim() == "0";
        if as_postgres_user {
            run(Command::new("chown").args(["postgres:", &dir.path().display().to_string()]))
                .context("handing the server's directory to the postgres user")?;
        }
        // Ask the kernel for a free port; the listener is closed before the server binds it.
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let server = PostgresServer {
            pg_ctl: bin.join("pg_ctl"),
            data,
            as_postgres_user,
            port,
            _dir: dir,
        };
        let data = server.data.display().to_string();
        let socket_dir = server.data.parent().context("data dir has a parent")?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            socket_dir.display()
        );
        run(&mut server.command(
            &bin.join("initdb"),
            &["-D", &data, "-A", "trust", "-U", "postgres"],
        ))?;
        // -w waits until the server accepts connections (or the -t deadline passes). -l sends
        // the server's output to a file: a server left holding our stdout pipe would keep
        // `output()` waiting for an end of file that never comes.
        let log = socket_dir.join("server.log").display().to_string();
        run(&mut server.command(
            &server.pg_ctl,
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "120", "start",
            ],
        ))
        .context("starting PostgreSQL")?;
        Ok(server)
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut command = if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }

    fn dsn(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let stopped = run(&mut self.command(
            &self.pg_ctl,
            &["-D", &data, "-m", "immediate", "-w", "stop"],
        ));
        if let Err(err) = stopped {
            eprintln!("stopping the test's PostgreSQL server failed: {err:#}");
        }
    }
}

/// Where PostgreSQL's server programs are: on PATH, else Debian's versioned directory.
fn postgres_bin_dir() -> Result<PathBuf> {
    if let Ok(path) = run(Command::new("sh").args(["-c", "command -v initdb"])) {
        let initdb = fs::canonicalize(path.trim())?;
        return Ok(initdb
            .parent()
            .context("initdb has a directory")?
            .to_owned());
    }
    let mut versions: Vec<_> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().context(
        "PostgreSQL's server programs (initdb, pg_ctl) are missing: apt-get install postgresql",
    )
}

/// (unique_id, status) of every data test and unit test in a run_results document.
fn test_statuses(run_results: &Value) -> Vec<(String, String)> {
    run_results["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["unique_id"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(id, _)| id.starts_with("test.") || id.starts_with("unit_test."))
        .collect()
}

/// Fails unless dbt exited 0 and every test in `statuses` passed; returns the number of data
/// tests (the rest are unit tests). `on` names the build in the message.
fn every_test_passed(build: &Output, statuses: &[(String, String)], on: &str) -> Result<usize> {
    let not_passed: Vec<_> = statuses.iter().filter(|(_, s)| s != "pass").collect();
    ensure!(
        build.status.success() && not_passed.is_empty(),
        "dbt build {on} must pass every test; not passed: {not_passed:?}\n{}",
        stdout_of(build)
    );
    Ok(statuses
        .iter()
        .filter(|(id, _)| id.starts_with("test."))
        .count())
}

/// [`every_test_passed`], and at least the floor of data tests ran with the four comparisons
/// with the oracle among them: a build that passes by running fewer tests is no pass.
fn passed_with_the_oracle(
    build: &Output,
    statuses: &[(String, String)],
    on: &str,
) -> Result<usize> {
    let data_tests = every_test_passed(build, statuses, on)?;
    let oracle = statuses
        .iter()
        .filter(|(id, _)| id.contains("matches_oracle"))
        .count();
    ensure!(
        data_tests >= MIN_DATA_TESTS && oracle == 4,
        "{data_tests} data tests ran {on}, the floor is {MIN_DATA_TESTS} with the four oracle \
         comparisons: {statuses:?}"
    );
    Ok(data_tests)
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn dbt_build_on_reference_silver_passes_every_test_and_equals_the_oracle() -> Result<()> {
    let prepared = Prepared::new()?;
    let oracle = &prepared.oracle;

    // The reference Silver from both sinks agrees with the oracle's counts and with itself.
    let from_parquet = prepared.reference_silver(
        &format!("parquet:{}", prepared.path("bronze.parquet").display()),
        "silver_parquet",
    )?;
    let from_jsonl = prepared.reference_silver(
        &format!("jsonl:{}", prepared.path("bronze.jsonl").display()),
        "silver_jsonl",
    )?;
    for counts in [&from_parquet, &from_jsonl] {
        assert_eq!(counts["bronze_rows"], oracle["bronze_rows"], "{counts}");
        assert_eq!(counts["silver_rows"], oracle["silver_rows"], "{counts}");
    }
    assert_eq!(
        from_jsonl["dead_letters"], oracle["dead_letters"],
        "malformed JSON lines must become dead letters, each counted"
    );
    assert_eq!(
        prepared.silver_difference("silver_parquet", "silver_jsonl")?,
        0,
        "Silver from the Parquet and the JSON lines sinks must hold the same rows"
    );

    let build = prepared.dbt(&["build"], "silver_parquet", "gold.duckdb")?;
    let run_results = prepared.run_results()?;
    let statuses = test_statuses(&run_results);
    let data_tests = every_test_passed(&build, &statuses, "on DuckDB")?;
    let unit_tests = statuses.len() - data_tests;
    assert!(
        data_tests >= MIN_DATA_TESTS,
        "{data_tests} data tests ran, the floor is {MIN_DATA_TESTS}"
    );
    assert!(
        unit_tests >= MIN_UNIT_TESTS,
        "{unit_tests} unit tests ran, expected {MIN_UNIT_TESTS} or more"
    );
    assert!(
        statuses
            .iter()
            .filter(|(id, _)| id.contains("matches_oracle"))
            .count()
            == 4,
        "the four oracle comparisons must run inside dbt build: {statuses:?}"
    );

    // What the manifests' `dbt` stage captures.
    let summary = parse_counts(&run(Command::new(&prepared.venv.python).args([
        repo_root()
            .join("shared/dbt/scripts/dbt_summary.py")
            .to_str()
            .context("non-UTF-8 repo path")?,
        prepared
            .project
            .join("target/run_results.json")
            .to_str()
            .context("non-UTF-8 temp path")?,
    ]))?)?;
    assert_eq!(summary["dbt_pass"], json!(statuses.len()), "{summary}");
    assert_eq!(summary["dbt_total"], json!(statuses.len()), "{summary}");

    // Gold equals the oracle, checked outside dbt too.
    assert_eq!(
        prepared.gold("gold.duckdb")?,
        oracle["gold"],
        "Gold must equal the oracle"
    );

    // Freshness is measured against the window's end (see docs/dbt.md); fresh Silver passes.
    let freshness = prepared.dbt(&["source", "freshness"], "silver_parquet", "gold.duckdb")?;
    assert!(
        freshness.status.success(),
        "dbt source freshness failed:\n{}",
        stdout_of(&freshness)
    );
    let sources: Value = serde_json::from_str(&fs::read_to_string(
        prepared.project.join("target/sources.json"),
    )?)?;
    assert_eq!(
        sources["results"][0]["status"], "pass",
        "freshness of silver.trips: {}",
        sources["results"][0]
    );
    Ok(())
}

fn script(name: &str) -> PathBuf {
    repo_root().join("shared/dbt/scripts").join(name)
}

/// A private PostgreSQL server holding the reference Silver where a PostgreSQL-wire engine
/// keeps it (public.silver_trips), and the profile settings of the `postgres` target for it.
fn postgres_with_silver(prepared: &Prepared) -> Result<(PostgresServer, Vec<(&str, String)>)> {
    prepared.silver_from_parquet()?;
    let server = PostgresServer::start()?;
    run(Command::new(&prepared.venv.python)
        .arg(script("load_silver_postgres.py"))
        .arg("--silver")
        .arg(prepared.path("silver/silver.parquet"))
        .args(["--dsn", &server.dsn()]))?;
    let env = vec![
        ("RTDE_DBT_TARGET", "postgres".to_owned()),
        ("RTDE_PG_HOST", "127.0.0.1".to_owned()),
        ("RTDE_PG_PORT", server.port.to_string()),
        ("RTDE_PG_USER", "postgres".to_owned()),
        ("RTDE_PG_DATABASE", "postgres".to_owned()),
        ("RTDE_PG_SCHEMA", "gold".to_owned()),
    ];
    Ok((server, env))
}

#[test]
fn dbt_build_on_postgresql_passes_every_test_and_equals_the_oracle() -> Result<()> {
    let prepared = Prepared::new()?;
    let (server, env) = postgres_with_silver(&prepared)?;
    // PostgreSQL cannot read the oracle file from SQL: the oracle tests are left out here and
    // Gold is compared with the oracle below instead.
    let build = prepared.dbt_with(
        &["build", "--exclude", "tag:oracle"],
        json!({"silver_source": "postgres"}),
        &env,
    )?;
    let statuses = test_statuses(&prepared.run_results()?);
    let data_tests = every_test_passed(&build, &statuses, "on PostgreSQL")?;
    assert!(
        data_tests >= MIN_DATA_TESTS,
        "{data_tests} data tests ran on PostgreSQL, the floor is {MIN_DATA_TESTS}"
    );

    let gold = run(Command::new(&prepared.venv.python)
        .arg(script("export_gold.py"))
        .args(["--postgres", &server.dsn()]))?;
    assert_eq!(
        serde_json::from_str::<Value>(&gold)?,
        prepared.oracle["gold"],
        "Gold built on PostgreSQL must equal the oracle"
    );
    Ok(())
}

/// The dbt vars `iceberg_metadata.py` makes from a REST catalog's answers, and the rows
/// `rtde probe` counts there (P02's Silver under a sustained load). No REST catalog server
/// installs here, so a stand-in (tests/support/iceberg_rest_standin.py) serves Lakekeeper's
/// two answers for the table pyiceberg wrote.
fn ask_rest_catalog(venv: &Venv, metadata: &str) -> Result<(Value, u64)> {
    use std::io::{BufRead, BufReader};
    let mut standin = Command::new(&venv.python)
        .arg(repo_root().join("tests/support/iceberg_rest_standin.py"))
        .arg(metadata)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("starting the REST catalog stand-in")?;
    let mut port = String::new();
    BufReader::new(standin.stdout.take().context("stand-in stdout")?).read_line(&mut port)?;
    let asked = run(Command::new(&venv.python).args([
        repo_root()
            .join("shared/dbt/scripts/iceberg_metadata.py")
            .to_str()
            .context("non-UTF-8 repo path")?,
        "--catalog",
        &format!("http://127.0.0.1:{}/catalog", port.trim()),
        "--warehouse",
        "warehouse",
        "--table",
        "taxi.silver_trips",
    ]));
    let probed = run(Command::new(env!("CARGO_BIN_EXE_rtde")).args([
        "probe",
        "--silver",
        &format!(
            "iceberg-rest://127.0.0.1:{}/catalog?warehouse=warehouse&table=taxi.silver_trips",
            port.trim()
        ),
        "--polls",
        "1",
    ]));
    let _ = standin.kill();
    let _ = standin.wait();
    let vars: Value = serde_json::from_str(&asked?)?;
    ensure!(vars["silver_source"] == "iceberg", "{vars}");
    let probed = probed?;
    let rows = probed
        .split_once("rows=")
        .and_then(|(_, n)| n.trim().parse().ok())
        .with_context(|| format!("no rows= in the probe's line {probed:?}"))?;
    Ok((vars, rows))
}

#[test]
fn dbt_build_on_iceberg_silver_passes_every_test_and_equals_the_oracle() -> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    let warehouse = prepared.path("warehouse").display().to_string();
    let written = prepared.silver_lake("iceberg", &["--warehouse", &warehouse])?;

    // Through the metadata file, as a REST catalog names the table's current state: the
    // vars come from shared/dbt/scripts/iceberg_metadata.py, as in P01/P04's dbt stage.
    let metadata = value_of(&written, "metadata")?;
    prepared.assert_lake_holds_silver(&format!("iceberg_scan('{metadata}')"))?;
    let (vars, probed_rows) = ask_rest_catalog(&prepared.venv, &metadata)?;
    ensure!(vars["silver_iceberg_path"] == metadata, "{vars}");
    // The table was appended in three commits: the current snapshot's total is every row.
    ensure!(
        Some(probed_rows) == prepared.oracle["silver_rows"].as_u64(),
        "rtde probe counted {probed_rows} rows in the Iceberg Silver; the oracle has {}",
        prepared.oracle["silver_rows"]
    );
    prepared.build_on_lake(vars, "iceberg_metadata.duckdb")?;

    // Through the table's folder after it moved, as when a stack's bucket is mounted or
    // copied elsewhere: allow_moved_paths finds the files under the folder given, not where
    // the writer recorded them (they are gone).
    let root = PathBuf::from(value_of(&written, "root")?);
    let moved = prepared.path("moved_trips");
    fs::rename(&root, &moved)?;
    prepared.build_on_lake(
        json!({"silver_source": "iceberg", "silver_iceberg_path": moved}),
        "iceberg_moved.duckdb",
    )?;
    Ok(())
}

#[test]
fn dbt_build_on_delta_silver_passes_every_test_and_equals_the_oracle() -> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    let table = prepared.path("delta_trips").display().to_string();
    let written = prepared.silver_lake("delta", &["--table", &table])?;
    let root = value_of(&written, "table")?;
    prepared.assert_lake_holds_silver(&format!("delta_scan('{root}')"))?;
    prepared.build_on_lake(
        json!({"silver_source": "delta", "silver_delta_path": root}),
        "delta.duckdb",
    )
}

/// P13 as far as it runs here: the Spark jobs' transforms (`shared/spark/jobs/transforms.py`,
/// PySpark local mode through `shared/spark/local/run_local.py`, as P02's engine test) make
/// Silver from the generator's JSON lines; that Silver, written as a Delta table, is what dbt's
/// delta source reads. delta-spark's jars are on Maven Central, which this machine does not
/// reach, so the Delta table is written by delta-rs from the Spark job's rows (three appends,
/// as a streaming job commits) rather than by the job's own Delta writer (tables.Delta).
#[test]
fn p13_spark_silver_as_a_delta_table_builds_every_test_and_equals_the_oracle() -> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    let spark = prepared.path("spark");
    let counts = run(Command::new(&prepared.venv.python)
        .arg(repo_root().join("shared/spark/local/run_local.py"))
        .arg("--events")
        .arg(prepared.path("bronze.jsonl"))
        .arg("--oracle")
        .arg(prepared.path("oracle.json"))
        .arg("--out")
        .arg(&spark))
    .context("the Spark transforms in local mode (pyspark in requirements-dev.txt, Java 17)")?;
    ensure!(
        json!(value_of(&counts, "silver_rows")?.parse::<u64>()?) == prepared.oracle["silver_rows"],
        "Spark's Silver must hold the oracle's rows: {counts}"
    );
    let table = prepared.path("p13_delta_trips");
    let written = run(Command::new(&prepared.venv.python)
        .arg(repo_root().join("tests/support/silver_lake.py"))
        .arg("delta")
        .arg("--silver")
        .arg(spark.join("silver"))
        .arg("--table")
        .arg(&table))?;
    let root = value_of(&written, "table")?;
    // The Delta table of Spark's rows holds exactly the reference Silver, with its types.
    prepared.assert_lake_holds_silver(&format!("delta_scan('{root}')"))?;
    prepared.build_on_lake(
        json!({"silver_source": "delta", "silver_delta_path": root}),
        "p13.duckdb",
    )
}

/// P22's snapshot stage (`pipelines/22-hudi-cdc-storage/snapshot/hudi_silver.py`, what the
/// stack runs before dbt) on a Hudi copy-on-write table with an upsert: the table is written by
/// hand for the test (`local/hudi_glob.py`: the first file group inserted in an earlier
/// version, then upserted to Silver's values; no Hudi writer installs here), the stage exports
/// the latest snapshot that hudi-rs reads by the timeline, and dbt (P22's plain DuckDB target)
/// builds on the export with every test passing and Gold equal to the oracle. A glob over the
/// same table would hold the superseded versions too (tests/engine_hudi.rs).
#[test]
fn p22_hudi_snapshot_stage_gives_dbt_silver_that_builds_every_test_and_equals_the_oracle()
-> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    let table = prepared.path("p22_hudi_trips");
    let written = run(Command::new(&prepared.venv.python)
        .arg(repo_root().join("pipelines/22-hudi-cdc-storage/local/hudi_glob.py"))
        .arg("--silver")
        .arg(prepared.path("silver/silver.parquet"))
        .arg("--table")
        .arg(&table))?;
    ensure!(
        value_of(&written, "glob_rows")? != value_of(&written, "silver_rows")?,
        "the table must hold superseded versions for the test to mean anything: {written}"
    );
    let export = prepared.path("hudi_snapshot/silver.parquet");
    let vars_file = prepared.path("hudi_snapshot/dbt_vars.json");
    let stage = run(Command::new(&prepared.venv.python)
        .arg(repo_root().join("pipelines/22-hudi-cdc-storage/snapshot/hudi_silver.py"))
        .arg("--table")
        .arg(&table)
        .arg("--out")
        .arg(&export)
        .arg("--vars-out")
        .arg(&vars_file))?;
    ensure!(
        json!(value_of(&stage, "snapshot_rows")?.parse::<u64>()?) == prepared.oracle["silver_rows"],
        "the snapshot must hold the oracle's Silver rows: {stage}"
    );
    let vars: Value = serde_json::from_str(&fs::read_to_string(&vars_file)?)?;
    ensure!(
        vars == json!({"silver_source": "parquet", "silver_path": export}),
        "the stage's dbt vars must name its export: {vars}"
    );
    ensure!(
        prepared.silver_difference("silver", "hudi_snapshot")? == 0,
        "the snapshot must hold exactly the reference Silver's rows"
    );
    // The same column types as the reference Silver (zone-less timestamps again).
    let describe = |path: PathBuf| {
        run(Command::new(&prepared.venv.python).args([
            "-c",
            &format!(
                "import duckdb; print(duckdb.sql(\"describe from '{}'\").fetchall())",
                path.display()
            ),
        ]))
    };
    assert_eq!(
        describe(export)?,
        describe(prepared.path("silver/silver.parquet"))?,
        "the snapshot's columns and types must be the contract's"
    );

    let build = prepared.dbt(&["build"], "hudi_snapshot", "p22.duckdb")?;
    let statuses = test_statuses(&prepared.run_results()?);
    passed_with_the_oracle(&build, &statuses, "on the Hudi snapshot")?;
    ensure!(
        prepared.gold("p22.duckdb")? == prepared.oracle["gold"],
        "Gold built from the Hudi snapshot must equal the oracle"
    );
    Ok(())
}

#[test]
fn one_cent_changed_in_silver_fails_the_oracle_check() -> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;

    // Move one cent of one trip from nowhere into its tip and total: the row still satisfies
    // every Silver rule and sums to its total, so only the comparison with the oracle can
    // notice.
    let silver = prepared.path("silver/silver.parquet");
    let tampered_dir = prepared.path("tampered");
    fs::create_dir_all(&tampered_dir)?;
    let tampered = tampered_dir.join("silver.parquet");
    let sql = format!(
        "copy (select * replace (\
           case when trip_id = (select min(trip_id) from '{s}') \
             then tip_amount + 0.01 else tip_amount end as tip_amount, \
           case when trip_id = (select min(trip_id) from '{s}') \
             then total_amount + 0.01 else total_amount end as total_amount) \
         from '{s}') to '{t}' (format parquet)",
        s = silver.display(),
        t = tampered.display()
    );
    run(Command::new(&prepared.venv.python)
        .args(["-c", &format!("import duckdb; duckdb.sql({sql:?})")]))?;
    assert_eq!(prepared.silver_difference("silver", "tampered")?, 2);

    let build = prepared.dbt(&["build"], "tampered", "tampered.duckdb")?;
    assert!(
        !build.status.success(),
        "dbt build must fail on a tampered Silver row:\n{}",
        stdout_of(&build)
    );
    let statuses = test_statuses(&prepared.run_results()?);
    let mut failed: Vec<_> = statuses
        .iter()
        .filter(|(_, status)| status != "pass")
        .map(|(id, status)| format!("{id} {status}"))
        .collect();
    failed.sort();
    ensure!(
        failed.len() == 4
            && failed
                .iter()
                .all(|f| f.contains("_matches_oracle") && f.ends_with(" fail")),
        "exactly the four oracle comparisons must fail, got {failed:#?}"
    );
    assert_ne!(
        prepared.gold("tampered.duckdb")?,
        prepared.oracle["gold"],
        "the tampered Gold must differ from the oracle"
    );
    Ok(())
}

/// `serve.py SUBCOMMAND --engine chdb --url SESSION ARGS…`: its stdout and stderr.
fn serve_on_chdb(prepared: &Prepared, subcommand: &str, args: &[&str]) -> Result<Output> {
    run_unchecked(
        Command::new(&prepared.venv.python)
            .arg(repo_root().join("shared/serving/serve.py"))
            .args([subcommand, "--engine", "chdb", "--url"])
            .arg(prepared.path("chdb"))
            .args(args),
    )
}

/// Loads a fact table's Parquet file through P10's load.sql, as the stack's
/// `clickhouse_load` stage does, then asks `serve.py wait --silver` for the rows it holds.
fn load_p10(prepared: &Prepared, parquet: &Path) -> Result<Output> {
    let load = serve_on_chdb(
        prepared,
        "load",
        &[
            "--sql",
            &repo_root()
                .join("pipelines/10-serving-comparison/clickhouse/load.sql")
                .display()
                .to_string(),
            "--var",
            &format!("fact_parquet={}", parquet.display()),
        ],
    )?;
    ensure!(load.status.success(), "load.sql failed:\n{}", shown(&load));
    let oracle = prepared.path("oracle.json").display().to_string();
    serve_on_chdb(
        prepared,
        "wait",
        &[
            "--table",
            "fct_trips",
            "--oracle",
            &oracle,
            "--silver",
            "--timeout",
            "2",
        ],
    )
}

/// P10's four comparison queries on chDB, each timed (one cold run, two warm).
fn serve_p10(prepared: &Prepared) -> Result<String> {
    let queries = repo_root().join("pipelines/10-serving-comparison/clickhouse");
    let oracle = prepared.path("oracle.json").display().to_string();
    let query = serve_on_chdb(
        prepared,
        "query",
        &[
            "--queries",
            &queries.display().to_string(),
            "--oracle",
            &oracle,
            "--repeat",
            "3",
        ],
    )?;
    ensure!(
        query.status.success(),
        "serve.py query failed:\n{}",
        shown(&query)
    );
    Ok(stdout_of(&query))
}

fn shown(output: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn p10_clickhouse_sql_on_chdb_serves_dbts_fact_table_as_the_oracles_gold() -> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    // P00's dbt stage: the whole build (a selection of fct_trips and its parents would also
    // pick tests on models outside it).
    let build = prepared.dbt(&["build"], "silver", "p10.duckdb")?;
    ensure!(
        build.status.success(),
        "dbt build failed:\n{}",
        stdout_of(&build)
    );

    // What the fact_export stage runs.
    let fact = prepared.path("serving/fct_trips.parquet");
    let export = run(Command::new(&prepared.venv.python)
        .arg(script("export_fact.py"))
        .arg("--duckdb")
        .arg(prepared.path("p10.duckdb"))
        .arg("--out")
        .arg(&fact))?;
    let silver_rows = prepared.oracle["silver_rows"].to_string();
    assert_eq!(value_of(&export, "fact_rows")?, silver_rows, "{export}");

    let held = load_p10(&prepared, &fact)?;
    ensure!(
        held.status.success(),
        "serve.py wait failed:\n{}",
        shown(&held)
    );
    let held = stdout_of(&held);
    assert_eq!(value_of(&held, "served_rows")?, silver_rows, "{held}");
    assert_eq!(
        value_of(&held, "served_rows_expected")?,
        silver_rows,
        "{held}"
    );

    let served = serve_p10(&prepared)?;
    assert_eq!(value_of(&served, "serving_lists")?, "4", "{served}");
    assert_eq!(value_of(&served, "serving_lists_equal")?, "4", "{served}");
    for name in ["daily", "borough", "payment_type", "hourly"] {
        for run in ["cold", "warm"] {
            let ms: f64 = value_of(&served, &format!("{name}_{run}_ms"))?.parse()?;
            assert!(ms > 0.0, "{name}_{run}_ms must be a time: {served}");
        }
    }

    // serve.py's ClickHouse engine, its HTTP requests answered by a stand-in server that
    // runs each statement on the same chDB session (shared/serving/local/stand_in.py): the
    // stack's `serve` stage, but for the server. With another password it is refused.
    let over_http = |password: &str| {
        run_unchecked(
            Command::new(&prepared.venv.python)
                .arg(repo_root().join("shared/serving/local/stand_in.py"))
                .args(["--engine", "clickhouse", "--chdb"])
                .arg(prepared.path("chdb"))
                .args(["--", "query", "--engine", "clickhouse", "--url", "{url}"])
                .arg("--queries")
                .arg(repo_root().join("pipelines/10-serving-comparison/clickhouse"))
                .arg("--oracle")
                .arg(prepared.path("oracle.json"))
                .env("RTDE_CLICKHOUSE_PASSWORD", password),
        )
    };
    let http = over_http("rtde")?;
    ensure!(
        http.status.success(),
        "serve.py over HTTP failed:\n{}",
        shown(&http)
    );
    assert_eq!(
        value_of(&stdout_of(&http), "serving_lists_equal")?,
        "4",
        "{}",
        shown(&http)
    );
    let refused = over_http("not-the-password")?;
    assert!(
        !refused.status.success() && shown(&refused).contains("ClickHouse refused"),
        "another password must be refused:\n{}",
        shown(&refused)
    );

    // One trip moved to the next pickup hour: its date, borough and payment type are the
    // same, so exactly the hourly list differs.
    let moved = prepared.path("serving/moved_hour.parquet");
    let sql = format!(
        "copy (select * replace (case when trip_id = (select min(trip_id) from '{f}') \
           then (pickup_hour + 1) % 24 else pickup_hour end as pickup_hour) from '{f}') \
         to '{m}' (format parquet)",
        f = fact.display(),
        m = moved.display()
    );
    run(Command::new(&prepared.venv.python)
        .args(["-c", &format!("import duckdb; duckdb.sql({sql:?})")]))?;
    let held = load_p10(&prepared, &moved)?;
    ensure!(
        held.status.success(),
        "serve.py wait failed:\n{}",
        shown(&held)
    );
    let served = serve_p10(&prepared)?;
    assert_eq!(value_of(&served, "serving_lists_equal")?, "3", "{served}");

    // One trip missing: the table holds a row too few, which `wait` reports at its deadline.
    let missing = prepared.path("serving/missing_row.parquet");
    let sql = format!(
        "copy (from '{f}' where trip_id != (select min(trip_id) from '{f}')) \
         to '{m}' (format parquet)",
        f = fact.display(),
        m = missing.display()
    );
    run(Command::new(&prepared.venv.python)
        .args(["-c", &format!("import duckdb; duckdb.sql({sql:?})")]))?;
    let held = load_p10(&prepared, &missing)?;
    let expected: u64 = silver_rows.parse()?;
    assert!(
        !held.status.success()
            && shown(&held).contains(&format!("holds {} of {expected} rows", expected - 1)),
        "a missing row must fail the wait:\n{}",
        shown(&held)
    );
    Ok(())
}

/// P11's Soda wrapper (`soda/soda_scan.py`, Soda Core 3.5.6 in `.venv-soda`) with P11's
/// checks on the DuckDB file `file`, compared with the oracle `oracle`: its exit status, its
/// figures (`soda_checks=N`, …) and the checks that did not pass (`OUTCOME TABLE: NAME`,
/// sorted).
struct SodaScan {
    passed: bool,
    counts: Value,
    not_passed: Vec<String>,
}

fn soda_scan(file: &Path, oracle: &Path) -> Result<SodaScan> {
    let python = repo_root().join(".venv-soda/bin/python");
    ensure!(
        python.exists(),
        "{} is missing: python3 -m venv .venv-soda && .venv-soda/bin/pip install --no-deps \
         -r pipelines/11-observability-stack/soda/requirements.txt",
        python.display()
    );
    let p11 = repo_root().join("pipelines/11-observability-stack/soda");
    let output = run_unchecked(
        Command::new(python)
            .arg(p11.join("soda_scan.py"))
            .arg("--duckdb")
            .arg(file)
            .arg("--oracle")
            .arg(oracle)
            .arg("--checks")
            .arg(p11.join("checks")),
    )?;
    let stdout = stdout_of(&output);
    let (checks, figures): (Vec<&str>, Vec<&str>) =
        stdout.lines().partition(|l| l.starts_with("soda_check "));
    Ok(SodaScan {
        passed: output.status.success(),
        counts: parse_counts(&figures.join("\n")).with_context(|| {
            format!(
                "soda_scan.py's output\n{stdout}\n--- stderr ---\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?,
        not_passed: checks
            .iter()
            .filter_map(|l| l.strip_prefix("soda_check "))
            .filter(|l| !l.starts_with("pass "))
            .map(str::to_owned)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    })
}

/// P11's Soda checks on the DuckDB file dbt built from the engine tests' events: Soda's own
/// DuckDB (1.0.0, what soda-core-duckdb requires) reads the file dbt's 1.4.4 wrote, and every
/// check passes with the oracle's counts. One Silver trip written twice in `fct_trips`, or an
/// oracle that counts one Silver row more, fails exactly the checks that should notice.
#[test]
fn p11_soda_checks_pass_on_dbts_duckdb_and_fail_on_a_duplicated_trip_or_a_wrong_count() -> Result<()>
{
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    let build = prepared.dbt(&["build"], "silver", "gold.duckdb")?;
    ensure!(build.status.success(), "dbt build:\n{}", stdout_of(&build));
    let oracle = prepared.path("oracle.json");

    let scan = soda_scan(&prepared.path("gold.duckdb"), &oracle)?;
    assert!(
        scan.passed && scan.not_passed.is_empty(),
        "every Soda check must pass on dbt's Gold: {:?} {}",
        scan.not_passed,
        scan.counts
    );
    assert_eq!(
        scan.counts,
        json!({"soda_checks": 31, "soda_checks_passed": 31,
               "soda_checks_warned": 0, "soda_checks_failed": 0}),
        "the figures the `soda` stage captures (pipeline.yaml expects 31 checks)"
    );

    // One trip twice: the row count and the duplicate check fail, nothing else.
    fs::copy(prepared.path("gold.duckdb"), prepared.path("twice.duckdb"))?;
    run(Command::new(&prepared.venv.python).args([
        "-c",
        &format!(
            "import duckdb; con = duckdb.connect({:?}); \
             con.execute('insert into fct_trips select * from fct_trips order by trip_id limit 1'); \
             con.close()",
            prepared.path("twice.duckdb").display().to_string()
        ),
    ]))?;
    let twice = soda_scan(&prepared.path("twice.duckdb"), &oracle)?;
    assert!(!twice.passed, "a failed check must fail the wrapper");
    assert_eq!(
        twice.not_passed,
        [
            "fail fct_trips: Silver rows equal the oracle's",
            "fail fct_trips: no trip_id twice"
        ],
        "{}",
        twice.counts
    );
    assert_eq!(twice.counts["soda_checks_passed"], json!(29));
    assert_eq!(twice.counts["soda_checks_failed"], json!(2));

    // An oracle with one Silver row more than dbt's Gold holds: every count compared with it.
    let mut wrong = prepared.oracle.clone();
    wrong["silver_rows"] = json!(wrong["silver_rows"].as_u64().context("silver_rows")? + 1);
    let wrong_path = prepared.path("wrong_oracle.json");
    fs::write(&wrong_path, wrong.to_string())?;
    let miscounted = soda_scan(&prepared.path("gold.duckdb"), &wrong_path)?;
    assert!(!miscounted.passed);
    assert_eq!(
        miscounted.not_passed,
        [
            "fail fct_trips: Silver rows equal the oracle's",
            "fail gold_daily: the days' trips add up to Silver's rows",
            "fail gold_hourly: the hours' trips add up to Silver's rows"
        ],
        "{}",
        miscounted.counts
    );
    assert_eq!(miscounted.counts["soda_checks_failed"], json!(3));
    Ok(())
}

/// P11's Elementary project (`pipelines/11-observability-stack/elementary`) takes the canonical
/// project as a local package beside Elementary's dbt package. That package comes from dbt
/// Hub, which cannot be reached here: the test checks its pin, drops it from `packages.yml`,
/// and runs the rest as the `elementary` stage does: `dbt deps` installs the canonical project
/// from its path, and `dbt build` of P11's project builds its models and passes every test,
/// the oracle comparisons included, with Gold equal to the oracle.
#[test]
fn p11_elementary_project_builds_the_canonical_project_as_its_package() -> Result<()> {
    let prepared = Prepared::new()?;
    prepared.silver_from_parquet()?;
    let source = repo_root().join("pipelines/11-observability-stack/elementary");
    let project = prepared.path("p11");
    fs::create_dir_all(&project)?;
    fs::copy(
        source.join("dbt_project.yml"),
        project.join("dbt_project.yml"),
    )?;
    let packages: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&fs::read_to_string(source.join("packages.yml"))?)?;
    let (hub, local): (Vec<_>, Vec<_>) = packages["packages"]
        .as_sequence()
        .context("packages.yml lists `packages:`")?
        .iter()
        .cloned()
        .partition(|package| package.get("package").is_some());
    assert_eq!(
        serde_json::to_value(&hub)?,
        json!([{"package": "elementary-data/elementary", "version": "0.26.1"}]),
        "Elementary's dbt package, pinned to the release of the edr CLI the README names"
    );
    fs::write(
        project.join("packages.yml"),
        serde_yaml_ng::to_string(&json!({ "packages": local }))?,
    )?;

    let dbt = |args: &[&str]| {
        let mut vars = json!({
            "silver_source": "parquet",
            "silver_path": prepared.path("silver").join("silver.parquet"),
            "oracle_path": prepared.path("oracle.json"),
        });
        vars["window_start"] = prepared.oracle["window"]["start"].clone();
        vars["window_end"] = prepared.oracle["window"]["end"].clone();
        run_unchecked(
            Command::new(&prepared.venv.dbt)
                .args(args)
                .arg("--project-dir")
                .arg(&project)
                .arg("--profiles-dir")
                .arg(&prepared.project)
                .arg("--vars")
                .arg(vars.to_string())
                .env("RTDE_DBT_PROJECT", &prepared.project)
                .env("RTDE_DBT_TARGET", "duckdb")
                .env("RTDE_DBT_DUCKDB_PATH", prepared.path("p11.duckdb"))
                .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
                .current_dir(prepared.dir.path()),
        )
    };
    let deps = dbt(&["deps"])?;
    ensure!(deps.status.success(), "dbt deps:\n{}", stdout_of(&deps));
    let build = dbt(&["build"])?;
    let text = fs::read_to_string(project.join("target/run_results.json"))?;
    let statuses = test_statuses(&serde_json::from_str(&text)?);
    passed_with_the_oracle(&build, &statuses, "through P11's Elementary project")?;
    assert_eq!(
        prepared.gold("p11.duckdb")?,
        prepared.oracle["gold"],
        "Gold built through P11's project must equal the oracle"
    );
    Ok(())
}

#[test]
fn committed_seeds_are_what_the_generator_writes() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-seeds-").tempdir()?;
    run(Command::new(env!("CARGO_BIN_EXE_rtde")).args([
        "generate",
        "--seeds",
        &dir.path().display().to_string(),
    ]))
    .context("writing the seeds with `rtde generate --seeds`")?;
    let committed = repo_root().join("shared/dbt/seeds");
    for name in [
        "taxi_zone_lookup.csv",
        "payment_type_lookup.csv",
        "rate_code_lookup.csv",
        "vendor_lookup.csv",
    ] {
        let written = fs::read(dir.path().join(name))
            .with_context(|| format!("`rtde generate --seeds` did not write {name}"))?;
        let in_repo = fs::read(committed.join(name)).with_context(|| {
            format!("shared/dbt/seeds/{name} is not committed: run `rtde generate --seeds shared/dbt/seeds`")
        })?;
        assert!(
            written == in_repo,
            "shared/dbt/seeds/{name} differs from what `rtde generate --seeds` writes: \
             re-run it and commit the result"
        );
    }
    Ok(())
}

#[test]
fn dbt_compiled_for_risingwave_parses_as_risingwave_sql() -> Result<()> {
    let prepared = Prepared::new()?;
    // `--no-populate-cache`: compiling asks the server nothing else, so no RisingWave is
    // needed; the port is one nothing listens on, so a connection attempt would fail loudly.
    let closed_port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let env = [
        ("RTDE_DBT_TARGET", "risingwave".to_owned()),
        ("RTDE_PG_HOST", "127.0.0.1".to_owned()),
        ("RTDE_PG_PORT", closed_port.to_string()),
    ];
    // As the P03/P06 dbt stage selects: no oracle tests, no unit tests.
    let compile = prepared.dbt_with(
        &[
            "compile",
            "--no-populate-cache",
            "--exclude",
            "tag:oracle",
            "test_type:unit",
        ],
        json!({"silver_source": "postgres"}),
        &env,
    )?;
    assert!(
        compile.status.success(),
        "dbt compile for the risingwave target failed:\n{}",
        stdout_of(&compile)
    );
    let compiled = prepared.project.join("target/compiled");
    let parse = run_unchecked(
        Command::new(&prepared.venv.python)
            .arg(repo_root().join("shared/risingwave/local/parse_dbt.py"))
            .arg(&compiled),
    )?;
    assert!(
        parse.status.success(),
        "the risingwave target's SQL must parse as RisingWave SQL without decimal(p, s):\n{}{}",
        stdout_of(&parse),
        String::from_utf8_lossy(&parse.stderr)
    );
    let counts = parse_counts(&stdout_of(&parse))?;
    let models = walk_sql(&repo_root().join("shared/dbt/models"))?;
    assert_eq!(counts["models_parsed"], json!(models), "{counts}");
    assert!(
        counts["tests_parsed"].as_u64() >= Some(MIN_DATA_TESTS as u64),
        "{counts}"
    );

    // The money casts became roundings, and the contract check's casts follow them.
    let staging =
        fs::read_to_string(compiled.join("rtde/models/staging/silver/stg_silver__trips.sql"))?;
    assert!(
        staging.contains("round(cast(total_amount as numeric), 2) as total_amount"),
        "{staging}"
    );
    let contract = prepared.dbt_with(
        &[
            "compile",
            "--no-populate-cache",
            "--inline",
            "{{ get_empty_schema_sql(graph.nodes['model.rtde.cmp_payment_type_breakdown'].columns) }}",
        ],
        json!({"silver_source": "postgres"}),
        &env,
    )?;
    let contract = stdout_of(&contract);
    assert!(
        contract.contains("round(cast(null as numeric), 3) as share_of_trips_percent")
            && !contract.contains("decimal("),
        "the contract check must declare RisingWave's numeric:\n{contract}"
    );
    Ok(())
}

#[test]
fn dbt_compiled_for_materialize_parses_as_materialize_sql() -> Result<()> {
    let prepared = Prepared::new()?;
    // As for RisingWave: compiling asks the server nothing, and the port is a closed one.
    let closed_port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let env = [
        ("RTDE_DBT_TARGET", "materialize".to_owned()),
        ("RTDE_PG_HOST", "127.0.0.1".to_owned()),
        ("RTDE_PG_PORT", closed_port.to_string()),
    ];
    // As P14's dbt stage selects: no oracle tests, no unit tests.
    let compile = prepared.dbt_with(
        &[
            "compile",
            "--no-populate-cache",
            "--exclude",
            "tag:oracle",
            "test_type:unit",
        ],
        json!({"silver_source": "postgres"}),
        &env,
    )?;
    let log = stdout_of(&compile);
    assert!(
        compile.status.success(),
        "dbt compile for the materialize target failed:\n{log}"
    );
    assert!(
        log.contains("Registered adapter: materialize="),
        "the materialize target must run on dbt-materialize:\n{log}"
    );
    let compiled = prepared.project.join("target/compiled");
    let parse = run_unchecked(
        Command::new(&prepared.venv.python)
            .arg(repo_root().join("pipelines/14-kafka-materialize/materialize/local/parse_dbt.py"))
            .arg(&compiled),
    )?;
    assert!(
        parse.status.success(),
        "the materialize target's SQL must parse as Materialize SQL:\n{}{}",
        stdout_of(&parse),
        String::from_utf8_lossy(&parse.stderr)
    );
    let counts = parse_counts(&stdout_of(&parse))?;
    let models = walk_sql(&repo_root().join("shared/dbt/models"))?;
    assert_eq!(counts["models_parsed"], json!(models), "{counts}");
    assert!(
        counts["tests_parsed"].as_u64() >= Some(MIN_DATA_TESTS as u64),
        "{counts}"
    );
    // Materialize's numeric takes a precision and a scale: the money casts stay casts.
    let staging =
        fs::read_to_string(compiled.join("rtde/models/staging/silver/stg_silver__trips.sql"))?;
    assert!(
        staging.contains("cast(total_amount as decimal(10, 2)) as total_amount"),
        "{staging}"
    );
    Ok(())
}

/// The `.sql` files under a directory (the project's models).
fn walk_sql(dir: &Path) -> Result<usize> {
    let mut count = 0;
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            count += walk_sql(&path)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            count += 1;
        }
    }
    Ok(count)
}

#[test]
fn risingwave_macros_on_postgresql_pass_every_data_test_and_equal_the_oracle() -> Result<()> {
    let prepared = Prepared::new()?;
    // dbt-risingwave will not connect to PostgreSQL (it sets RisingWave's RW_IMPLICIT_FLUSH
    // first), so the RisingWave implementations of the project's macros stand in for
    // PostgreSQL's: the same SQL, on an engine that runs here. The project defines no
    // postgres__ macro of its own, so nothing is shadowed twice.
    let macros = prepared.project.join("macros/cross_db");
    let mut renamed = 0;
    for entry in fs::read_dir(&macros)? {
        let path = entry?.path();
        let text = fs::read_to_string(&path)?;
        assert!(
            !text.contains("postgres__"),
            "{} defines postgres__",
            path.display()
        );
        renamed += text.matches("macro risingwave__").count();
        fs::write(&path, text.replace("risingwave__", "postgres__"))?;
    }
    assert!(
        renamed >= 4,
        "expected the RisingWave macros, found {renamed}"
    );

    let (server, env) = postgres_with_silver(&prepared)?;
    let build = prepared.dbt_with(
        &["build", "--exclude", "tag:oracle", "test_type:unit"],
        json!({"silver_source": "postgres"}),
        &env,
    )?;
    let statuses = test_statuses(&prepared.run_results()?);
    let data_tests = every_test_passed(&build, &statuses, "with the RisingWave macros")?;
    assert!(
        data_tests >= MIN_DATA_TESTS && data_tests == statuses.len(),
        "only data tests run, at least {MIN_DATA_TESTS}: {statuses:?}"
    );
    let staging = fs::read_to_string(
        prepared
            .project
            .join("target/compiled/rtde/models/staging/silver/stg_silver__trips.sql"),
    )?;
    assert!(
        staging.contains("round(cast(total_amount as numeric), 2)"),
        "the RisingWave macros were not used:\n{staging}"
    );

    // What the P03/P06 dbt stage captures: the excluded unit tests count in neither number.
    let summary = parse_counts(&run(Command::new(&prepared.venv.python).args([
        script("dbt_summary.py")
            .to_str()
            .context("non-UTF-8 repo path")?,
        prepared
            .project
            .join("target/run_results.json")
            .to_str()
            .context("non-UTF-8 temp path")?,
    ]))?)?;
    assert_eq!(summary["dbt_pass"], json!(statuses.len()), "{summary}");
    assert_eq!(summary["dbt_total"], json!(statuses.len()), "{summary}");

    let gold = run(Command::new(&prepared.venv.python)
        .arg(script("export_gold.py"))
        .args(["--postgres", &server.dsn()]))?;
    assert_eq!(
        serde_json::from_str::<Value>(&gold)?,
        prepared.oracle["gold"],
        "Gold built with the RisingWave macros must equal the oracle"
    );
    Ok(())
}
