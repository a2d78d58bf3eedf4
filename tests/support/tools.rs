//! What the engine tests (`engine_*.rs`) share: the repository, its virtual environment's
//! Python, running a helper with its output shown when it fails, and the one generation
//! every engine is held to.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Every engine test runs on the same events: this seed, this many.
pub const SEED: u64 = 42;
pub const EVENTS: u64 = 10_000;

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

/// `rtde generate` of the engine tests' events as JSON lines (exactly the Kafka payloads,
/// malformed ones included) into `jsonl`, with the oracle written to `oracle`; returns the
/// oracle.
pub fn generate_jsonl(jsonl: &Path, oracle: &Path) -> Result<Value> {
    run(Command::new(env!("CARGO_BIN_EXE_rtde"))
        .args(["generate", "--events", &EVENTS.to_string()])
        .args(["--seed", &SEED.to_string()])
        .arg("--sink")
        .arg(format!("jsonl:{}", jsonl.display()))
        .arg("--oracle-out")
        .arg(oracle))?;
    let text =
        std::fs::read_to_string(oracle).with_context(|| format!("reading {}", oracle.display()))?;
    serde_json::from_str(&text).context("parsing the oracle")
}
