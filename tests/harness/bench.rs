use crate::util::{Sandbox, leftovers, output, read_json};

#[test]
fn a_full_run_records_stages_metrics_checks_images_and_results() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p90"));
    assert_eq!(out.status.code(), Some(0));

    let run = sandbox.run_json("p90");
    assert_eq!(run["status"], "passed");
    let stages = run["stages"].as_array().unwrap();
    let actions: Vec<&str> = stages
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["exec", "run", "host"]);
    assert!(
        stages
            .iter()
            .all(|s| s["status"] == "passed" && s["exit_code"] == 0)
    );
    assert_eq!(run["metrics"]["rows"], 42.0);
    assert_eq!(run["metrics"]["job_rows"], 42.0);
    assert_eq!(run["metrics"]["silver_rows"], 42.0);
    let checks = run["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3);
    assert!(checks.iter().all(|c| c["passed"] == true), "{checks:?}");

    // Harness overhead: e2e minus startup minus stage time.
    let overhead = run["harness_overhead_s"].as_f64().unwrap();
    assert!(overhead < 1.0, "harness overhead {overhead}s");
    let e2e = run["e2e_s"].as_f64().unwrap();
    let startup = run["startup_s"].as_f64().unwrap();
    assert!(e2e >= startup && startup > 0.0);

    // Every container that ran is named with its image id, the one-off job included.
    let containers = run["containers"].as_array().unwrap();
    for service in ["db", "app", "job"] {
        let c = containers
            .iter()
            .find(|c| c["service"] == service)
            .unwrap_or_else(|| panic!("no record of {service}: {containers:?}"));
        assert!(
            c["image_id"].as_str().unwrap().starts_with("sha256:"),
            "{c}"
        );
    }
    assert!(
        containers
            .iter()
            .any(|c| c["service"] == "job" && c["one_off"] == true)
    );

    // The environment is recorded.
    let env = &run["environment"];
    assert!(env["docker_api_version"].as_str().is_some());
    assert!(env["compose"].as_str().unwrap().contains("compose"));
    assert!(env["cores"].as_u64().unwrap() >= 1);

    // Stage logs, the results row, and nothing left behind.
    let dir = sandbox.run_dirs("p90").pop().unwrap();
    let log = std::fs::read_to_string(dir.join("stages/01-produce.log")).unwrap();
    assert!(log.contains("produced rows=42"), "{log}");
    assert!(log.contains("probe held"), "{log}");
    let table = std::fs::read_to_string(sandbox.results()).unwrap();
    let mut rows = table.lines();
    assert!(
        rows.next()
            .unwrap()
            .starts_with("pipeline_id,pipeline_name,ingestion")
    );
    let row = rows.next().unwrap();
    assert!(row.starts_with("p90,Fixture basic,"), "{row}");
    assert!(row.contains(",PASS,"), "{row}");
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
}

#[test]
fn a_failing_stage_records_its_exit_code_saves_logs_skips_the_rest_and_exits_1() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p91"));
    assert_eq!(out.status.code(), Some(1));
    let run = sandbox.run_json("p91");
    assert_eq!(run["status"], "failed");
    let stages = run["stages"].as_array().unwrap();
    assert_eq!(stages[0]["status"], "passed");
    assert_eq!(stages[1]["status"], "failed");
    assert_eq!(stages[1]["exit_code"], 3);
    assert_eq!(stages[2]["status"], "skipped");
    let dir = sandbox.run_dirs("p91").pop().unwrap();
    let log = std::fs::read_to_string(dir.join("stages/02-fails.log")).unwrap();
    assert!(
        log.contains("about to fail"),
        "stderr of the stage is in its log: {log}"
    );
    let saved: Vec<String> = std::fs::read_dir(dir.join("containers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(saved.iter().any(|n| n.contains("app")), "{saved:?}");
    assert!(saved.iter().any(|n| n.contains("db")), "{saved:?}");
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
    let table = std::fs::read_to_string(sandbox.results()).unwrap();
    assert!(table.contains(",FAIL,"), "{table}");
}

#[test]
fn a_stage_that_outlives_its_timeout_is_stopped_and_recorded() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p92"));
    assert_eq!(out.status.code(), Some(1));
    let run = sandbox.run_json("p92");
    let stage = &run["stages"][0];
    assert_eq!(stage["status"], "timed_out");
    let took = stage["duration_s"].as_f64().unwrap();
    assert!(
        (2.0..10.0).contains(&took),
        "stage ran {took}s with a 2s timeout"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("timed out after 2s"));
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
}

#[test]
fn a_service_that_never_becomes_healthy_fails_startup_clearly() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p94"));
    assert_eq!(out.status.code(), Some(1));
    let run = sandbox.run_json("p94");
    assert_eq!(run["status"], "failed");
    assert!(
        run["error"]
            .as_str()
            .unwrap()
            .contains("`sick` is unhealthy"),
        "{}",
        run["error"]
    );
    assert_eq!(run["stages"][0]["status"], "skipped");
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
}

#[test]
fn warmup_and_repeated_runs_are_each_recorded() {
    let sandbox = Sandbox::new();
    let out = output(sandbox.bench("p90").args(["--runs", "2", "--warmup", "1"]));
    assert_eq!(out.status.code(), Some(0));
    let dirs = sandbox.run_dirs("p90");
    assert_eq!(dirs.len(), 3);
    let warmups: Vec<bool> = dirs
        .iter()
        .map(|d| read_json(&d.join("run.json"))["warmup"].as_bool().unwrap())
        .collect();
    assert_eq!(warmups.iter().filter(|w| **w).count(), 1);
    let table = std::fs::read_to_string(sandbox.results()).unwrap();
    assert_eq!(table.lines().count(), 2, "one row per pipeline: {table}");
    // The bench closes with the pipeline's summary, its figures over the counted runs only.
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("PASS, 2 runs (+1 warm-up not counted)")
            && said.contains("end to end: median")
            && said.contains("range [")
            && said.contains("checks "),
        "{said}"
    );
}

#[test]
fn bench_all_runs_the_selection_and_rejects_an_empty_one() {
    let sandbox = Sandbox::new();
    let image = format!("image={}", crate::util::fixture_image());
    let mut cmd = sandbox.rtde(&[
        "bench-all",
        "--only",
        "90",
        "--tier",
        "fixture",
        "--var",
        &image,
        "--broker",
        "beta",
    ]);
    cmd.arg("--no-sample").arg("--out").arg(sandbox.runs());
    let out = output(&mut cmd);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("p90 has no variable `broker`"));
    assert_eq!(sandbox.run_dirs("p90").len(), 1);
    // A pipeline without a broker runs on its own stack: nothing records a substitution.
    let run = sandbox.run_json("p90");
    assert!(
        run["variables"].get("broker").is_none(),
        "{}",
        run["variables"]
    );
    let table = std::fs::read_to_string(sandbox.results()).unwrap();
    assert!(!table.contains("beta"), "{table}");
    assert!(
        sandbox.run_dirs("p91").is_empty(),
        "only the selection runs"
    );

    let out = output(&mut sandbox.rtde(&["bench-all", "--tier", "no-such-tier"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pipeline matches"));
}

#[test]
fn a_compose_file_chosen_by_a_variable_follows_the_broker_flag() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p98"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(sandbox.run_json("p98")["metrics"]["flavour"], 1.0);

    let out = output(sandbox.bench("p98").args(["--broker", "beta"]));
    assert_eq!(out.status.code(), Some(0));
    let run = sandbox.run_json("p98");
    assert_eq!(run["metrics"]["flavour"], 2.0);
    assert_eq!(run["variables"]["broker"], "beta");
    // The results row of a substituted broker says so; the report keeps it out of rankings.
    let table = std::fs::read_to_string(sandbox.results()).unwrap();
    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let column = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "substituted_broker")
        .unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[column], "beta");
}

#[test]
fn a_broker_without_a_fragment_or_a_pipeline_without_a_broker_is_refused() {
    let sandbox = Sandbox::new();
    let out = output(sandbox.bench("p98").args(["--broker", "gamma"]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("98-compose-variable/pipeline.yaml:15:")
            && err.contains("`broker-gamma.yaml` (with broker=gamma) does not exist")
            && err.contains("broker-alpha.yaml, broker-beta.yaml"),
        "{err}"
    );

    let out = output(sandbox.bench("p90").args(["--broker", "beta"]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("p90 has no broker to replace"), "{err}");
    let out = output(&mut sandbox.rtde(&["up", "p90", "--broker", "beta"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("p90 has no broker to replace"));
}
