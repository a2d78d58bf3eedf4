//! The project's own pipelines: every manifest validates against its compose stack, and the
//! pipelines whose images build here without a registry run end to end on the real engine,
//! checked against the generator's oracle.
//!
//! Needs the project images (`make images-local` on a machine without a registry, which is
//! what .ci/run does); a missing image fails with the command that builds it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/up.rs"]
mod up;

fn rtde(args: &[&str]) -> Output {
    rtde_in("pipelines-test", args)
}

/// `rtde` as the rtde instance `instance`: a test that keeps a stack up uses its own, so no
/// other test's `rtde down` sees it.
fn rtde_in(instance: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "1")
        .env("RTDE_INSTANCE", instance)
        // The Flink stacks (P01, P12, P21) run side by side here: the JobManager's UI and the
        // TaskManager's metrics on ports Docker picks, not 8081 and 9249 for each
        // (shared/compose/flink.yaml, P01's compose.yaml).
        .env("RTDE_FLINK_UI_PORT", "0")
        .env("RTDE_FLINK_METRICS_PORT", "0")
        // The orchestrators' UIs (P18's Prefect, P09's Dagster, P08's Airflow) likewise.
        .env("RTDE_PREFECT_UI_PORT", "0")
        .env("RTDE_DAGSTER_UI_PORT", "0")
        .env("RTDE_AIRFLOW_UI_PORT", "0")
        .args(args)
        .output()
        .expect("running rtde");
    eprintln!(
        "---- rtde {args:?} exited {:?}\n---- stdout\n{}\n---- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn require_images(images: &[&str]) {
    for image in images {
        let found = Command::new("docker")
            .args(["image", "inspect", image])
            .output()
            .expect("docker")
            .status
            .success();
        assert!(
            found,
            "image {image} is missing; build the project images with `make images-local` \
             (no registry) or `rtde images build`"
        );
    }
}

fn only_run(runs: &Path, id: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(runs.join(id))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.pop().unwrap()
}

#[test]
fn every_pipeline_manifest_validates_against_its_stack() {
    let out = rtde(&["validate", "--all"]);
    assert_eq!(out.status.code(), Some(0));
}

/// Every one of `images` ran in the run (the record lists each container that ran, one-off
/// jobs included, with its image).
fn assert_ran_images(run: &serde_json::Value, images: &[&str]) {
    let ran: Vec<&str> = run["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["image"].as_str().unwrap())
        .collect();
    for image in images {
        assert!(ran.contains(image), "{image} not among {ran:?}");
    }
}

/// No container and no volume of the Compose project is left on the engine.
fn assert_nothing_left(project: &str) {
    for kind in [&["ps", "-a", "-q"][..], &["volume", "ls", "-q"][..]] {
        let left = Command::new("docker")
            .args(kind)
            .args([
                "--filter",
                &format!("label=com.docker.compose.project={project}"),
            ])
            .output()
            .unwrap();
        assert!(
            left.stdout.is_empty(),
            "{project}: `docker {kind:?}` lists {left:?}"
        );
    }
}

/// A bench's output folder: deleted after a passing test, kept after a failing one with the
/// tail of every stage log printed, so that a stack failing under CI's load leaves its
/// evidence in the test's output (the P01 job that failed once in CI left none).
struct RunFolder(Option<tempfile::TempDir>);

impl RunFolder {
    fn new(id: &str) -> RunFolder {
        RunFolder(Some(
            tempfile::Builder::new()
                .prefix(&format!("rtde-test-{id}-"))
                .tempdir()
                .unwrap(),
        ))
    }

    fn path(&self) -> &Path {
        self.0.as_ref().expect("the folder until dropped").path()
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        let Some(dir) = self.0.take() else { return };
        if !std::thread::panicking() {
            return;
        }
        let kept = dir.keep();
        eprintln!("---- the failed run's folder is kept: {}", kept.display());
        let mut logs = Vec::new();
        collect_logs(&kept, &mut logs);
        logs.sort();
        for log in logs {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(40)..];
            eprintln!(
                "---- {} (last {} lines)\n{}",
                log.display(),
                tail.len(),
                tail.join("\n")
            );
        }
    }
}

/// The stage logs (`stages/*.log`) under `dir`.
fn collect_logs(dir: &Path, logs: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            collect_logs(&path, logs);
        } else if path.extension().is_some_and(|e| e == "log")
            && path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == "stages")
        {
            logs.push(path);
        }
    }
}

/// One `rtde bench` of a pipeline into a temporary folder; returns its run.json and the
/// results table, after checking the run passed every check and left nothing behind.
fn bench_passes(id: &str, extra: &[&str], checks: usize) -> (serde_json::Value, String) {
    let dir = RunFolder::new(id);
    let runs = dir.path().join("runs");
    let results = dir.path().join("results.csv");
    let mut args = vec![
        "bench",
        id,
        "--out",
        runs.to_str().unwrap(),
        "--results",
        results.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = rtde(&args);
    assert_eq!(out.status.code(), Some(0));

    let run_dir = only_run(&runs, id);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["status"], "passed");
    // `make test` runs these tests on each Compose version installed: the record says which.
    if let Ok(compose) = std::env::var("RTDE_COMPOSE") {
        let used = run["environment"]["compose"].as_str().unwrap();
        assert!(
            used.starts_with(&format!("{compose} ")),
            "{used} is not {compose}"
        );
    }
    let recorded = run["checks"].as_array().unwrap();
    assert_eq!(recorded.len(), checks);
    assert!(recorded.iter().all(|c| c["passed"] == true), "{recorded:?}");
    let metrics = &run["metrics"];
    assert_eq!(metrics["silver_rows"], metrics["oracle_silver_rows"]);
    assert!(metrics["silver_rows"].as_f64().unwrap() > 9_000.0);
    assert!(metrics["dbt_total"].as_f64().unwrap() >= 94.0, "{metrics}");
    assert_eq!(metrics["dbt_pass"], metrics["dbt_total"]);
    let resources = &run["resources"];
    assert!(resources["stack_peak_mem_bytes"].as_u64().unwrap() > 0);
    assert!(resources["cpu_s"].as_f64().unwrap() > 0.0);

    assert_nothing_left(run["project"].as_str().unwrap());
    (run, std::fs::read_to_string(&results).unwrap())
}

#[test]
fn p00_runs_end_to_end_and_its_silver_and_gold_equal_the_oracle() {
    require_images(&["rtde/rtde:0.1.0", "rtde/dbt:1.11.16"]);
    let (_, table) = bench_passes("p00", &[], 3);
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("p00,Batch baseline,"),
        "{table}"
    );
}

/// The step-by-step habit on P00: `rtde up p00 && rtde stage p00 generate silver dbt &&
/// rtde down p00`, with the same checks a bench run has, recorded in the stack's folder.
#[test]
fn p00_runs_step_by_step_with_up_stage_and_down() {
    require_images(&["rtde/rtde:0.1.0", "rtde/dbt:1.11.16"]);
    let instance = "pipelines-test-stage";
    let up = rtde_in(instance, &["up", "p00"]);
    assert_eq!(up.status.code(), Some(0));
    let said = String::from_utf8_lossy(&up.stdout);
    let project = up::project_named(&said, "rtde-p00-");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("runs/p00")
        .join(format!(
            "manual-{}",
            project.trim_start_matches("rtde-p00-")
        ));

    let stage = rtde_in(instance, &["stage", "p00", "generate", "silver", "dbt"]);
    let down = rtde_in(instance, &["down", "p00"]);
    assert_eq!(stage.status.code(), Some(0));
    assert_eq!(down.status.code(), Some(0));
    let said = String::from_utf8_lossy(&stage.stdout);
    assert!(
        said.contains("check `Silver rows equal the oracle` passed"),
        "{said}"
    );

    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stages.json")).unwrap()).unwrap();
    let call = &record["invocations"][0];
    assert_eq!(call["status"], "passed");
    let checks = call["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3, "{checks:?}");
    assert!(checks.iter().all(|c| c["passed"] == true), "{checks:?}");
    assert!(call["pending_checks"].as_array().unwrap().is_empty());
    let metrics = &record["metrics"];
    assert_eq!(metrics["silver_rows"], metrics["oracle_silver_rows"]);
    assert!(metrics["silver_rows"].as_f64().unwrap() > 9_000.0);
    assert_eq!(metrics["dbt_pass"], metrics["dbt_total"]);

    assert_nothing_left(&project);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn p20_runs_end_to_end_on_tansu_and_is_recorded_as_a_substituted_broker() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/bytewax:0.21.1",
    ]);
    let (run, table) = bench_passes("p20", &["--broker", "tansu"], 4);
    let metrics = &run["metrics"];
    // The generator's default rates make about a dozen malformed events in 10,000: each one
    // must have reached the dead-letter topic, and nothing else.
    assert!(metrics["dead_letters"].as_f64().unwrap() > 0.0, "{metrics}");
    assert_eq!(metrics["dead_letters"], metrics["oracle_dead_letters"]);
    assert_eq!(metrics["silver_duplicate_ids"], 0.0);
    assert_eq!(run["variables"]["broker"], "tansu");

    // Every container that ran is recorded with its image: the broker that stood in for
    // Kafka, and the one-off jobs.
    assert_ran_images(
        &run,
        &[
            "rtde/tansu:0.6.0",
            "rtde/bytewax:0.21.1",
            "rtde/rtde:0.1.0",
            "rtde/dbt:1.11.16",
        ],
    );
    assert!(
        run["containers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["image_id"].as_str().unwrap().is_empty())
    );

    // The results row says the broker was substituted, so the report never ranks it as P20.
    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = header
        .iter()
        .position(|h| h == "substituted_broker")
        .unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "p20");
    assert_eq!(&row[column], "tansu");
}

/// P01 without a registry: tansu stands in for Kafka, and Silver as files on the data volume
/// for Iceberg (the Flink image built from registry packages has no Iceberg runtime). The
/// Flink job runs on the session cluster, reads the real Kafka source and writes the real
/// dead-letter topic; every check passes, Bronze included: tansu's ListOffsets answers ends
/// short of what its partitions hold, so a source bounded at the latest offset would read
/// about half the records, and this one is bounded at the offsets read back instead. Both
/// substitutions are recorded, so the run is never ranked as P01.
#[test]
fn p01_runs_end_to_end_on_tansu_with_files_storage_and_reads_every_record() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/flink:2.0.1-pypi",
    ]);
    let (run, table) = bench_passes("p01", &["--broker", "tansu", "--var", "storage=files"], 4);
    let metrics = &run["metrics"];
    assert_eq!(
        metrics["bronze_rows"], metrics["oracle_bronze_rows"],
        "{metrics}"
    );
    assert!(
        metrics["bronze_rows"].as_f64().unwrap() > 9_900.0,
        "{metrics}"
    );
    assert!(metrics["dead_letters"].as_f64().unwrap() > 0.0, "{metrics}");
    assert_eq!(metrics["dead_letters"], metrics["oracle_dead_letters"]);
    assert_eq!(run["variables"]["storage"], "files");
    assert_ran_images(&run, &["rtde/flink:2.0.1-pypi", "rtde/tansu:0.6.0"]);

    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "p01");
    assert_eq!(&row[column("substituted_broker")], "tansu");
    assert_eq!(&row[column("substituted_storage")], "files");
}

// ---- Issue #22: the CDC pipeline (P12) ----

/// P12 without a registry: the generator's rows copied into a real PostgreSQL (wal_level
/// logical), Debezium's PostgreSQL connector on its embedded engine streaming each insert to
/// tansu as a Kafka Connect change event, P12's Flink SQL (debezium-json) writing Bronze and
/// Silver as files, dbt building Gold. Every change event reached the topic (one per row the
/// sink wrote: the oracle's Bronze rows), Bronze and Silver equal the oracle, every dbt test
/// passes; the broker and storage substitutions are recorded, and nothing is left behind.
#[test]
fn p12_captures_postgres_changes_with_debezium_into_flink_end_to_end_on_tansu() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/flink:2.0.1-pypi",
        "rtde/postgres:15",
        "rtde/debezium:3.6.3",
    ]);
    let (run, table) = bench_passes("p12", &["--broker", "tansu", "--var", "storage=files"], 4);
    let metrics = &run["metrics"];
    assert_eq!(
        metrics["change_events"], metrics["oracle_bronze_rows"],
        "{metrics}"
    );
    assert_eq!(metrics["captured_events"], metrics["change_events"]);
    assert_eq!(metrics["bronze_rows"], metrics["oracle_bronze_rows"]);
    // Nothing malformed reaches a table, so there is no dead-letter check on this path.
    assert!(
        run["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["name"].as_str().unwrap().contains("dead-letter"))
    );
    assert_ran_images(
        &run,
        &[
            "rtde/postgres:15",
            "rtde/debezium:3.6.3",
            "rtde/flink:2.0.1-pypi",
        ],
    );
    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "p12");
    assert_eq!(&row[column("substituted_broker")], "tansu");
    assert_eq!(&row[column("substituted_storage")], "files");
}

// ---- Issue #22: the feature store (P21) ----

/// P21 without a registry: P01 on tansu with files storage, then Feast's `apply` and
/// `materialize` into the SQLite online store from dbt's `fct_trips`; the online features of
/// the sampled days and every payment type equal the oracle (P01's checks, and that one).
#[test]
fn p21_materializes_features_that_equal_the_oracle_end_to_end_on_tansu() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/flink:2.0.1-pypi",
        "rtde/feast:0.67.0",
    ]);
    let (run, _) = bench_passes("p21", &["--broker", "tansu", "--var", "storage=files"], 5);
    let metrics = &run["metrics"];
    assert_eq!(metrics["feast_mismatches"], 0.0, "{metrics}");
    assert!(
        metrics["feast_entities_checked"].as_f64().unwrap() >= 10.0,
        "{metrics}"
    );
    assert_ran_images(&run, &["rtde/feast:0.67.0"]);
}

/// P19 on tansu: Mage really runs the work. rtde triggers the pipeline the Mage server loaded
/// from the folder's files through its API and waits for Mage's own end state; every block
/// ran and is recorded in run.json with Mage's start, end and state, and the checks (Bronze,
/// Silver, dead letters, every dbt test with Gold equal to the oracle) pass. Takes 4–5
/// minutes on 2 loaded cores (298 s at load 18; Mage's server alone needs over a minute to
/// answer). Once, at load 34 beside P20's test, the Mage run hung to its 14-minute deadline.
#[test]
fn p19_runs_end_to_end_on_tansu_with_mage_running_every_block() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/mage:0.9.80",
    ]);
    let (run, _) = bench_passes("p19", &["--broker", "tansu"], 6);
    let metrics = &run["metrics"];
    assert_eq!(metrics["bronze_rows"], metrics["oracle_bronze_rows"]);
    assert!(metrics["dead_letters"].as_f64().unwrap() > 0.0, "{metrics}");
    assert_eq!(metrics["dead_letters"], metrics["oracle_dead_letters"]);
    assert_eq!(metrics["silver_duplicate_ids"], 0.0);
    assert_ran_images(&run, &["rtde/mage:0.9.80", "rtde/tansu:0.6.0"]);

    // Mage's own account of the run: each block once, completed, with its times in order.
    let silver = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "silver")
        .unwrap();
    let tasks = silver["tasks"].as_array().unwrap();
    let mut names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "bronze",
            "dead_letters",
            "read_raw_trips",
            "silver",
            "write_bronze",
            "write_silver"
        ]
    );
    for task in tasks {
        assert_eq!(task["state"], "completed", "{task}");
        assert!(task["duration_s"].as_f64().unwrap() >= 0.0, "{task}");
    }
    let started = |name: &str| {
        tasks.iter().find(|t| t["name"] == name).unwrap()["started_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    let ended = |name: &str| {
        tasks.iter().find(|t| t["name"] == name).unwrap()["ended_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    // Mage ran the blocks in the pipeline's order: a block starts after its upstream ended.
    assert!(started("bronze") >= ended("read_raw_trips"));
    assert!(started("silver") >= ended("bronze"));
    assert!(started("write_silver") >= ended("silver"));
}

// ---- Issue #21: orchestrated P01 (P18 Prefect) ----

/// P18 on tansu with files storage: P01's stack with Prefect really driving the steps. rtde
/// creates one run of the flow the worker served at startup through the Prefect server's
/// API and waits for Prefect's end state; the flow's four tasks ran P01's Flink job, its
/// Silver count and the dbt build in the stack's own containers, each recorded in run.json
/// with Prefect's start, end and state, in the flow's order; P01's checks (Bronze, Silver,
/// dead letters, every dbt test with Gold equal to the oracle) pass, with the substitutions
/// recorded. P01's sustained mode is not inherited: its Flink job is a Prefect task here.
#[test]
fn p18_runs_end_to_end_on_tansu_with_prefect_running_p01s_steps() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/flink:2.0.1-pypi",
        "rtde/prefect:3.9.1",
    ]);
    let (run, table) = bench_passes("p18", &["--broker", "tansu", "--var", "storage=files"], 5);
    let metrics = &run["metrics"];
    assert_eq!(metrics["bronze_rows"], metrics["oracle_bronze_rows"]);
    assert_eq!(metrics["dead_letters"], metrics["oracle_dead_letters"]);
    assert_eq!(metrics["prefect_tasks_completed"], 4.0, "{metrics}");
    assert_ran_images(
        &run,
        &[
            "rtde/prefect:3.9.1",
            "rtde/flink:2.0.1-pypi",
            "rtde/tansu:0.6.0",
        ],
    );
    let stages: Vec<&str> = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "topics",
            "generate",
            "raw_offsets",
            "prefect_flow",
            "dead_letters"
        ]
    );

    // Prefect's own account of the run: each task once, completed, one after another.
    let flow = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "prefect_flow")
        .unwrap();
    let tasks = flow["tasks"].as_array().unwrap();
    let names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "submit_flink_job",
            "wait_flink_job",
            "silver_count",
            "dbt_build"
        ]
    );
    let at = |task: &serde_json::Value, field: &str| {
        task[field]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    for pair in tasks.windows(2) {
        assert!(
            at(&pair[1], "started_at") >= at(&pair[0], "ended_at"),
            "{pair:?}"
        );
    }
    for task in tasks {
        assert_eq!(task["state"], "completed", "{task}");
    }

    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "p18");
    assert_eq!(&row[column("substituted_broker")], "tansu");
    assert_eq!(&row[column("substituted_storage")], "files");
}

// ---- Issue #21: orchestrated P01 (P08 Airflow) ----

/// P08 on tansu with files storage: P01's stack with Airflow really driving the steps. rtde
/// triggers one run of the DAG Airflow's DAG processor parsed at startup through Airflow's
/// REST API and waits for Airflow's end state; the DAG's four tasks ran P01's Flink job, its
/// Silver count and the dbt build in the stack's own containers, each recorded in run.json
/// with Airflow's start, end and state, in the DAG's order; P01's checks (Bronze, Silver,
/// dead letters, every dbt test with Gold equal to the oracle) pass, with the substitutions
/// recorded.
#[test]
fn p08_runs_end_to_end_on_tansu_with_airflow_running_p01s_steps() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/flink:2.0.1-pypi",
        "rtde/airflow:3.1.8",
    ]);
    let (run, table) = bench_passes("p08", &["--broker", "tansu", "--var", "storage=files"], 5);
    let metrics = &run["metrics"];
    assert_eq!(metrics["bronze_rows"], metrics["oracle_bronze_rows"]);
    assert_eq!(metrics["dead_letters"], metrics["oracle_dead_letters"]);
    assert_eq!(metrics["airflow_tasks_succeeded"], 4.0, "{metrics}");
    assert_ran_images(
        &run,
        &[
            "rtde/airflow:3.1.8",
            "rtde/flink:2.0.1-pypi",
            "rtde/tansu:0.6.0",
        ],
    );
    let stages: Vec<&str> = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "topics",
            "generate",
            "raw_offsets",
            "airflow_dag",
            "dead_letters"
        ]
    );

    // Airflow's own account of the run: each task instance once, succeeded, one after another.
    let stage = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "airflow_dag")
        .unwrap();
    let tasks = stage["tasks"].as_array().unwrap();
    let names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "submit_flink_job",
            "wait_flink_job",
            "silver_count",
            "dbt_build"
        ]
    );
    let at = |task: &serde_json::Value, field: &str| {
        task[field]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    for pair in tasks.windows(2) {
        assert!(
            at(&pair[1], "started_at") >= at(&pair[0], "ended_at"),
            "{pair:?}"
        );
    }
    for task in tasks {
        assert_eq!(task["state"], "success", "{task}");
    }

    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "p08");
    assert_eq!(&row[column("substituted_broker")], "tansu");
    assert_eq!(&row[column("substituted_storage")], "files");
}

// ---- Issue #21: orchestrated P01 (P09 Dagster) ----

/// P09 on tansu with files storage: P01's stack as Dagster assets. rtde launches one run of
/// the job the webserver and daemon loaded at startup through Dagster's GraphQL API and waits
/// for Dagster's end status; Silver (P01's Flink job), its count and the dbt assets ran, each
/// step recorded in run.json with Dagster's start, end and status, the count and the dbt
/// models after Silver; P01's checks pass, with the substitutions recorded.
#[test]
fn p09_runs_end_to_end_on_tansu_with_dagster_materializing_p01s_assets() {
    require_images(&[
        "rtde/rtde:0.1.0",
        "rtde/dbt:1.11.16",
        "rtde/tansu:0.6.0",
        "rtde/flink:2.0.1-pypi",
        "rtde/dagster:1.13.27",
    ]);
    let (run, table) = bench_passes("p09", &["--broker", "tansu", "--var", "storage=files"], 5);
    let metrics = &run["metrics"];
    assert_eq!(metrics["bronze_rows"], metrics["oracle_bronze_rows"]);
    assert_eq!(metrics["dead_letters"], metrics["oracle_dead_letters"]);
    assert_eq!(metrics["dagster_steps_succeeded"], 3.0, "{metrics}");
    assert_ran_images(&run, &["rtde/dagster:1.13.27", "rtde/flink:2.0.1-pypi"]);

    let stage = run["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "dagster_run")
        .unwrap();
    let tasks = stage["tasks"].as_array().unwrap();
    let task = |name: &str| {
        tasks
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no step {name} among {tasks:?}"))
    };
    let at = |name: &str, field: &str| {
        task(name)[field]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    for name in ["silver__trips", "silver_count", "rtde_dbt_models"] {
        assert_eq!(task(name)["state"], "success", "{tasks:?}");
    }
    assert!(at("silver_count", "started_at") >= at("silver__trips", "ended_at"));
    assert!(at("rtde_dbt_models", "started_at") >= at("silver__trips", "ended_at"));

    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "p09");
    assert_eq!(&row[column("substituted_broker")], "tansu");
    assert_eq!(&row[column("substituted_storage")], "files");
}
