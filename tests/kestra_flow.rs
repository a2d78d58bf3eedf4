//! P07's Kestra flow (`pipelines/07-kestra-orchestrated/flow.yaml`), checked by what can
//! check it here: Kestra itself cannot run without a registry, and only a client of its API
//! is on PyPI, so this is not Kestra's own validation (its JSON schema, its plugin
//! properties, its Pebble rendering). What is checked: the file is YAML with Kestra's
//! required keys (`id`, `namespace`, `tasks`) and ids of Kestra's pattern; every task's and
//! plugin default's type is one this flow may use; every `{{ inputs.X }}` is a declared input
//! and every `{{ outputs.T… }}` an earlier task; the tasks' commands are P01's own steps,
//! read from P01's manifest; the stage passes every input without a default; and
//! `run_flow.sh` is valid shell. The checks can fail: a broken flow is shown failing each.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use regex::Regex;
use serde_yaml_ng::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// The task types the flow may use: Kestra's shell tasks and its Docker task runner (the
/// original's "shell tasks with the Docker runner"), and Kestra's log task.
const ALLOWED_TYPES: [&str; 4] = [
    "io.kestra.plugin.scripts.shell.Commands",
    "io.kestra.plugin.scripts.shell.Script",
    "io.kestra.plugin.scripts.runner.docker.Docker",
    "io.kestra.plugin.core.log.Log",
];

const TASKS: [&str; 4] = [
    "submit_flink_job",
    "wait_flink_job",
    "silver_count",
    "dbt_build",
];

fn text(value: &Value) -> String {
    serde_yaml_ng::to_string(value).unwrap()
}

/// P01's command line for a step, in the flow's words: `${var}` becomes a quoted input.
fn as_flow_command(args: &[&str]) -> String {
    args.iter()
        .map(
            |a| match a.strip_prefix("${").and_then(|a| a.strip_suffix('}')) {
                Some(var) => format!("\"{{{{ inputs.{var} }}}}\""),
                None => (*a).to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// P01's steps as the flow's tasks must run them: task id → a string its commands contain.
fn p01_steps() -> Vec<(&'static str, String)> {
    let p01 = read_yaml("pipelines/01-kafka-flink-iceberg/pipeline.yaml");
    let stage = |name: &str| {
        p01["stages"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name || s["use"] == name)
            .unwrap_or_else(|| panic!("P01 has no stage {name}"))
            .clone()
    };
    let command = |name: &str| {
        let stage = stage(name);
        let args: Vec<&str> = stage["exec"]["command"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        as_flow_command(&args)
    };
    let dbt = stage("dbt")["with"]["script"]
        .as_str()
        .unwrap()
        .replace("${storage}", "{{ inputs.storage }}");
    vec![
        ("submit_flink_job", command("bronze_silver")),
        ("silver_count", command("silver_count")),
        ("dbt_build", dbt),
    ]
}

/// Every problem of the flow that the checks above find, in words; none for a good flow.
fn problems(flow: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let id = Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$").unwrap();
    for key in ["id", "namespace"] {
        match flow[key].as_str() {
            Some(v) if id.is_match(v) => {}
            other => found.push(format!("`{key}` is {other:?}, not an id")),
        }
    }
    let Some(tasks) = flow["tasks"].as_sequence().filter(|t| !t.is_empty()) else {
        found.push("no `tasks`".into());
        return found;
    };
    let inputs: BTreeSet<String> = flow["inputs"]
        .as_sequence()
        .map(|i| {
            i.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for default in flow["pluginDefaults"].as_sequence().into_iter().flatten() {
        for ty in [&default["type"], &default["values"]["taskRunner"]["type"]] {
            if let Some(ty) = ty.as_str().filter(|t| !ALLOWED_TYPES.contains(t)) {
                found.push(format!("plugin default of type {ty}"));
            }
        }
    }
    let input_ref = Regex::new(r"\{\{\s*inputs\.([A-Za-z0-9_]+)").unwrap();
    let output_ref = Regex::new(r"\{\{\s*outputs\.([A-Za-z0-9_]+)").unwrap();
    let mut earlier = BTreeSet::new();
    for task in tasks {
        let name = task["id"].as_str().unwrap_or("");
        if !id.is_match(name) {
            found.push(format!("task id {name:?}"));
        }
        match task["type"].as_str() {
            Some(ty) if ALLOWED_TYPES.contains(&ty) => {}
            other => found.push(format!("task {name} has type {other:?}")),
        }
        let body = text(task);
        for used in input_ref.captures_iter(&body) {
            if !inputs.contains(&used[1]) {
                found.push(format!("task {name} uses undeclared input {}", &used[1]));
            }
        }
        for used in output_ref.captures_iter(&body) {
            if !earlier.contains(&used[1]) {
                found.push(format!(
                    "task {name} uses outputs of {}, not an earlier task",
                    &used[1]
                ));
            }
        }
        earlier.insert(name.to_owned());
    }
    let names: Vec<&str> = tasks.iter().filter_map(|t| t["id"].as_str()).collect();
    if names != TASKS {
        found.push(format!("tasks {names:?}, not P01's steps {TASKS:?}"));
    }
    for (task, step) in p01_steps() {
        let commands = tasks
            .iter()
            .find(|t| t["id"] == task)
            .map(|t| {
                t["commands"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        if !commands.contains(&step) {
            found.push(format!("task {task} does not run P01's step `{step}`"));
        }
    }
    found
}

#[test]
fn the_kestra_flow_is_p01s_steps_as_shell_tasks_of_allowed_types() {
    let flow = read_yaml("pipelines/07-kestra-orchestrated/flow.yaml");
    assert_eq!(problems(&flow), Vec::<String>::new());
    assert_eq!(flow["id"], "p01");
    assert_eq!(flow["namespace"], "rtde");
    // The original's shell tasks ran on Kestra's Docker task runner; so do these.
    assert_eq!(
        flow["pluginDefaults"][0]["values"]["taskRunner"]["type"],
        "io.kestra.plugin.scripts.runner.docker.Docker"
    );
}

#[test]
fn a_broken_flow_fails_each_check() {
    let good = read_yaml("pipelines/07-kestra-orchestrated/flow.yaml");
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut flow = good.clone();
        change(&mut flow);
        problems(&flow)
    };
    let no_namespace = broken(&|f| {
        f.as_mapping_mut().unwrap().remove("namespace");
    });
    assert!(
        no_namespace.iter().any(|p| p.contains("`namespace`")),
        "{no_namespace:?}"
    );
    let python =
        broken(&|f| f["tasks"][2]["type"] = "io.kestra.plugin.scripts.python.Script".into());
    assert!(
        python.iter().any(|p| p.contains("silver_count has type")),
        "{python:?}"
    );
    let other_step = broken(&|f| {
        f["tasks"][2]["commands"][0] = "docker exec jm sh /opt/rtde/flink/bin/other.sh".into()
    });
    assert!(
        other_step
            .iter()
            .any(|p| p.contains("silver_count does not run P01's step")),
        "{other_step:?}"
    );
    let undeclared = broken(&|f| f["tasks"][3]["commands"][0] = "echo {{ inputs.nope }}".into());
    assert!(
        undeclared
            .iter()
            .any(|p| p.contains("undeclared input nope")),
        "{undeclared:?}"
    );
    let later =
        broken(&|f| f["tasks"][0]["commands"][0] = "echo {{ outputs.dbt_build.vars.x }}".into());
    assert!(
        later.iter().any(|p| p.contains("not an earlier task")),
        "{later:?}"
    );
}

#[test]
fn the_stage_passes_every_required_input_and_its_script_is_valid_shell() {
    let flow = read_yaml("pipelines/07-kestra-orchestrated/flow.yaml");
    let script =
        std::fs::read_to_string(repo().join("pipelines/07-kestra-orchestrated/run_flow.sh"))
            .unwrap();
    let posted: BTreeSet<&str> = Regex::new(r#"-F "([A-Za-z0-9_]+)="#)
        .unwrap()
        .captures_iter(&script)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    let inputs = flow["inputs"].as_sequence().unwrap();
    for input in inputs {
        let name = input["id"].as_str().unwrap();
        if input.get("defaults").is_none() {
            assert!(
                posted.contains(name),
                "run_flow.sh does not post the input {name}"
            );
        }
    }
    for name in &posted {
        assert!(
            inputs.iter().any(|i| i["id"] == *name),
            "run_flow.sh posts {name}, which the flow does not declare"
        );
    }
    assert_eq!(posted, BTreeSet::from(["broker", "project", "storage"]));
    let p07 = read_yaml("pipelines/07-kestra-orchestrated/pipeline.yaml");
    let stage = &p07["stages"][0];
    assert_eq!(stage["name"], "kestra_flow");
    let args: Vec<&str> = stage["exec"]["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args[..5],
        [
            "sh",
            "/opt/rtde/kestra/run_flow.sh",
            "${storage}",
            "${broker}",
            "${project}"
        ]
    );
    for shell in ["sh", "bash"] {
        let out = Command::new(shell)
            .arg("-n")
            .arg(repo().join("pipelines/07-kestra-orchestrated/run_flow.sh"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell} -n run_flow.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
