//! Building images without a registry: local bases from Debian packages that trust the
//! host's extra CA certificates, and a clear error when a base is missing. Real engine,
//! real debootstrap, real PyPI; nothing is mocked.

use std::process::Command;

fn rtde(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "1")
        .args(args)
        .output()
        .expect("running rtde");
    eprintln!(
        "---- rtde {args:?} exited {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_local_base_trusts_the_host_certificates_and_installs_from_pypi() {
    let out = rtde(&["images", "build", "--base", "local", "--only", "python"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "needs root, debootstrap and a Debian mirror"
    );
    // A second build changes nothing.
    let again = rtde(&["images", "build", "--base", "local", "--only", "python"]);
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("rtde-local/python:3.11-bookworm: up to date"),
        "{said}"
    );

    let pip = Command::new("docker")
        .args([
            "run",
            "--rm",
            "rtde-local/python:3.11-bookworm",
            "sh",
            "-c",
            "python3 -m venv /tmp/v && /tmp/v/bin/pip install -q --disable-pip-version-check six==1.16.0 \
             && /tmp/v/bin/python -c 'import six; print(six.__version__)'",
        ])
        .output()
        .unwrap();
    assert!(
        pip.status.success(),
        "pip in the local base could not install from PyPI:\n{}",
        String::from_utf8_lossy(&pip.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&pip.stdout).trim(), "1.16.0");
}

#[test]
fn a_missing_local_base_is_named_with_the_command_that_builds_it() {
    let root = tempfile::tempdir().unwrap();
    let docker = root.path().join("shared/docker");
    std::fs::create_dir_all(&docker).unwrap();
    std::fs::write(
        docker.join("images.yaml"),
        "bases:\n  - {name: debian, image: 'rtde-local/never-built:1', public: 'debian:12.12-slim', suite: bookworm}\n\
         images:\n  - {name: app, image: 'rtde-test/app:1', dockerfile: shared/docker/app.Dockerfile, base: debian}\n",
    )
    .unwrap();
    std::fs::write(
        docker.join("app.Dockerfile"),
        "ARG BASE_IMAGE=debian:12.12-slim\nFROM ${BASE_IMAGE}\n",
    )
    .unwrap();
    let root_arg = root.path().to_str().unwrap();
    let out = rtde(&[
        "--root",
        root_arg,
        "images",
        "build",
        "--base",
        "local",
        "--skip-bases",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rtde-local/never-built:1") && err.contains("rtde images build --base local"),
        "{err}"
    );
}

#[test]
fn images_for_a_pipeline_are_its_stacks_and_a_second_build_is_a_no_op() {
    let first = rtde(&["images", "build", "--base", "local", "--for", "p00"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "needs root, debootstrap and a Debian mirror"
    );
    let again = rtde(&["images", "build", "--base", "local", "--for", "p00"]);
    assert_eq!(again.status.code(), Some(0));
    let said = String::from_utf8_lossy(&again.stdout);
    // The closing table: P00's generator and dbt runner on their bases, nothing else.
    let table: Vec<&str> = said
        .lines()
        .skip_while(|l| !l.contains(" image "))
        .skip(1)
        .take_while(|l| !l.contains(" total "))
        .collect();
    let images: Vec<&str> = table
        .iter()
        .filter_map(|l| l.split_once("] ")?.1.split_whitespace().next())
        .collect();
    assert_eq!(
        images,
        [
            "rtde-local/debian:bookworm",
            "rtde-local/python:3.11-bookworm",
            "rtde/rtde:0.1.0",
            "rtde/dbt:1.11.16"
        ],
        "{said}"
    );
    assert!(table.iter().all(|l| l.contains("up to date")), "{said}");
    // P00 needs no broker: the broker's image is not even considered.
    assert!(!said.contains("tansu"), "{said}");
}

#[test]
fn a_missing_host_binary_is_built_first_with_its_progress() {
    let root = tempfile::tempdir().unwrap();
    let docker = root.path().join("shared/docker");
    std::fs::create_dir_all(&docker).unwrap();
    // The Debian base exactly as the project's file has it, so that it is up to date here.
    std::fs::write(
        docker.join("images.yaml"),
        "bases:\n  - {name: debian, image: 'rtde-local/debian:bookworm', public: 'debian:12.12-slim', suite: bookworm, packages: [ca-certificates]}\n\
         images:\n  - name: tool\n    image: 'rtde-test-firsthour/tool:1'\n    dockerfile: shared/docker/tool.Dockerfile\n    base: debian\n    local:\n      files:\n        - {from: out/tool, to: tool, build: [sh, -c, 'mkdir -p out && echo compiled-here && echo made > out/tool']}\n",
    )
    .unwrap();
    std::fs::write(
        docker.join("tool.Dockerfile"),
        "ARG BASE_IMAGE=debian:12.12-slim\nFROM ${BASE_IMAGE}\nCOPY tool /tool\n",
    )
    .unwrap();
    let root_arg = root.path().to_str().unwrap();
    let build = || rtde(&["--root", root_arg, "images", "build", "--base", "local"]);
    let out = build();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let made = root.path().join("out/tool");
    let contents = std::fs::read_to_string(&made).unwrap_or_default();
    let again = build();
    let _ = Command::new("docker")
        .args(["image", "rm", "rtde-test-firsthour/tool:1"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert_eq!(contents, "made\n");
    assert!(said.contains("is missing: running `sh -c"), "{said}");
    assert!(
        said.contains("rtde-test-firsthour/tool:1: compiled-here"),
        "{said}"
    );
    assert!(said.contains("rtde-test-firsthour/tool:1: built"), "{said}");
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("rtde-test-firsthour/tool:1: up to date"),
        "{said}"
    );
}
