//! The sampler against the real Docker engine: accuracy of peak memory and CPU with both
//! methods, the kernel's high-water mark catching a spike between samples, one-off
//! containers, and isolation from other Compose projects.
//!
//! Containers are created directly through the engine with Compose's labels (a project per
//! test, unique), from the fixture image `tests/fixtures/images/build.sh` builds without a
//! registry. Every test removes its containers, also when it fails (`Project`'s Drop).
//!
//! Needs: a Docker engine on this host, gcc with static glibc and busybox-static (for the
//! fixture image). Nothing is mocked.

#[path = "support/fixture.rs"]
mod fixture;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::query_parameters::{
    KillContainerOptions, LogsOptions, StatsOptions, WaitContainerOptions,
};
use futures_util::StreamExt;

use rtde::engine::docker::Engine;
use rtde::sample::Method;
use rtde::sample::{
    ContainerResources, ContainerStageResources, ResourceReport, Sampler, SamplerConfig,
    StageResources,
};

const MIB: u64 = 1 << 20;
/// Generous: an engine on a busy 2-core machine can take seconds to start a container.
const DEADLINE: Duration = Duration::from_secs(60);

/// The fixture image, built once per test binary.
fn fixture_image() -> &'static str {
    static IMAGE: OnceLock<String> = OnceLock::new();
    IMAGE.get_or_init(|| fixture::build_image().unwrap_or_else(|e| panic!("{e}")))
}

async fn docker() -> Docker {
    Docker::connect_with_local_defaults()
        .expect(
            "cannot connect to the Docker engine: is dockerd running and is its socket readable?",
        )
        .negotiate_version()
        .await
        .expect("cannot negotiate an API version with the Docker engine: is dockerd running?")
}

/// A Compose project of one test: a unique name, and its containers removed on drop.
struct Project {
    name: String,
    docker: Docker,
}

impl Project {
    async fn new(test: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "rtde-test-{test}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        Self {
            name,
            docker: docker().await,
        }
    }

    /// Creates and starts a container of `service` running `cmd`; returns its id.
    async fn run(&self, service: &str, cmd: &[&str], one_off: bool) -> String {
        fixture::run_container(
            &self.docker,
            &self.name,
            service,
            fixture_image(),
            cmd,
            one_off,
        )
        .await
        .unwrap_or_else(|e| panic!("starting {service}: {e}"))
    }

    /// Waits until the container's output contains `needle`.
    async fn wait_for_log(&self, id: &str, needle: &str) {
        let deadline = Instant::now() + DEADLINE;
        let mut pause = Duration::from_millis(10);
        loop {
            let options = LogsOptions {
                stdout: true,
                stderr: true,
                tail: "all".into(),
                ..Default::default()
            };
            let mut output = String::new();
            let mut logs = self.docker.logs(id, Some(options));
            while let Some(Ok(chunk)) = logs.next().await {
                output.push_str(&chunk.to_string());
            }
            if output.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "container {id} never printed {needle:?} within {DEADLINE:?}; output so far:\n{output}"
            );
            // Backoff between polls of the log, bounded by the deadline above.
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// Waits until the engine has published `count` stats readings of the container that
    /// satisfy `condition`. The engine sends each reading to every subscriber at once, so a
    /// stats-method sampler following the container has received them too.
    async fn wait_for_engine_readings(
        &self,
        id: &str,
        count: usize,
        condition: impl Fn(u64, u64) -> bool,
    ) {
        let options = StatsOptions {
            stream: true,
            one_shot: false,
        };
        let mut stream = self.docker.stats(id, Some(options));
        let mut seen = 0;
        let waited = tokio::time::timeout(DEADLINE, async {
            while let Some(Ok(stats)) = stream.next().await {
                let memory = stats.memory_stats.and_then(|m| m.usage).unwrap_or(0);
                let cpu_usec = stats
                    .cpu_stats
                    .and_then(|c| c.cpu_usage)
                    .and_then(|u| u.total_usage)
                    .unwrap_or(0)
                    / 1_000;
                if condition(memory, cpu_usec) {
                    seen += 1;
                    if seen == count {
                        return;
                    }
                }
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "the engine never published {count} matching readings of {id}"
        );
    }

    async fn signal(&self, id: &str, signal: &str) {
        self.docker
            .kill_container(
                id,
                Some(KillContainerOptions {
                    signal: signal.into(),
                }),
            )
            .await
            .unwrap_or_else(|e| panic!("sending {signal} to {id}: {e}"));
    }

    async fn wait_for_exit(&self, id: &str) {
        let options = WaitContainerOptions {
            condition: "not-running".into(),
        };
        let mut wait = self.docker.wait_container(id, Some(options));
        let exited = tokio::time::timeout(DEADLINE, wait.next()).await;
        assert!(
            exited.is_ok(),
            "container {id} did not exit within {DEADLINE:?}"
        );
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        fixture::remove_project(&self.name);
    }
}

async fn start_sampler(project: &Project, method: Method, interval_ms: u64) -> Sampler {
    let config = SamplerConfig {
        method,
        interval: Duration::from_millis(interval_ms),
    };
    let engine = Engine::connect()
        .await
        .unwrap_or_else(|e| panic!("connecting to the engine: {e:#}"));
    let events = engine
        .follow_project(&project.name)
        .await
        .unwrap_or_else(|e| panic!("following the project's events: {e:#}"));
    Sampler::start(engine, &events, config)
        .await
        .unwrap_or_else(|e| panic!("starting the {method:?} sampler: {e:#}"))
}

/// Stops the sampler and checks samples.csv has a row per reading.
async fn stop(sampler: Sampler) -> ResourceReport {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("samples.csv");
    let report = sampler.stop(&csv).await.expect("stopping the sampler");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("t_offset_ms,service,container,mem_working_set_bytes,mem_usage_bytes,cpu_usec_total")
    );
    assert_eq!(
        lines.count() as u64,
        report.samples,
        "one CSV row per reading"
    );
    report
}

fn container<'a>(report: &'a ResourceReport, service: &str) -> &'a ContainerResources {
    report
        .containers
        .iter()
        .find(|c| c.service == service)
        .unwrap_or_else(|| panic!("service {service} is not in the report: {report:#?}"))
}

fn stage<'a>(report: &'a ResourceReport, name: &str) -> &'a StageResources {
    report
        .stages
        .iter()
        .find(|s| s.stage == name)
        .unwrap_or_else(|| panic!("stage {name} is not in the report: {report:#?}"))
}

fn assert_within(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= expected * tolerance,
        "{what}: {actual:.3} is not within ±{:.0} % of {expected:.3}",
        tolerance * 100.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peak_memory_of_256_mib_is_exact_with_both_methods() {
    let project = Project::new("mem").await;
    let cgroup = start_sampler(&project, Method::Cgroup, 200).await;
    let stats = start_sampler(&project, Method::Stats, 200).await;
    let idle = project.run("idle", &["memhog", "0"], false).await;
    let hog = project.run("hog", &["memhog", "256"], false).await;
    project.wait_for_log(&idle, "ready").await;
    project.wait_for_log(&hog, "ready").await;
    project
        .wait_for_engine_readings(&hog, 2, |memory, _| memory >= 256 * MIB)
        .await;
    project
        .wait_for_engine_readings(&idle, 2, |_, _| true)
        .await;

    for report in [stop(cgroup).await, stop(stats).await] {
        let baseline = container(&report, "idle").peak_working_set_bytes;
        let hog = container(&report, "hog");
        let expected = (256 * MIB + baseline) as f64;
        let what = format!("{} method: peak working set of memhog 256", report.method);
        assert_within(hog.peak_working_set_bytes as f64, expected, 0.05, &what);
        assert!(hog.peak_usage_bytes >= hog.peak_working_set_bytes);
        assert!(
            report.stack_peak_mem_bytes >= hog.peak_working_set_bytes,
            "the stack peak includes the hog"
        );
        assert!(report.cgroup_version.is_some() && report.cgroup_driver.is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_seconds_of_one_core_is_two_cpu_seconds_with_both_methods() {
    let project = Project::new("cpu").await;
    let cgroup = start_sampler(&project, Method::Cgroup, 200).await;
    let stats = start_sampler(&project, Method::Stats, 200).await;
    let burner = project.run("burner", &["burn", "2000"], false).await;
    project.wait_for_log(&burner, "burnt").await;
    project
        .wait_for_engine_readings(&burner, 2, |_, cpu_usec| cpu_usec >= 2_000_000)
        .await;

    for report in [stop(cgroup).await, stop(stats).await] {
        let burner = container(&report, "burner");
        let what = format!("{} method: CPU seconds of burn 2000", report.method);
        assert_within(burner.cpu_s, 2.0, 0.10, &what);
        assert_within(report.cpu_s, 2.0, 0.10, &what);
        assert!(report.avg_cores > 0.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_ms_spike_between_one_second_samples_is_in_its_stages_kernel_peak() {
    let project = Project::new("spike").await;
    let sampler = start_sampler(&project, Method::Cgroup, 1000).await;
    // A first spike at start, before any stage: the reset at the next stage must forget it.
    let spiker = project.run("spiker", &["spike", "200", "300"], false).await;
    project.wait_for_log(&spiker, "spiked 1").await;
    sampler.begin_stage("quiet");
    // About a quiet second: the engine sends a reading at once, then one per second.
    project
        .wait_for_engine_readings(&spiker, 2, |_, _| true)
        .await;
    sampler.begin_stage("spike");
    project.signal(&spiker, "SIGUSR1").await;
    project.wait_for_log(&spiker, "spiked 2").await;
    sampler.end_stage();
    let report = stop(sampler).await;

    assert_eq!(report.method, "cgroup");
    let spike = stage(&report, "spike")
        .kernel_peak_bytes
        .expect("a kernel peak for the spike stage");
    assert!(
        spike >= 200 * MIB,
        "the spike stage's kernel peak is {spike} bytes"
    );
    let quiet = stage(&report, "quiet")
        .kernel_peak_bytes
        .expect("a kernel peak for the quiet stage");
    assert!(
        quiet < 50 * MIB,
        "the quiet stage still shows the earlier spike: {quiet} bytes"
    );
    assert!(container(&report, "spiker").kernel_peak_bytes >= Some(200 * MIB));
}

const ONE_OFF_INTERVAL_MS: u64 = 5_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_off_container_living_under_one_sample_is_counted() {
    // The container lives about 300 ms; a 5 s interval keeps it shorter than one sample even
    // when a loaded machine stretches its life (1,661 ms was seen at load 41 with 1 s).
    let project = Project::new("oneoff").await;
    let sampler = start_sampler(&project, Method::Cgroup, ONE_OFF_INTERVAL_MS).await;
    sampler.begin_stage("run");
    let one_off = project
        .run("migrate", &["spike", "64", "300", "exit"], true)
        .await;
    project.wait_for_exit(&one_off).await;
    sampler.end_stage();
    let report = stop(sampler).await;

    let migrate = container(&report, "migrate");
    assert!(
        migrate.readings >= 1,
        "no reading of the one-off container: {migrate:#?}"
    );
    assert!(migrate.peak_usage_bytes > 0);
    let lifetime = migrate
        .lifetime_ms
        .expect("its lifetime, from Docker's events");
    assert!(
        lifetime < ONE_OFF_INTERVAL_MS,
        "it lived {lifetime} ms, longer than the sampling interval"
    );
    assert!(migrate.shorter_than_one_sample, "{migrate:#?}");
    let in_stage: &[ContainerStageResources] = &stage(&report, "run").containers;
    assert!(
        in_stage.iter().any(|c| c.service == "migrate"),
        "{in_stage:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_of_another_project_are_never_counted() {
    let ours = Project::new("ours").await;
    let theirs = Project::new("theirs").await;
    let before = theirs.run("neighbour", &["memhog", "128"], false).await;
    let sampler = start_sampler(&ours, Method::Auto, 200).await;
    let mine = ours.run("mine", &["memhog", "16"], false).await;
    let after = theirs.run("latecomer", &["memhog", "128"], false).await;
    for (project, id) in [(&theirs, &before), (&ours, &mine), (&theirs, &after)] {
        project.wait_for_log(id, "ready").await;
    }
    let report = stop(sampler).await;

    let services: Vec<&str> = report
        .containers
        .iter()
        .map(|c| c.service.as_str())
        .collect();
    assert_eq!(services, ["mine"]);
    assert!(
        report.stack_peak_mem_bytes < 64 * MIB,
        "the stack peak {} includes another project's memory",
        report.stack_peak_mem_bytes
    );
    assert_within(
        container(&report, "mine").peak_working_set_bytes as f64,
        (16 * MIB) as f64,
        0.25,
        "mine",
    );
}
