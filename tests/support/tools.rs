//! What the engine tests (`engine_*.rs`) share: the repository, its virtual environment's
//! Python, and running a helper with its output shown when it fails.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repo's `.venv` Python (`.ci/run` makes it from requirements-dev.txt).
pub fn python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: create the venv with `python3 -m venv .venv && \
         .venv/bin/pip install -r requirements-dev.txt` at the repo root",
        python.display()
    );
    python
}

/// Runs a command and returns its stdout; a failure carries the command, stdout and stderr.
pub fn run(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("starting {command:?}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{command:?} failed with {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}
