//! Helpers shared by the `generate_*` integration tests: running `rtde generate` and reading
//! what it wrote.

use std::path::Path;
use std::process::{Command, Output};

pub fn rtde() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rtde"))
}

fn generate(args: &[&str]) -> Output {
    rtde()
        .arg("generate")
        .args(args)
        .output()
        .expect("running rtde")
}

/// Runs `rtde generate ARGS` and returns its output, failing the test (with stderr) when it
/// does not succeed.
pub fn generate_ok(args: &[&str]) -> Output {
    let output = generate(args);
    assert!(
        output.status.success(),
        "rtde generate {args:?} failed with {}:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `rtde generate ARGS` expecting failure; returns the exit code and stderr.
pub fn generate_err(args: &[&str]) -> (i32, String) {
    let output = generate(args);
    assert!(
        !output.status.success(),
        "rtde generate {args:?} should have failed"
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A path inside `dir` as a string, for command lines and SQL.
pub fn path_in(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_string()
}
