//! The project's own pipelines: every manifest validates against its compose stack, and the
//! pipelines whose images build here without a registry run end to end on the real engine,
//! checked against the generator's oracle.
//!
//! Needs the project images (`make images-local` on a machine without a registry, which is
//! what .ci/run does); a missing image fails with the command that builds it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rtde(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "1")
        .env("RTDE_INSTANCE", "pipelines-test")
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

#[test]
fn p00_runs_end_to_end_and_its_silver_and_gold_equal_the_oracle() {
    require_images(&["rtde/rtde:0.1.0", "rtde/dbt:1.11.16"]);
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let results = dir.path().join("results.csv");
    let out = rtde(&[
        "bench",
        "p00",
        "--out",
        runs.to_str().unwrap(),
        "--results",
        results.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));

    let run_dir = only_run(&runs, "p00");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["status"], "passed");
    let checks = run["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3);
    assert!(checks.iter().all(|c| c["passed"] == true), "{checks:?}");
    let metrics = &run["metrics"];
    assert_eq!(metrics["silver_rows"], metrics["oracle_silver_rows"]);
    assert!(metrics["silver_rows"].as_f64().unwrap() > 9_000.0);
    assert!(metrics["dbt_total"].as_f64().unwrap() >= 94.0, "{metrics}");
    assert_eq!(metrics["dbt_pass"], metrics["dbt_total"]);
    let resources = &run["resources"];
    assert!(resources["stack_peak_mem_bytes"].as_u64().unwrap() > 0);
    assert!(resources["cpu_s"].as_f64().unwrap() > 0.0);
    let table = std::fs::read_to_string(&results).unwrap();
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("p00,Batch baseline,"),
        "{table}"
    );

    let project = run["project"].as_str().unwrap();
    let left = Command::new("docker")
        .args([
            "ps",
            "-a",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ])
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "containers left behind");
}
