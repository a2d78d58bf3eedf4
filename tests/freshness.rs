//! The freshness method proved on a stack whose answer is known (issue 20, item 3): the
//! fixture p86 (tests/fixtures/pipelines/86-freshness) holds every event a fixed time, so
//! the measured freshness must be that time; with a per-event cost above what the rate
//! allows, the run must be reported as not sustaining its rate (lag growing), not as a
//! large latency.
//!
//! Real parts: rtde's generator (the binary under test, mounted into the rtde image), the
//! probe, Compose and the engine. Needs the project images rtde/rtde and rtde/dbt
//! (`make images-local`).

use std::path::PathBuf;
use std::process::{Command, Output};

const IMAGES: [&str; 2] = ["rtde/rtde:0.1.0", "rtde/dbt:1.11.16"];

fn require_images() {
    for image in IMAGES {
        let found = Command::new("docker")
            .args(["image", "inspect", image])
            .output()
            .expect("docker")
            .status
            .success();
        assert!(
            found,
            "image {image} is missing; build the project images with `make images-local`"
        );
    }
}

/// A sustained bench of p86 with `vars`, its output and its one run.json.
fn bench(vars: &[&str], rate: &str, duration: &str) -> (Output, serde_json::Value) {
    require_images();
    let out_dir = tempfile::tempdir().unwrap();
    let bin = format!("rtde_bin={}", env!("CARGO_BIN_EXE_rtde"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtde"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "1")
        .env(
            "RTDE_INSTANCE",
            format!(
                "freshness-{}",
                out_dir.path().file_name().unwrap().to_string_lossy()
            ),
        )
        .args([
            "--pipelines-dir",
            "tests/fixtures/pipelines",
            "bench",
            "p86",
        ])
        .args(["--var", &bin]);
    for v in vars {
        cmd.args(["--var", v]);
    }
    cmd.args([
        "--rate",
        rate,
        "--duration",
        duration,
        "--probe-interval",
        "100ms",
    ])
    .args(["--no-sample", "--out"])
    .arg(out_dir.path());
    let out = cmd.output().expect("running rtde");
    eprintln!(
        "---- rtde exited {:?}\n---- stdout\n{}\n---- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let runs: Vec<PathBuf> = std::fs::read_dir(out_dir.path().join("p86"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let text = std::fs::read_to_string(runs[0].join("run.json")).unwrap();
    (out, serde_json::from_str(&text).unwrap())
}

fn num(v: &serde_json::Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

#[test]
fn a_processor_that_holds_each_event_two_seconds_measures_two_seconds() {
    let (out, run) = bench(&["hold_ms=2000"], "100", "20s");
    assert_eq!(out.status.code(), Some(0), "{}", run["error"]);
    let fresh = &run["freshness"];
    assert_eq!(fresh["valid"], true, "{fresh}");
    let f = &fresh["freshness"];
    // Within ±10 % of 2 s, or one poll interval, whichever is wider.
    let interval_s = num(&f["poll_interval_ms"], "poll interval") / 1000.0;
    let bound = (0.2f64).max(interval_s);
    for p in ["p50_s", "p99_s"] {
        let measured = num(&f[p], p);
        assert!(
            (measured - 2.0).abs() <= bound,
            "{p} = {measured} s, expected 2 s ± {bound} s: {f}"
        );
    }
    assert_eq!(f["sustained"], true, "{f}");
    assert_eq!(f["rows_seen"], f["rows_expected"], "{f}");
    // The correctness checks ran on the same run: Silver equals the oracle.
    let checks = run["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["passed"] == true), "{checks:?}");
    assert!(
        checks.iter().any(|c| c["metric"] == "silver_rows"),
        "{checks:?}"
    );
}

#[test]
fn a_processor_slower_than_the_rate_is_reported_as_not_sustaining_it() {
    // 10 ms per event: 100 events/s at most, against a load of 200.
    let (out, run) = bench(&["hold_ms=0", "cost_ms=10"], "200", "15s");
    assert_eq!(out.status.code(), Some(0), "{}", run["error"]);
    let f = &run["freshness"]["freshness"];
    assert_eq!(f["sustained"], false, "{f}");
    let slope = num(&f["lag_slope"], "lag slope");
    assert!(slope > 0.3, "the lag grows about 0.5 s/s: {f}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("not sustained"),
        "the summary says so"
    );
}
