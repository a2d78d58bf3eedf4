//! What sampling costs: rtde's sampler against polling `docker stats --no-stream`, for the
//! same ten containers in the same run.
//!
//! Ten idle containers of one Compose project are started from the fixture image. Then, for
//! each rtde method (cgroup files, stats stream) at 200 ms, rtde's sampler runs in this
//! process while `docker stats --no-stream` is polled back to back for the same containers,
//! as the original framework did. The window is a fixed number of polls, so nothing waits on a
//! timer. Reported per second of wall time:
//!
//! - rtde: this process's CPU time (the sampler thread, the discovery task, the runtime);
//! - `docker stats`: the CLI processes' CPU time (they are this process's children);
//! - dockerd: the engine's CPU time over the window (the stats method and `docker stats` both
//!   make the engine read cgroups; rtde's cgroup method only listens to its events).
//!
//! Run: `cargo bench --bench sampler` (needs Docker and what the fixture image needs).
//! `RTDE_BENCH_POLLS` changes the number of polls per window (default 10).

#[path = "../tests/support/fixture.rs"]
mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use bollard::Docker;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeVal;

use rtde::engine::docker::Engine;
use rtde::sample::Method;
use rtde::sample::{Sampler, SamplerConfig};

const CONTAINERS: usize = 10;
const INTERVAL: Duration = Duration::from_millis(200);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let polls: u32 = std::env::var("RTDE_BENCH_POLLS")
        .ok()
        .map(|v| v.parse())
        .transpose()
        .context("RTDE_BENCH_POLLS must be a whole number")?
        .unwrap_or(10);
    let ticks_per_second = clock_ticks_per_second()?;
    let dockerd = dockerd_pid()?;
    let image = fixture::build_image().map_err(anyhow::Error::msg)?;
    let docker = Docker::connect_with_local_defaults()?
        .negotiate_version()
        .await
        .context("connecting to the Docker engine")?;
    let project = format!("rtde-bench-sampler-{}", std::process::id());
    let _cleanup = Cleanup(project.clone());
    let mut names = Vec::new();
    for i in 0..CONTAINERS {
        let service = format!("svc{i}");
        // A little memory per container, so each cgroup has real counters to read.
        fixture::run_container(&docker, &project, &service, &image, &["memhog", "8"], false)
            .await
            .with_context(|| format!("starting {service}"))?;
        names.push(format!("{project}_{service}_1"));
    }

    println!(
        "{CONTAINERS} containers, rtde at {} ms, {polls} polls of `docker stats --no-stream` per window",
        INTERVAL.as_millis()
    );
    println!(
        "{:<8} {:>8} {:>9} {:>14} {:>17} {:>14} {:>12}",
        "method",
        "wall s",
        "samples",
        "rtde CPU ms/s",
        "docker stats ms/s",
        "dockerd ms/s",
        "poll s"
    );
    let engine = Engine::connect().await?;
    for method in [Method::Cgroup, Method::Stats] {
        let window = measure(
            &engine,
            &project,
            &names,
            method,
            polls,
            dockerd,
            ticks_per_second,
        )
        .await?;
        let per_second = |cpu_s: f64| cpu_s * 1_000.0 / window.wall_s;
        println!(
            "{:<8} {:>8.1} {:>9} {:>14.2} {:>17.1} {:>14.1} {:>12.2}",
            window.method,
            window.wall_s,
            window.samples,
            per_second(window.own_s),
            per_second(window.children_s),
            per_second(window.dockerd_s),
            window.wall_s / f64::from(polls),
        );
    }
    println!("ms/s is milliseconds of CPU per second of wall time: 10 ms/s is 1 % of one core.");
    println!("dockerd's figure covers both rtde and the docker stats polls running beside it.");
    Ok(())
}

struct Window {
    method: String,
    wall_s: f64,
    samples: u64,
    own_s: f64,
    children_s: f64,
    dockerd_s: f64,
}

/// One window: rtde samples with `method` while `docker stats --no-stream` is polled `polls`
/// times back to back.
async fn measure(
    engine: &Engine,
    project: &str,
    names: &[String],
    method: Method,
    polls: u32,
    dockerd: u32,
    ticks_per_second: f64,
) -> Result<Window> {
    let config = SamplerConfig {
        method,
        interval: INTERVAL,
    };
    let events = engine.follow_project(project).await?;
    let sampler = Sampler::start(engine.clone(), &events, config).await?;
    let own_before = cpu_seconds(UsageWho::RUSAGE_SELF)?;
    let children_before = cpu_seconds(UsageWho::RUSAGE_CHILDREN)?;
    let dockerd_stat = PathBuf::from(format!("/proc/{dockerd}/stat"));
    let dockerd_before = cpu_ticks(&dockerd_stat)?;
    let started = Instant::now();
    let names = names.to_vec();
    tokio::task::spawn_blocking(move || -> Result<()> {
        for _ in 0..polls {
            let status = Command::new("docker")
                .args([
                    "stats",
                    "--no-stream",
                    "--format",
                    "{{.Name}} {{.CPUPerc}} {{.MemUsage}}",
                ])
                .args(&names)
                .stdout(std::process::Stdio::null())
                .status()
                .context("running docker stats --no-stream")?;
            ensure!(status.success(), "docker stats --no-stream failed");
        }
        Ok(())
    })
    .await??;
    let wall_s = started.elapsed().as_secs_f64();
    let own_after = cpu_seconds(UsageWho::RUSAGE_SELF)?;
    let children_after = cpu_seconds(UsageWho::RUSAGE_CHILDREN)?;
    let dockerd_after = cpu_ticks(&dockerd_stat)?;
    let csv = std::env::temp_dir().join(format!("rtde-bench-samples-{}.csv", std::process::id()));
    let report = sampler.stop(&csv).await?;
    std::fs::remove_file(&csv).ok();
    Ok(Window {
        method: report.method,
        wall_s,
        samples: report.samples,
        own_s: own_after - own_before,
        children_s: children_after - children_before,
        dockerd_s: (dockerd_after - dockerd_before) as f64 / ticks_per_second,
    })
}

/// utime + stime of a process from /proc/<pid>/stat, in clock ticks (proc(5): fields 14 and
/// 15, counted after the parenthesised command name, which may contain spaces).
fn cpu_ticks(stat: &Path) -> Result<u64> {
    let text =
        std::fs::read_to_string(stat).with_context(|| format!("reading {}", stat.display()))?;
    let after_name = text
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("malformed /proc stat")?;
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    ensure!(fields.len() == 2, "malformed {}", stat.display());
    Ok(fields[0] + fields[1])
}

/// User + system CPU seconds of this process, or of its waited-for children.
fn cpu_seconds(who: UsageWho) -> Result<f64> {
    let usage = getrusage(who).context("getrusage")?;
    let seconds = |t: TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok(seconds(usage.user_time()) + seconds(usage.system_time()))
}

fn clock_ticks_per_second() -> Result<f64> {
    let output = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .context("running getconf CLK_TCK")?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .context("getconf CLK_TCK printed no number")
}

fn dockerd_pid() -> Result<u32> {
    let pid = std::fs::read_to_string("/var/run/docker.pid")
        .context("reading /var/run/docker.pid: the benchmark needs dockerd on this host")?;
    pid.trim()
        .parse()
        .context("/var/run/docker.pid holds no pid")
}

/// Removes the benchmark's containers, also when it fails.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        fixture::remove_project(&self.0);
    }
}
