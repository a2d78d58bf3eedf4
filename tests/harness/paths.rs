//! Where things are: a pipeline folder given by path, and the tables written beside the run
//! records `--out` names (never into the curated comparison).

use std::path::Path;

use crate::util::{Sandbox, fixture_image, output, repo_root};

/// The curated comparison's tables, as committed: no test may change them.
fn curated() -> Vec<(String, Vec<u8>)> {
    ["results.csv", "runs.csv"]
        .iter()
        .map(|name| {
            let path = repo_root().join("pipelines/comparison").join(name);
            (name.to_string(), std::fs::read(&path).unwrap_or_default())
        })
        .collect()
}

#[test]
fn results_go_beside_the_runs_of_out_and_compare_reads_that_folder() {
    let before = curated();
    let sandbox = Sandbox::new();
    let out = output(sandbox.bench("p90").args(["--runs", "2"]));
    assert_eq!(out.status.code(), Some(0));
    let results = std::fs::read_to_string(sandbox.runs().join("results.csv")).unwrap();
    assert!(results.contains("p90,Fixture basic,"), "{results}");
    let runs = std::fs::read_to_string(sandbox.runs().join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 3, "a header and two runs: {runs}");
    assert_eq!(
        curated(),
        before,
        "pipelines/comparison/ must stay as committed"
    );

    let out = output(&mut sandbox.rtde(&["compare", sandbox.runs().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0));
    let report = std::fs::read_to_string(sandbox.runs().join("comparison_report.md")).unwrap();
    assert!(report.contains("p90"), "{report}");
    let out = output(&mut sandbox.rtde(&["report", sandbox.runs().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(sandbox.runs().join("BENCHMARK_RESULTS.md")).unwrap();
    assert!(text.contains("p90"), "{text}");
    assert_eq!(
        curated(),
        before,
        "compare and report of a folder write only there"
    );
}

/// A copy of the basic fixture in a folder of its own outside the pipelines folder: its
/// compose file is the project's, named from the root (`${root}`), and its host stage reads
/// a file of its own folder by a relative path.
fn outside_pipeline(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("90-mine");
    std::fs::create_dir(&folder).unwrap();
    let manifest = std::fs::read_to_string(
        repo_root().join("tests/fixtures/pipelines/90-basic/pipeline.yaml"),
    )
    .unwrap()
    .replace(
        "files: [compose.yaml]",
        "files:\n    - ${root}/tests/fixtures/pipelines/90-basic/compose.yaml",
    )
    .replace(
        "echo host sees ${pipeline_id} silver_rows=42",
        "cat ./rows.txt",
    );
    std::fs::write(folder.join("pipeline.yaml"), manifest).unwrap();
    std::fs::write(folder.join("rows.txt"), "silver_rows=44\n").unwrap();
    folder
}

#[test]
fn a_pipeline_folder_outside_pipelines_validates_and_benches_by_path() {
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = outside_pipeline(elsewhere.path());
    let sandbox = Sandbox::new();
    let path = folder.to_str().unwrap();
    let out = output(&mut sandbox.rtde(&["validate", path]));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("p90: ok"));

    let image = format!("image={}", fixture_image());
    let mut bench = sandbox.rtde(&["bench", path, "--var", &image, "--no-sample", "--out"]);
    let out = output(bench.arg(sandbox.runs()));
    assert_eq!(out.status.code(), Some(0));
    let run = sandbox.run_json("p90");
    assert_eq!(run["status"], "passed");
    assert_eq!(
        run["metrics"]["silver_rows"], 44.0,
        "read from the folder's own file"
    );
    assert_eq!(run["pipeline"]["folder"], path);
}

#[test]
fn a_manifest_error_in_a_folder_given_by_path_names_its_file_and_line() {
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = outside_pipeline(elsewhere.path());
    let manifest = folder.join("pipeline.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("timeout: 30s", "timout: 30s")).unwrap();
    let out = output(&mut Sandbox::new().rtde(&["validate", manifest.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:", manifest.display())) && err.contains("unknown field `timout`"),
        "{err}"
    );

    let out = output(&mut Sandbox::new().rtde(&["validate", elsewhere.path().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no pipeline.yaml"));
}
