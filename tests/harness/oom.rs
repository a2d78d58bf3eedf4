//! A container killed by the kernel for exceeding its memory limit is named as such, with
//! the container, its service and its limit: in the stage, on the console and in run.json.

use crate::util::{Sandbox, leftovers, output};

#[test]
fn an_oom_kill_is_named_with_container_service_and_limit() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p88"));
    assert_eq!(out.status.code(), Some(1));
    let run = sandbox.run_json("p88");
    assert_eq!(run["status"], "failed");
    let stage = &run["stages"][0];
    assert_eq!(stage["status"], "failed");
    assert_eq!(stage["exit_code"], 137);
    let kill = &stage["oom_kills"][0];
    assert_eq!(kill["service"], "hog", "{stage}");
    assert_eq!(kill["mem_limit_bytes"], 16 * 1024 * 1024, "{stage}");
    let container = kill["container"].as_str().unwrap();
    let error = stage["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("killed container `{container}` (service `hog`)"))
            && error.contains("memory limit of 16 MiB")
            && error.contains("OOM"),
        "{error}"
    );
    let hog = run["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service"] == "hog")
        .expect("the one-off is recorded");
    assert_eq!(hog["oom_killed"], true, "{hog}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("OOM-KILLED") && stdout.contains("16 MiB"),
        "{stdout}"
    );
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
}

#[test]
fn an_oom_kill_inside_a_running_service_is_named_too() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p87"));
    assert_eq!(out.status.code(), Some(1));
    let run = sandbox.run_json("p87");
    let stage = &run["stages"][0];
    assert_eq!(stage["exit_code"], 137, "{stage}");
    assert_eq!(stage["oom_kills"][0]["service"], "app", "{stage}");
    assert_eq!(stage["oom_kills"][0]["mem_limit_bytes"], 16 * 1024 * 1024);
    assert!(
        stage["error"].as_str().unwrap().contains("(service `app`)"),
        "{stage}"
    );
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
}
