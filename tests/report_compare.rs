//! `rtde compare` and `rtde report` end to end, from fixed run records.
//!
//! The fixtures under tests/fixtures/runs are run.json files (made by make_fixtures.py there,
//! figures invented to cover the cases). Every test copies them into a fresh root, runs the
//! real binary, and checks what it wrote: golden files for the report, tables, charts and
//! exports (rewrite them with `UPDATE_GOLDEN=1 cargo test --test report_compare`), plus the
//! exit codes of regressions and of bad results files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// A fresh project root holding a copy of the fixture runs under `runs/`, and of the
/// project's manifests (with the files they name), which the report's cross-cutting
/// comparisons are derived from.
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("creating a temporary root");
    copy_dir(&Path::new(FIXTURES).join("runs"), &dir.path().join("runs"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in fs::read_dir(repo.join("pipelines")).unwrap() {
        let folder = entry.unwrap().path();
        if folder.join("pipeline.yaml").is_file() {
            copy_files(
                &folder,
                &dir.path()
                    .join("pipelines")
                    .join(folder.file_name().unwrap()),
            );
        }
    }
    for shared in ["shared/compose", "shared/stages"] {
        copy_files(&repo.join(shared), &dir.path().join(shared));
    }
    dir
}

/// Every file under `from`, copied into `to` (a link as the file it points to: the storage
/// fragments under shared/compose/storage are links).
fn copy_files(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_files(&path, &target);
        } else if path.is_file() {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else if path.extension().is_some_and(|e| e == "json" || e == "csv") {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn rtde(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rtde"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("running rtde")
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `rtde compare --from-runs runs` with every export, asserted to succeed.
fn compare_fixtures(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "compare",
        "--from-runs",
        "runs",
        "--export-json",
        "exports/results.json",
        "--export-csv",
        "exports/results.csv",
        "--export-markdown",
        "exports/results.md",
    ];
    args.extend(extra);
    rtde(root, &args)
}

fn golden(name: &str, actual: &str) {
    let path: PathBuf = Path::new(FIXTURES).join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "golden file {} is missing: run `UPDATE_GOLDEN=1 cargo test --test report_compare` \
             and review the new file",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             If the change is intended, run `UPDATE_GOLDEN=1 cargo test --test report_compare` \
             and review the diff.",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("chart is well-formed SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

#[test]
fn report_tables_charts_and_exports_match_their_golden_files() {
    let root = sandbox();
    let output = compare_fixtures(root.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    for file in [
        "pipelines/comparison/comparison_report.md",
        "pipelines/comparison/results.csv",
        "pipelines/comparison/runs.csv",
        "pipelines/comparison/stages.svg",
        "pipelines/comparison/memory-vs-e2e.svg",
        "pipelines/comparison/memory-p01.svg",
        "exports/results.json",
        "exports/results.csv",
        "exports/results.md",
    ] {
        let name = Path::new(file).file_name().unwrap().to_string_lossy();
        let name = if file.starts_with("exports/") {
            format!("export-{name}")
        } else {
            name.to_string()
        };
        golden(&name, &read(root.path(), file));
    }
    golden(
        "compare-stdout.txt",
        &String::from_utf8_lossy(&output.stdout),
    );

    let report = rtde(root.path(), &["report"]);
    assert_eq!(report.status.code(), Some(0), "{}", describe(&report));
    golden(
        "BENCHMARK_RESULTS.md",
        &read(root.path(), "BENCHMARK_RESULTS.md"),
    );
}

#[test]
fn report_ranks_with_intervals_and_keeps_substitutions_and_failures_apart() {
    let root = sandbox();
    let output = compare_fixtures(root.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let report = read(root.path(), "pipelines/comparison/comparison_report.md");
    let ranking =
        &report[report.find("## Ranking").unwrap()..report.find("## Results by tier").unwrap()];
    // Six counted runs of p01 give the interval x(1)…x(6) = 59.6 … 62.1.
    assert!(ranking.contains("| 3 | **p01** kafka-flink-iceberg | core | [60.4](../../runs/p01/"));
    // Each bound is one run's figure and links to that run.
    assert!(ranking.contains(
        "[59.6](../../runs/p01/20261120T103000Z-r01c/run.json) … \
         [62.1](../../runs/p01/20261120T105000Z-r01e/run.json)"
    ));
    // The tansu run of p03 is marked and never in the ranked rows.
    let ranked_rows: Vec<&str> = ranking
        .lines()
        .filter(|l| {
            l.starts_with("| 1 ")
                || l.starts_with("| 2 ")
                || l.starts_with("| 3 ")
                || l.starts_with("| 4 ")
        })
        .collect();
    assert_eq!(ranked_rows.len(), 4, "{ranked_rows:?}");
    assert!(ranked_rows.iter().all(|l| !l.contains("p03")));
    assert!(ranking.contains("**p03** kafka-risingwave ⚠ on tansu | Kafka 4.0 | tansu"));
    assert!(ranking.contains("Not ranked because their runs did not pass: p02 (CHECK_FAIL)"));
    // The failed check links to the run where it failed, not the last run.
    assert!(report.contains("[silver rows match the oracle: expected = 9855, got 9739](../../runs/p02/20261120T111000Z-r02b/run.json)"));
    // p04's slow first run is called out with the warm-up advice.
    assert!(report.contains("add `--warmup 1`"));
    assert!(report.contains("- p02 vs p05: not yet benchmarked (results for p02 only)."));
    // P08 against the P01 it drives: the shift of its three runs over P01's six (differences
    // 11.9 … 17.6, median 15.05), the interval from the 2nd to the 17th of the 18 differences
    // at 1 − 2·2/84 = 95 %, and its airflow service as the orchestrator's own. P18 ran on
    // tansu, P01 on Kafka: named, not compared.
    let overhead = &report[report.find("### Orchestrators").unwrap()..];
    assert!(
        overhead
            .contains("| **p08** airflow-orchestrated | 3 (6) | +15.1 | +13.0 … +17.2 (95 %) |")
    );
    assert!(overhead.contains("| airflow | 310 | 9.5 |"));
    assert!(overhead.contains("p18 ran on tansu and p01 on the manifest's stack: not compared"));
    // Every linked run.json exists.
    for link in report
        .split("](")
        .skip(1)
        .filter_map(|s| s.split(')').next())
    {
        if link.ends_with("run.json") {
            let target = root.path().join("pipelines/comparison").join(link);
            assert!(target.exists(), "broken link {link}");
        }
    }
}

#[test]
fn charts_parse_and_hold_their_series() {
    let root = sandbox();
    let output = compare_fixtures(root.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stages = read(root.path(), "pipelines/comparison/stages.svg");
    let texts = svg_texts(&stages);
    for expected in [
        "p01",
        "p02",
        "p03*",
        "p04",
        "p10",
        "startup",
        "ingestion",
        "processing",
        "transform",
        "serving",
        "validation",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "stages.svg lacks {expected}: {texts:?}"
        );
    }
    let scatter = svg_texts(&read(root.path(), "pipelines/comparison/memory-vs-e2e.svg"));
    // p03 ran on a substituted broker: starred, as on the stage bars.
    for id in ["p01", "p02", "p03*", "p04", "p10"] {
        assert!(scatter.iter().any(|t| t == id), "scatter lacks {id}");
    }
    let memory = read(root.path(), "pipelines/comparison/memory-p01.svg");
    let doc = roxmltree::Document::parse(&memory).unwrap();
    let polylines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .count();
    // kafka, flink-jobmanager, flink-taskmanager, minio, the one-off dbt and the stack sum.
    let texts = svg_texts(&memory);
    for series in [
        "kafka",
        "flink-jobmanager",
        "flink-taskmanager",
        "minio",
        "dbt",
        "stack (sum)",
    ] {
        assert!(
            texts.iter().any(|t| t == series),
            "memory chart lacks {series}"
        );
    }
    assert!(polylines >= 6, "{polylines} polylines");
}

#[test]
fn json_export_reads_like_hyperfine() {
    let root = sandbox();
    let output = compare_fixtures(root.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let json: serde_json::Value =
        serde_json::from_str(&read(root.path(), "exports/results.json")).unwrap();
    let results = json["results"].as_array().unwrap();
    let p01 = results.iter().find(|r| r["pipeline_id"] == "p01").unwrap();
    assert_eq!(p01["command"], "p01 kafka-flink-iceberg");
    for field in ["mean", "stddev", "median", "user", "system", "min", "max"] {
        assert!(p01[field].is_f64(), "{field} is {:?}", p01[field]);
    }
    assert_eq!(p01["times"].as_array().unwrap().len(), 6);
    assert_eq!(p01["exit_codes"], serde_json::json!([0, 0, 0, 0, 0, 0]));
    assert_eq!(p01["median"], 60.35);
    assert_eq!(p01["min"], 59.6);
    assert_eq!(p01["median_ci"]["low"], 59.6);
    let p10 = results.iter().find(|r| r["pipeline_id"] == "p10").unwrap();
    assert!(p10["stddev"].is_null(), "one run has no standard deviation");
    let csv = read(root.path(), "exports/results.csv");
    assert!(csv.starts_with("command,mean,stddev,median,user,system,min,max,"));
}

/// Write a hyperfine-shaped baseline: only `command` and `times` per entry.
fn hyperfine_baseline(root: &Path, entries: &[(&str, &[f64])]) -> String {
    let results: Vec<serde_json::Value> = entries
        .iter()
        .map(|(command, times)| {
            let mut sorted = times.to_vec();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len();
            let median = if n % 2 == 1 {
                sorted[n / 2]
            } else {
                (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
            };
            serde_json::json!({
                "command": command, "mean": times.iter().sum::<f64>() / n as f64,
                "stddev": null, "median": median, "user": 0.0, "system": 0.0,
                "min": sorted[0], "max": sorted[n - 1], "times": times,
            })
        })
        .collect();
    let path = root.join("baseline.json");
    fs::write(&path, serde_json::json!({ "results": results }).to_string()).unwrap();
    "baseline.json".to_string()
}

#[test]
fn a_real_slowdown_exits_with_the_regression_code() {
    let root = sandbox();
    // p01 now: 59.6 … 62.1 s over six runs; then: about 50 s, every run faster.
    let baseline = hyperfine_baseline(
        root.path(),
        &[("p01", &[50.0, 50.2, 49.9, 50.1, 50.3, 49.8])],
    );
    let output = compare_fixtures(
        root.path(),
        &["--baseline", &baseline, "--threshold", "10%"],
    );
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("p01 e2e_s +20.6 %"), "{stderr}");
    let report = read(root.path(), "pipelines/comparison/comparison_report.md");
    assert!(report.contains("## Regressions against the baseline"));
    assert!(report.contains("| p01 | e2e_s | 50.05 s | 60.35 s | +20.6 % | 6/6 | **regression** | rank test p = 0.001 |"), "{report}");
}

#[test]
fn a_freshness_p99_regression_exits_with_the_regression_code() {
    let root = sandbox();
    let first = compare_fixtures(root.path(), &[]);
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    // The baseline: today's tables with p04's sustained runs twice as fresh at the p99.
    let dir = root.path().join("baseline");
    fs::create_dir_all(&dir).unwrap();
    let comparison = root.path().join("pipelines/comparison");
    let mut runs = rtde::results::runs_table::read(&comparison.join("runs.csv")).unwrap();
    for run in runs.iter_mut().filter(|r| r.load_rate.is_some()) {
        run.freshness_p99_s = run.freshness_p99_s.map(|p99| p99 / 2.0);
    }
    rtde::results::runs_table::write(&dir.join("runs.csv"), &runs).unwrap();
    let mut rows = rtde::results::table::read(&comparison.join("results.csv")).unwrap();
    let p04 = rows.iter_mut().find(|r| r.pipeline_id == "p04").unwrap();
    p04.freshness_p99_s = p04.freshness_p99_s.map(|p99| p99 / 2.0);
    rtde::results::table::write(&dir.join("results.csv"), &rows).unwrap();

    let output = compare_fixtures(
        root.path(),
        &["--baseline", "baseline/results.csv", "--threshold", "10%"],
    );
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("p04 freshness_p99_s +100.0 %"), "{stderr}");
    let report = read(root.path(), "pipelines/comparison/comparison_report.md");
    assert!(
        report.contains("| p04 | freshness_p99_s | 1.01 s | 2.02 s | +100.0 % | 6/6 | **regression** | rank test p = 0.001 |"),
        "{report}"
    );
}

#[test]
fn a_noisy_difference_beyond_the_threshold_is_not_flagged() {
    let root = sandbox();
    // Median 54 s (p01 now is 11.8 % slower) but the old runs straddle the new ones.
    let baseline = hyperfine_baseline(
        root.path(),
        &[("p01", &[45.0, 48.0, 50.0, 58.0, 63.0, 70.0])],
    );
    let output = compare_fixtures(root.path(), &["--baseline", &baseline]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("**0 regression(s), 0 improvement(s)**, 1 change(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("| noise |"), "{stdout}");
}

#[test]
fn a_single_run_applies_the_threshold_alone() {
    let root = sandbox();
    // p10 has a single run of 30 s; a single old run of 25 s is +20 %.
    let baseline = hyperfine_baseline(root.path(), &[("p10", &[25.0])]);
    let output = compare_fixtures(root.path(), &["--baseline", &baseline]);
    assert_eq!(output.status.code(), Some(4), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("cannot judge noise, threshold alone"),
        "{stdout}"
    );
}

#[test]
fn comparing_with_its_own_export_finds_nothing() {
    let root = sandbox();
    let first = compare_fixtures(root.path(), &[]);
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    fs::copy(
        root.path().join("exports/results.json"),
        root.path().join("baseline.json"),
    )
    .unwrap();
    let again = rtde(root.path(), &["compare", "--baseline", "baseline.json"]);
    assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("**0 regression(s), 0 improvement(s)**, 0 change(s)")
    );
}

#[test]
fn missing_empty_or_corrupt_results_are_invalid_input() {
    let root = tempfile::tempdir().unwrap();
    let missing = rtde(root.path(), &["compare"]);
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("does not exist: run `rtde bench <id>` first")
    );

    let results = root.path().join("pipelines/comparison/results.csv");
    fs::create_dir_all(results.parent().unwrap()).unwrap();
    fs::write(&results, "").unwrap();
    let empty = rtde(root.path(), &["compare"]);
    assert_eq!(empty.status.code(), Some(2), "{}", describe(&empty));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("has no rows"));

    fs::write(&results, "pipeline_id,pipeline_name\np01,\"unterminated\n").unwrap();
    let corrupt = rtde(root.path(), &["compare"]);
    assert_eq!(corrupt.status.code(), Some(2), "{}", describe(&corrupt));
    assert!(
        String::from_utf8_lossy(&corrupt.stderr).contains("not a results row"),
        "{}",
        describe(&corrupt)
    );

    let bad_threshold = rtde(root.path(), &["compare", "--threshold", "lots"]);
    assert_eq!(
        bad_threshold.status.code(),
        Some(2),
        "{}",
        describe(&bad_threshold)
    );
}

#[test]
fn report_without_runs_says_so() {
    let root = tempfile::tempdir().unwrap();
    let output = rtde(root.path(), &["report"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let text = read(root.path(), "BENCHMARK_RESULTS.md");
    assert!(text.contains("No real runs recorded yet"));
    assert!(text.contains(
        "## Reference: the original framework's published figures (not rtde measurements)"
    ));
}
