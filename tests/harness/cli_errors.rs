use crate::util::{Sandbox, output};

fn validate_bad(id: &str) -> String {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.rtde_with(
        std::path::Path::new("tests/fixtures/manifests/bad"),
        &["validate", id],
    ));
    assert_eq!(out.status.code(), Some(2), "manifest errors exit 2");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_unknown_key_is_located_and_named() {
    let err = validate_bad("p01");
    assert!(
        err.contains("tests/fixtures/manifests/bad/01-unknown-key/pipeline.yaml:11:"),
        "{err}"
    );
    assert!(err.contains("unknown field `timout`"), "{err}");
    assert!(err.contains("expected one of"), "{err}");
}

#[test]
fn every_bad_reference_is_reported_with_its_line() {
    let err = validate_bad("p02");
    let at = |line: u32| format!("02-bad-references/pipeline.yaml:{line}:");
    assert!(
        err.contains(&at(6)) && err.contains("`missing.yaml` does not exist"),
        "{err}"
    );
    assert!(
        err.contains(&at(10)) && err.contains("unknown category `procesing`"),
        "{err}"
    );
    assert!(err.contains("unknown variable `${evnts}`"), "{err}");
    assert!(
        err.contains(&at(12)) && err.contains("not a duration"),
        "{err}"
    );
    assert!(
        err.contains(&at(15)) && err.contains("no stage captures metric `never_captured`"),
        "{err}"
    );
}

#[test]
fn broken_yaml_is_located() {
    let err = validate_bad("p03");
    assert!(err.contains("03-broken-yaml/pipeline.yaml:"), "{err}");
}

#[test]
fn services_and_profiles_are_checked_against_the_compose_stack() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.rtde(&["validate", "p90"]));
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("07-wrong-service");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("compose.yaml"),
        "services:\n  app:\n    image: x/y:1\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("pipeline.yaml"),
        "id: p07\nname: w\ntier: t\nstack: {ingestion: a, processor: b, storage: c, transform: d, orchestrator: e, serving: f}\n\
         compose:\n  files: [compose.yaml]\n  profiles: [ghost]\nstages:\n  - name: s\n    category: other\n    exec:\n      service: apx\n      command: \"true\"\n    timeout: 5s\n",
    )
    .unwrap();
    let out = output(&mut Sandbox::new().rtde_with(dir.path(), &["validate", "p07"]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pipeline.yaml:12:")
            && err.contains("service `apx` is not in the compose stack; use one of: app"),
        "{err}"
    );
    assert!(
        err.contains("pipeline.yaml:7:") && err.contains("profile `ghost`"),
        "{err}"
    );
}

#[test]
fn an_unknown_pipeline_id_is_invalid_input() {
    let out = output(&mut Sandbox::new().rtde(&["bench", "p42"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pipeline `p42`"));
}

#[test]
fn an_unreachable_docker_engine_is_an_environment_error_with_advice() {
    let out = output(
        Sandbox::new()
            .rtde(&["clean"])
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock"),
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reach the Docker engine") && err.contains("start it"),
        "{err}"
    );
}

#[test]
fn a_port_already_in_use_is_an_environment_error_and_the_stack_comes_down() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let sandbox = Sandbox::new();
    let out = output(
        sandbox
            .bench("p96")
            .args(["--var", &format!("port={port}")]),
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already in use"), "{err}");
    let run = sandbox.run_json("p96");
    assert_eq!(run["status"], "failed");
    assert!(crate::util::leftovers(run["project"].as_str().unwrap()).is_empty());
}

#[test]
fn an_image_that_cannot_be_pulled_is_named() {
    let out = output(&mut Sandbox::new().bench("p97"));
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rtde-fixture/not-built-anywhere:1.0.0") && err.contains("offline"),
        "{err}"
    );
}

#[test]
fn a_missing_compose_tool_is_an_environment_error() {
    let out = output(
        Sandbox::new()
            .rtde(&["validate", "p90"])
            .env("RTDE_COMPOSE", "no-such-compose-tool"),
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Docker Compose is missing"));
}

#[test]
fn a_compose_file_may_only_use_declared_variables_and_must_exist_by_default() {
    let err = validate_bad("p04");
    let at = |line: u32| format!("04-bad-compose-variable/pipeline.yaml:{line}:");
    assert!(
        err.contains(&at(7)) && err.contains("uses `${flavour}`, which is not a variable"),
        "{err}"
    );
    assert!(
        err.contains(&at(8))
            && err.contains("`broker-kafka.yaml` (with broker=kafka) does not exist"),
        "{err}"
    );
}
