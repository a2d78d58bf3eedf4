use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::util::{Sandbox, leftovers, output, wait_for};

/// Start `rtde bench p93` (whose second stage hangs) and wait until that stage is running;
/// returns the child and the run's project name.
fn start_hanging_run(sandbox: &Sandbox) -> (Running, String) {
    start_hanging(sandbox, "p93")
}

/// Start `rtde bench <id>` of a fixture whose second stage hangs (p93, or p99 whose clean
/// teardown takes a minute) and wait until that stage is running.
fn start_hanging(sandbox: &Sandbox, id: &str) -> (Running, String) {
    let child = sandbox
        .bench(id)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hang_log = || -> Option<PathBuf> {
        let dir = sandbox.run_dirs(id).pop()?;
        let log = dir.join("stages/02-hangs.log");
        log.exists().then_some(log)
    };
    wait_for(
        "the hanging stage to start",
        Duration::from_secs(180),
        || hang_log().is_some(),
    );
    let dir = sandbox.run_dirs(id).pop().unwrap();
    let started = std::fs::read_to_string(dir.join("stages/01-started.log")).unwrap();
    let project = started
        .lines()
        .find_map(|l| l.strip_prefix("stage started for "))
        .expect("the first stage prints the project")
        .trim()
        .to_string();
    (Running(child), project)
}

/// An rtde process of a test; interrupted (so it tears down) if the test fails first.
struct Running(Child);

impl Running {
    fn signal(&self, sig: Signal) {
        kill(Pid::from_raw(self.0.id() as i32), sig).unwrap();
    }

    fn wait(&mut self) -> Option<i32> {
        self.0.wait().unwrap().code()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = kill(Pid::from_raw(self.0.id() as i32), Signal::SIGINT);
            let _ = self.0.wait();
        }
    }
}

#[test]
fn sigint_during_a_stage_tears_down_and_exits_130() {
    let sandbox = Sandbox::new();
    // Tables that hold earlier results: an interrupted run measured nothing and must not
    // change them.
    std::fs::create_dir_all(sandbox.runs()).unwrap();
    let golden = crate::util::repo_root().join("tests/fixtures/golden");
    for table in ["results.csv", "runs.csv"] {
        std::fs::copy(golden.join(table), sandbox.runs().join(table)).unwrap();
    }
    let (mut child, project) = start_hanging_run(&sandbox);
    assert!(
        !leftovers(&project).is_empty(),
        "the stack is up before the signal"
    );
    child.signal(Signal::SIGINT);
    assert_eq!(child.wait(), Some(130));
    let run = sandbox.run_json("p93");
    assert_eq!(run["status"], "interrupted");
    assert_eq!(run["stages"][1]["status"], "interrupted");
    for table in ["results.csv", "runs.csv"] {
        assert_eq!(
            std::fs::read(sandbox.runs().join(table)).unwrap(),
            std::fs::read(golden.join(table)).unwrap(),
            "{table} is unchanged by an interrupted run"
        );
    }
    assert!(
        leftovers(&project).is_empty(),
        "left: {:?}",
        leftovers(&project)
    );
}

#[test]
fn sigterm_tears_down_like_sigint() {
    let sandbox = Sandbox::new();
    let (mut child, project) = start_hanging_run(&sandbox);
    child.signal(Signal::SIGTERM);
    assert_eq!(child.wait(), Some(130));
    assert_eq!(sandbox.run_json("p93")["status"], "interrupted");
    assert!(
        leftovers(&project).is_empty(),
        "left: {:?}",
        leftovers(&project)
    );
}

#[test]
fn a_second_signal_forces_removal_and_exits_at_once() {
    let sandbox = Sandbox::new();
    let (mut child, project) = start_hanging(&sandbox, "p99");
    child.signal(Signal::SIGINT);
    // The first signal has been handled once the stage says so; the clean teardown is then
    // under way, and takes a minute (p99's stubborn container), so the second signal
    // certainly cuts it short.
    let dir = sandbox.run_dirs("p99").pop().unwrap();
    wait_for(
        "the stage to see the interrupt",
        Duration::from_secs(60),
        || {
            std::fs::read_to_string(dir.join("stages/02-hangs.log"))
                .is_ok_and(|log| log.contains("interrupted"))
        },
    );
    let second = std::time::Instant::now();
    child.signal(Signal::SIGINT);
    assert_eq!(child.wait(), Some(130));
    // A clean teardown waits out the stubborn container's stop timeout (compose down -t 10);
    // the forced path kills it at once.
    let waited = second.elapsed();
    assert!(
        waited < Duration::from_secs(10),
        "the second signal waited {waited:?}, as long as a clean teardown"
    );
    // The forced exit waits for the run's record: it says interrupted (its `down` failing
    // under the forced removal is no failure).
    let text =
        std::fs::read_to_string(dir.join("run.json")).expect("a run.json after a double interrupt");
    let run: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(run["status"], "interrupted", "{run}");
    wait_for("the forced removal", Duration::from_secs(60), || {
        leftovers(&project).is_empty()
    });
}

#[test]
fn after_sigkill_clean_removes_the_dead_runs_leftovers_and_spares_a_live_run() {
    let dead_box = Sandbox::new();
    let (mut dead, dead_project) = start_hanging_run(&dead_box);
    let live_box = dead_box.sharing_instance();
    let (mut live, live_project) = start_hanging_run(&live_box);

    dead.signal(Signal::SIGKILL);
    dead.wait();
    assert!(
        !leftovers(&dead_project).is_empty(),
        "SIGKILL leaves the stack behind"
    );

    let out = output(&mut dead_box.rtde(&["clean"]));
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&dead_project),
        "clean says what it removed: {said}"
    );
    assert!(!said.contains(&live_project), "{said}");
    assert!(
        leftovers(&dead_project).is_empty(),
        "left: {:?}",
        leftovers(&dead_project)
    );
    assert!(
        !leftovers(&live_project).is_empty(),
        "the live run is untouched"
    );

    live.signal(Signal::SIGINT);
    assert_eq!(live.wait(), Some(130));
    assert!(leftovers(&live_project).is_empty());
}

#[test]
fn the_next_bench_sweeps_a_killed_runs_leftovers_first() {
    let sandbox = Sandbox::new();
    let (mut dead, dead_project) = start_hanging_run(&sandbox);
    dead.signal(Signal::SIGKILL);
    dead.wait();
    let out = output(&mut sandbox.bench("p90"));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("removed leftovers of dead run {dead_project}"))
    );
    assert!(leftovers(&dead_project).is_empty());
}

#[test]
fn services_of_inactive_profiles_and_named_volumes_are_torn_down() {
    let sandbox = Sandbox::new();
    let out = output(&mut sandbox.bench("p95"));
    assert_eq!(out.status.code(), Some(0));
    let run = sandbox.run_json("p95");
    let containers = run["containers"].as_array().unwrap();
    assert!(
        containers.iter().any(|c| c["service"] == "extra"),
        "{containers:?}"
    );
    assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
}

#[test]
fn two_runs_of_the_same_pipeline_at_once_do_not_collide() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let mut first = a.bench("p90");
    let mut second = b.bench("p90");
    let (mut ca, mut cb) = (
        first.stdout(Stdio::null()).spawn().unwrap(),
        second.stdout(Stdio::null()).spawn().unwrap(),
    );
    assert_eq!(ca.wait().unwrap().code(), Some(0));
    assert_eq!(cb.wait().unwrap().code(), Some(0));
    let (ra, rb) = (a.run_json("p90"), b.run_json("p90"));
    assert_ne!(ra["project"], rb["project"]);
    assert_eq!(ra["status"], "passed");
    assert_eq!(rb["status"], "passed");
    for run in [ra, rb] {
        assert!(leftovers(run["project"].as_str().unwrap()).is_empty());
    }
}

#[test]
fn up_status_and_down_work_a_stack_by_hand() {
    let sandbox = Sandbox::new();
    let image = format!("image={}", crate::util::fixture_image());
    let out = output(&mut sandbox.rtde(&["up", "p90", "--var", &image]));
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("rtde down p90"),
        "up says how to stop: {said}"
    );
    let project = crate::util::project_named(&said, "rtde-p90-");

    // A kept stack survives a sweep, though its `rtde up` process is gone.
    assert_eq!(output(&mut sandbox.rtde(&["clean"])).status.code(), Some(0));
    assert!(!leftovers(&project).is_empty());

    let status = output(&mut sandbox.rtde(&["status", "p90"]));
    let listed = String::from_utf8_lossy(&status.stdout);
    assert!(
        listed.contains(&project) && listed.contains("running"),
        "{listed}"
    );

    sandbox.down_leaves_nothing("p90", &project);
}
