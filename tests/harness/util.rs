//! Shared helpers of the harness tests: the fixture image, an rtde command with a sandbox
//! for its records, and checks that nothing of a run is left on the engine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use crate::up::project_named;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture image, built once per test process (and only when its inputs changed).
pub fn fixture_image() -> &'static str {
    static IMAGE: OnceLock<String> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let out = Command::new(repo_root().join("tests/fixtures/images/build.sh"))
            .output()
            .expect("running tests/fixtures/images/build.sh");
        assert!(
            out.status.success(),
            "building the fixture image failed; these tests need a running Docker engine, gcc and \
             busybox-static (apt-get install busybox-static):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

/// A per-test folder for run records and the results table, and a per-test rtde instance:
/// tests run in parallel, and one test's sweep must not remove another test's deliberately
/// killed run before that test has looked at it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    instance: String,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let instance = format!("test-{}", dir.path().file_name().unwrap().to_string_lossy());
        Sandbox { dir, instance }
    }

    /// Another sandbox in the same rtde instance (its sweeps see this one's runs).
    pub fn sharing_instance(&self) -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
            instance: self.instance.clone(),
        }
    }

    pub fn runs(&self) -> PathBuf {
        self.dir.path().join("runs")
    }

    /// The results table `bench --out` writes beside its run records.
    pub fn results(&self) -> PathBuf {
        self.runs().join("results.csv")
    }

    /// `rtde <args>` against the fixture pipelines.
    pub fn rtde(&self, args: &[&str]) -> Command {
        self.rtde_with(Path::new("tests/fixtures/pipelines"), args)
    }

    /// `rtde <args>` against the pipelines in `dir`.
    pub fn rtde_with(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtde"));
        cmd.current_dir(repo_root())
            .env("CI", "1")
            .env("RTDE_INSTANCE", &self.instance)
            .arg("--pipelines-dir")
            .arg(dir)
            .args(args);
        cmd
    }

    /// `rtde bench <id>` with the fixture image and this sandbox's folders.
    pub fn bench(&self, id: &str) -> Command {
        let image = format!("image={}", fixture_image());
        let mut cmd = self.rtde(&["bench", id, "--var", &image, "--no-sample"]);
        cmd.arg("--out").arg(self.runs());
        cmd
    }

    /// The run folders of a pipeline, oldest first.
    pub fn run_dirs(&self, id: &str) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(self.runs().join(id))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        dirs.sort();
        dirs
    }

    pub fn run_json(&self, id: &str) -> serde_json::Value {
        let dir = self.run_dirs(id).pop().expect("a run folder");
        read_json(&dir.join("run.json"))
    }
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Run and capture, printing everything when the test is about to fail on it.
pub fn output(cmd: &mut Command) -> Output {
    let out = cmd.stdin(Stdio::null()).output().expect("running rtde");
    eprintln!(
        "---- {cmd:?} exited {:?}\n---- stdout\n{}\n---- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Sandbox {
    /// `rtde down <id>` passes and leaves nothing of the project on the engine.
    pub fn down_leaves_nothing(&self, id: &str, project: &str) {
        assert_eq!(output(&mut self.rtde(&["down", id])).status.code(), Some(0));
        assert!(
            leftovers(project).is_empty(),
            "left: {:?}",
            leftovers(project)
        );
    }
}

/// Names of every container, network and volume of a Compose project still on the engine.
pub fn leftovers(project: &str) -> Vec<String> {
    let label = format!("label=com.docker.compose.project={project}");
    let mut names = Vec::new();
    for args in [
        vec!["ps", "-a", "--filter", &label, "--format", "{{.Names}}"],
        vec!["network", "ls", "--filter", &label, "--format", "{{.Name}}"],
        vec!["volume", "ls", "--filter", &label, "--format", "{{.Name}}"],
    ] {
        let out = Command::new("docker").args(&args).output().expect("docker");
        names.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.is_empty())
                .map(String::from),
        );
    }
    names
}

/// Wait until `cond` holds, polling with a growing interval; panic with `what` at the deadline.
pub fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    let mut interval = Duration::from_millis(50);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(interval);
        interval = (interval * 3 / 2).min(Duration::from_secs(1));
    }
}
