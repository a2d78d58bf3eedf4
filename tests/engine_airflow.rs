//! P08's Airflow DAG for real, without P01's stack: Airflow 3.1.8 (the image's pins, in the
//! venv `.venv-airflow`) parses `pipelines/08-airflow-orchestrated/dag.py` with no import
//! error into the DAG the README describes; `airflow dags test` runs it, its tasks calling
//! P01's steps in order with the run's params and the Flink job's id passed on, and stopping
//! at a failed step; and `airflow standalone` (what P08's container runs) runs the DAG when
//! `run_dag.py` (what P08's stage runs) triggers it through the REST API, which reports
//! Airflow's task instances and fails with the failed task's exception.
//!
//! What is not real here: P01's steps. The DAG imports `p01_steps`; here that is
//! `tests/fixtures/airflow/p01_steps.py`, which records each call and prints what the real
//! step prints, since the real steps `docker exec` into the running stack (that is P08's
//! end-to-end test in tests/pipelines.rs).
//!
//! Needs `.venv-airflow` (`pipelines/08-airflow-orchestrated/requirements.txt`; `.ci/run`
//! makes it).

#[path = "support/tools.rs"]
#[allow(dead_code)]
mod tools;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::Value;
use tools::repo_root;

const TASKS: [&str; 4] = [
    "submit_flink_job",
    "wait_flink_job",
    "silver_count",
    "dbt_build",
];

fn venv_bin(name: &str) -> PathBuf {
    let bin = repo_root().join(".venv-airflow/bin").join(name);
    assert!(
        bin.exists(),
        "{} is missing: python3 -m venv .venv-airflow && .venv-airflow/bin/pip install \
         -r pipelines/08-airflow-orchestrated/requirements.txt",
        bin.display()
    );
    bin
}

/// An Airflow home of its own: a DAGs folder holding only dag.py (as P08's container has
/// it), the stand-in steps on the path and their record and failure files in the home.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::Builder::new()
            .prefix("rtde-airflow-")
            .tempdir()
            .unwrap();
        fs::create_dir(dir.path().join("dags")).unwrap();
        fs::copy(
            repo_root().join("pipelines/08-airflow-orchestrated/dag.py"),
            dir.path().join("dags/dag.py"),
        )
        .unwrap();
        Home { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        let path = format!(
            "{}:{}",
            venv_bin("airflow").parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        command
            .env("PATH", path)
            .env("AIRFLOW_HOME", self.dir.path())
            .env("AIRFLOW__CORE__DAGS_FOLDER", self.path("dags"))
            .env("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
            .env(
                "PYTHONPATH",
                repo_root().join("tests/fixtures/airflow").as_os_str(),
            )
            .env("RTDE_STEPS_RECORD", self.path("steps.jsonl"))
            .env("RTDE_STEPS_FAIL", self.path("fail"));
        command
    }

    fn fail_at(&self, step: Option<&str>) {
        match step {
            Some(step) => fs::write(self.path("fail"), step).unwrap(),
            None => {
                let _ = fs::remove_file(self.path("fail"));
            }
        }
    }

    /// The steps called since the last call, as the stand-in recorded them.
    fn take_steps(&self) -> Vec<Value> {
        let text = fs::read_to_string(self.path("steps.jsonl")).unwrap_or_default();
        let _ = fs::remove_file(self.path("steps.jsonl"));
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn shown(what: &str, out: &Output) -> String {
    format!(
        "{what} exited {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_dag_imports_without_errors_as_p01s_four_steps_in_a_chain() {
    let home = Home::new();
    let script = r#"
import json
from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=__import__("os").environ["AIRFLOW__CORE__DAGS_FOLDER"], include_examples=False)
dag = bag.dags.get("p01")
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": sorted(bag.dag_ids),
    "schedule": None if dag is None else str(dag.timetable.summary),
    "params": None if dag is None else {k: dag.params[k] for k in dag.params},
    "tasks": None if dag is None else {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks},
    "retries": None if dag is None else sorted({t.retries for t in dag.tasks}),
}))
"#;
    let out = home
        .command(&venv_bin("python"))
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", shown("DagBag", &out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let bag: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(bag["errors"], serde_json::json!({}), "{bag}");
    assert_eq!(bag["dags"], serde_json::json!(["p01"]));
    // Triggered only (by rtde's stage), never on a schedule.
    assert_eq!(bag["schedule"], "None", "{bag}");
    assert_eq!(
        bag["params"],
        serde_json::json!({"storage": "iceberg", "broker": "kafka", "flink_timeout_s": 840})
    );
    assert_eq!(
        bag["tasks"],
        serde_json::json!({
            "submit_flink_job": ["wait_flink_job"],
            "wait_flink_job": ["silver_count"],
            "silver_count": ["dbt_build"],
            "dbt_build": [],
        })
    );
    // No retry hides a failed step.
    assert_eq!(bag["retries"], serde_json::json!([0]));
}

#[test]
fn airflow_dags_test_runs_p01s_steps_in_order_and_stops_at_a_failed_one() {
    let home = Home::new();
    let migrate = home
        .command(&venv_bin("airflow"))
        .args(["db", "migrate"])
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        shown("db migrate", &migrate)
    );
    let dags_test = || {
        let started = Instant::now();
        let out = home
            .command(&venv_bin("airflow"))
            .args(["dags", "test", "p01", "-c"])
            .arg(r#"{"storage": "files", "broker": "tansu"}"#)
            .output()
            .unwrap();
        eprintln!(
            "airflow dags test: {:.1} s",
            started.elapsed().as_secs_f64()
        );
        out
    };

    let out = dags_test();
    assert!(out.status.success(), "{}", shown("dags test", &out));
    let steps = home.take_steps();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "submit_flink_job",
            "wait_flink_job",
            "count_silver",
            "dbt_build"
        ]
    );
    assert_eq!(steps[0]["storage"], "files");
    assert_eq!(steps[0]["broker"], "tansu");
    // The job id submit_flink_job returned reached wait_flink_job (through XCom).
    assert_eq!(steps[1]["job_id"], "0123456789abcdef0123456789abcdef");
    assert_eq!(steps[1]["timeout_s"], 840.0);
    assert_eq!(steps[2]["storage"], "files");
    assert_eq!(steps[3]["storage"], "files");

    home.fail_at(Some("wait_flink_job"));
    let out = dags_test();
    assert!(!out.status.success(), "{}", shown("dags test", &out));
    let names: Vec<String> = home
        .take_steps()
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["submit_flink_job", "wait_flink_job"]);
    let text = shown("dags test", &out);
    assert!(
        text.contains("wait_flink_job failed as RTDE_STEPS_FAIL asked"),
        "{text}"
    );
}

/// `airflow standalone` in its own process group, interrupted (as Compose's stop_signal
/// does in P08's container) and then killed if it outlives its deadline.
struct Standalone {
    child: Child,
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let group = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(group, Signal::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(200)); // poll interval, deadline above
        }
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn task_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("rtde-task "))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect()
}

#[test]
fn airflow_standalone_runs_the_dag_run_dag_py_triggers_and_reports_its_task_instances() {
    let home = Home::new();
    let port = free_port();
    let api = format!("http://127.0.0.1:{port}");
    let log = fs::File::create(home.path("standalone.log")).unwrap();
    let child = home
        .command(&venv_bin("airflow"))
        .arg("standalone")
        // P08's compose.yaml, on a port of its own and on loopback.
        .env("AIRFLOW__API__HOST", "127.0.0.1")
        .env("AIRFLOW__API__PORT", port.to_string())
        .env(
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
            format!("{api}/execution/"),
        )
        .env("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
        .env("AIRFLOW__CORE__PARALLELISM", "1")
        .env("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")
        .env("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    let _standalone = Standalone { child };
    let run_dag = |timeout: &str| {
        let started = Instant::now();
        let out = home
            .command(&venv_bin("python"))
            .arg(repo_root().join("pipelines/08-airflow-orchestrated/run_dag.py"))
            .args(["--dag", "p01", "--conf", "storage=files", "--conf"])
            .args(["broker=tansu", "--timeout", timeout, "--api", &api])
            .output()
            .unwrap();
        eprintln!("run_dag.py: {:.1} s", started.elapsed().as_secs_f64());
        out
    };
    let standalone_log = || fs::read_to_string(home.path("standalone.log")).unwrap_or_default();

    // The first run waits for the API server and the DAG processor's parse of dag.py.
    let out = run_dag("240");
    assert!(
        out.status.success(),
        "{}\n--- airflow standalone ---\n{}",
        shown("run_dag.py", &out),
        standalone_log()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tasks = task_lines(&stdout);
    let names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, TASKS, "{stdout}");
    let at = |task: &Value, field: &str| {
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
    assert!(tasks.iter().all(|t| t["state"] == "success"), "{tasks:?}");
    for line in [
        "airflow_tasks_succeeded=4",
        "silver_rows=9743",
        "bronze_rows=9988",
        "dbt_pass=228",
    ] {
        assert!(stdout.contains(line), "no {line} in:\n{stdout}");
    }
    assert_eq!(home.take_steps().len(), 4);

    // A failed step fails the run and the stage, with the step's exception in the output.
    // The stand-in names its steps as p01_steps.py does: the task silver_count calls count_silver.
    home.fail_at(Some("count_silver"));
    let out = run_dag("240");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", shown("run_dag.py", &out));
    let states: Vec<(String, String)> = task_lines(&stdout)
        .iter()
        .map(|t| {
            let field = |name: &str| t[name].as_str().unwrap().to_owned();
            (field("name"), field("state"))
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("submit_flink_job", "success"),
        ("wait_flink_job", "success"),
        ("silver_count", "failed"),
        ("dbt_build", "upstream_failed"),
    ]
    .iter()
    .map(|(n, s)| (n.to_string(), s.to_string()))
    .collect();
    assert_eq!(states, expected, "{stdout}");
    assert!(stdout.contains("airflow_tasks_succeeded=2"), "{stdout}");
    assert!(
        stdout.contains(
            "silver_count failed (StepFailed: count_silver failed as RTDE_STEPS_FAIL asked)"
        ),
        "{stdout}"
    );
}
