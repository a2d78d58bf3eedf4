//! `rtde up`, `rtde stage`, `rtde status`, `rtde down`: the step-by-step habit on a fixture
//! stack, and the refusals (no stack up, an unknown stage, other variables).

use crate::util::{Sandbox, fixture_image, output, project_named, read_json, repo_root};

#[test]
fn stages_run_in_two_calls_on_an_up_stack_and_a_check_spans_them() {
    let sandbox = Sandbox::new();
    let image = format!("image={}", fixture_image());
    let up = output(&mut sandbox.rtde(&["up", "p90", "--var", &image]));
    assert_eq!(up.status.code(), Some(0));
    let project = project_named(&String::from_utf8_lossy(&up.stdout), "rtde-p90-");
    let run_id = project.trim_start_matches("rtde-p90-");
    let dir = repo_root()
        .join("runs/p90")
        .join(format!("manual-{run_id}"));

    // First call: `rows` is captured; the check comparing `job_rows` with it must wait.
    let first = output(&mut sandbox.rtde(&["stage", "p90", "produce"]));
    assert_eq!(first.status.code(), Some(0));
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(said.contains("p90: produce passed"), "{said}");
    assert!(said.contains("check `rows produced` passed"), "{said}");
    assert!(!said.contains("check `the job agrees`"), "{said}");
    assert!(said.contains("waiting for metrics"), "{said}");

    // Other variables than the stack's are refused, and nothing runs.
    let other = output(&mut sandbox.rtde(&["stage", "p90", "job", "--var", "image=other"]));
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("image=other"));

    // Second call, two stages: the check across both calls is evaluated now.
    let second = output(&mut sandbox.rtde(&["stage", "p90", "job", "check-on-host"]));
    assert_eq!(second.status.code(), Some(0));
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(said.contains("check `the job agrees` passed"), "{said}");
    assert!(
        said.contains("check `silver rows in range` passed"),
        "{said}"
    );

    let record = read_json(&dir.join("stages.json"));
    let calls = record["invocations"].as_array().unwrap();
    assert_eq!(calls.len(), 2, "the refused call is not recorded");
    assert_eq!(calls[0]["pending_checks"].as_array().unwrap().len(), 2);
    assert_eq!(calls[1]["stages"][0]["name"], "job");
    assert_eq!(calls[1]["stages"][0]["metrics"]["job_rows"], 42.0);
    assert!(
        calls[1]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["passed"] == true)
    );
    assert_eq!(record["metrics"]["rows"], 42.0);
    let log = std::fs::read_to_string(dir.join("stages/002-01-job.log")).unwrap();
    assert!(log.contains("job done rows=42"), "{log}");

    let status = output(&mut sandbox.rtde(&["status", "p90"]));
    let listed = String::from_utf8_lossy(&status.stdout);
    assert!(
        listed.contains("stages run: produce passed, job passed, check-on-host passed"),
        "{listed}"
    );
    assert!(
        listed.contains(&project) && listed.contains("running"),
        "{listed}"
    );
    sandbox.down_leaves_nothing("p90", &project);
    assert!(read_json(&dir.join("stack.json"))["down_at"].is_string());

    // Down means down: the next stage is refused and says how to start the stack again.
    let after = output(&mut sandbox.rtde(&["stage", "p90", "produce"]));
    assert_eq!(after.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&after.stderr).contains("`rtde up p90`"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stage_on_a_stack_that_is_not_up_is_refused_with_the_command_to_run() {
    let sandbox = Sandbox::new();
    let image = format!("image={}", fixture_image());
    let out = output(&mut sandbox.rtde(&["stage", "p90", "produce", "--var", &image]));
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("`rtde up p90 --var {image}`")),
        "{said}"
    );
}

#[test]
fn an_unknown_stage_is_refused_with_the_manifests_stages() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.rtde(&["stage", "p90", "produce", "silver"]));
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no stage `silver`"), "{said}");
    assert!(said.contains("produce job check-on-host"), "{said}");
}
