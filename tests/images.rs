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
