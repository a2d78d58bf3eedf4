//! The sampler: follows every container of one Compose project from `up` to `down` and
//! records its memory and CPU, without ever making the harness wait.
//!
//! Two parts run beside the harness. A discovery task (tokio) finds the project's containers
//! by label, first by listing them and then from Docker's event stream, so that containers
//! that appear later, one-off `run` containers included, are followed from their creation. A
//! collector thread owns every reading: with the cgroup method it ticks at the sampling
//! interval and reads each container's files itself (blocking reads of a few hundred bytes,
//! kept off the async runtime); with the stats method it receives the readings of one stream
//! task per container. The harness only sends messages (`begin_stage`, `end_stage`), which
//! never block.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use bollard::models::SystemInfo;
use tokio::task::JoinSet;

use super::cgroup::{CgroupDriver, CgroupVersion, ContainerCgroup, ContainerDirs, Layout, Mounts};
use super::series::{ContainerSeries, MethodInfo, Point, Recording, StageWindow};
use super::{Reading, ResourceReport, stats_stream};
use crate::engine::docker::{ContainerEvent, ContainerInfo, Engine, EventReader, ProjectEvents};
use crate::error::Error;

/// How to read memory and CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// cgroup files when readable, else the stats stream.
    Auto,
    /// Read cgroup v1/v2 files directly (rtde must run on the Docker host).
    Cgroup,
    /// Docker's stats stream (remote engines, Docker Desktop).
    Stats,
}

/// How to sample.
#[derive(Debug, Clone, Copy)]
pub struct SamplerConfig {
    pub method: Method,
    /// 200 ms by default: short enough to catch a dbt run's or a generator's peak, long
    /// enough that reading ten containers costs well under 1 % of a core (docs/performance.md).
    pub interval: Duration,
}

/// A running sampler; [`Sampler::stop`] ends it and returns the figures.
pub struct Sampler {
    clock: Clock,
    commands: mpsc::Sender<Command>,
    collector: JoinHandle<Recording>,
    discovery: AbortOnDrop,
}

impl Sampler {
    /// Starts sampling every container whose label com.docker.compose.project == project,
    /// including ones that appear later (found from Docker events) and one-off `compose run`
    /// containers. Never blocks the caller's work: sampling runs on its own task/thread.
    /// `events` is the project's one subscription (the run's container watcher reads it
    /// too); it must have been taken before the containers to sample can appear.
    pub async fn start(
        engine: Engine,
        events: &ProjectEvents,
        config: SamplerConfig,
    ) -> Result<Sampler> {
        let project = events.project();
        if config.interval.is_zero() {
            return Err(
                Error::InvalidInput("the sampling interval must be above zero".into()).into(),
            );
        }
        let clock = Clock::now();
        let info = engine.info().await?;
        let clock = clock.on_engine_time(info.system_time.as_deref());
        let existing = engine
            .project_containers(project)
            .await
            .with_context(|| format!("listing the containers of project {project}"))?;
        let (layout, note) = choose_method(config.method, &engine, &info, &existing).await?;
        let info = MethodInfo {
            method: if layout.is_some() { "cgroup" } else { "stats" },
            cgroup_version: info
                .cgroup_version
                .map(|v| v.as_ref().to_string())
                .filter(|v| !v.is_empty()),
            cgroup_driver: info
                .cgroup_driver
                .map(|d| d.as_ref().to_string())
                .filter(|d| !d.is_empty()),
            intended_interval: config.interval,
            kernel_peak_per_stage: layout.is_some(),
            note,
        };
        tracing::debug!(project, method = info.method, "sampler starting");

        let (commands, inbox) = mpsc::channel();
        let collector = Collector::new(clock, info, layout.as_ref().map(|l| l.version));
        let collector = std::thread::Builder::new()
            .name("rtde-sampler".into())
            .spawn(move || collector.run(inbox))
            .context("starting the sampling thread")?;
        let discovery = Discovery {
            events: events.reader(),
            engine,
            clock,
            layout,
            commands: commands.clone(),
            known: HashSet::new(),
            started_ns: HashMap::new(),
            streams: JoinSet::new(),
        };
        let discovery = AbortOnDrop(tokio::spawn(discovery.run(existing)));
        Ok(Sampler {
            clock,
            commands,
            collector,
            discovery,
        })
    }

    /// From now on samples belong to stage `name` (the previous stage, if any, ends now).
    pub fn begin_stage(&self, name: &str) {
        // A send fails only when the collector is gone, and stop() reports that.
        let _ = self.commands.send(Command::BeginStage {
            name: name.to_string(),
            at_us: self.clock.now_us(),
        });
    }

    /// The current stage ends now (samples after this belong to no stage).
    pub fn end_stage(&self) {
        let _ = self.commands.send(Command::EndStage {
            at_us: self.clock.now_us(),
        });
    }

    /// Stops sampling, writes samples.csv (t_offset_ms,service,container,mem_working_set_bytes,mem_usage_bytes,cpu_usec_total) and returns the report.
    pub async fn stop(self, samples_csv: &Path) -> Result<ResourceReport> {
        let Sampler {
            clock,
            commands,
            collector,
            discovery,
        } = self;
        discovery.stop().await;
        let _ = commands.send(Command::Stop {
            at_us: clock.now_us(),
        });
        drop(commands);
        let recording = tokio::task::spawn_blocking(move || collector.join())
            .await
            .context("waiting for the sampling thread")?
            .map_err(|_| anyhow!("the sampling thread panicked; no figures were recorded"))?;
        let path = samples_csv.to_path_buf();
        tokio::task::spawn_blocking(move || -> Result<ResourceReport> {
            let file = std::fs::File::create(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            recording
                .write_samples_csv(std::io::BufWriter::new(file))
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(recording.report())
        })
        .await
        .context("writing the samples")?
    }
}

/// Decides between the cgroup files and the stats stream. Returns the cgroup layout when the
/// files are used, and a note on why they are not when `auto` fell back.
async fn choose_method(
    choice: Method,
    engine: &Engine,
    info: &SystemInfo,
    existing: &[ContainerInfo],
) -> Result<(Option<Layout>, Option<String>)> {
    if choice == Method::Stats {
        return Ok((None, None));
    }
    match cgroup_layout(engine, info, existing).await {
        Ok(layout) => Ok((Some(layout), None)),
        Err(reason) if choice == Method::Cgroup => Err(Error::Environment(format!(
            "--sampler cgroup: {reason}. Run rtde on the Docker host as a user who can read \
             /sys/fs/cgroup, or use --sampler stats"
        ))
        .into()),
        Err(reason) => {
            tracing::info!("reading memory and CPU from Docker's stats stream: {reason}");
            Ok((None, Some(reason)))
        }
    }
}

/// The engine's cgroup layout, if its containers' cgroup files are readable from here.
async fn cgroup_layout(
    engine: &Engine,
    info: &SystemInfo,
    existing: &[ContainerInfo],
) -> std::result::Result<Layout, String> {
    let version = info
        .cgroup_version
        .and_then(|v| CgroupVersion::parse(v.as_ref()))
        .ok_or(
            "the engine reports no cgroup version (it is not a Linux engine, or older than 20.10)",
        )?;
    let driver = info
        .cgroup_driver
        .and_then(|d| CgroupDriver::parse(d.as_ref()))
        .ok_or("the engine reports no cgroupfs or systemd cgroup driver")?;
    // An engine on another kernel (a remote host, Docker Desktop's VM) keeps its cgroups
    // where this host cannot see them, even when a path of the same name exists here.
    let here = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let theirs = info.kernel_version.clone().unwrap_or_default();
    if theirs.trim() != here.trim() {
        return Err(format!(
            "the engine runs on kernel '{}' and rtde on '{}': the engine is remote or in a VM",
            theirs.trim(),
            here.trim()
        ));
    }
    let mounts =
        Mounts::of_this_host().map_err(|e| format!("cannot read /proc/self/mountinfo: {e}"))?;
    let layout = Layout {
        version,
        driver,
        mounts,
    };
    let root = layout
        .memory_root()
        .ok_or("no cgroup hierarchy with a memory controller is mounted here")?;
    std::fs::read_dir(root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    if let Some(running) = existing.iter().find(|c| c.running).map(|c| c.id.as_str()) {
        let parent = cgroup_parent(engine, running).await;
        let dirs = layout.container_dirs(running, &parent)?;
        ContainerCgroup::open(version, &dirs)
            .map_err(|e| format!("cannot read {}: {e}", dirs.memory.display()))?;
    }
    Ok(layout)
}

/// The container's `HostConfig.CgroupParent` (empty: the engine's default, also assumed
/// when the container cannot be inspected).
async fn cgroup_parent(engine: &Engine, id: &str) -> String {
    engine
        .container_details(id)
        .await
        .map(|d| d.cgroup_parent)
        .unwrap_or_default()
}

/// Microseconds since the sampler started, and the same origin on the engine's wall clock
/// (Docker's event times are the engine's wall-clock nanoseconds, and a remote engine's
/// clock may differ from this host's).
#[derive(Debug, Clone, Copy)]
struct Clock {
    start: Instant,
    start_unix_ns: i128,
}

impl Clock {
    fn now() -> Self {
        let start_unix_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        Self {
            start: Instant::now(),
            start_unix_ns,
        }
    }

    /// Takes the origin from the engine's clock (`docker info`'s `SystemTime`, read just
    /// after the start) when it reports one.
    fn on_engine_time(self, system_time: Option<&str>) -> Self {
        match system_time.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) {
            Some(engine) => Self {
                start_unix_ns: i128::from(engine.timestamp_nanos_opt().unwrap_or_default()),
                ..self
            },
            None => self,
        }
    }

    fn now_us(&self) -> u64 {
        self.start.elapsed().as_micros() as u64
    }

    fn event_us(&self, time_nano: i64) -> u64 {
        (((time_nano as i128) - self.start_unix_ns).max(0) / 1_000) as u64
    }
}

/// A tokio task that is aborted when this is dropped (a sampler dropped without `stop`).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    async fn stop(mut self) {
        self.0.abort();
        // Cancelled is the expected outcome; a panic in discovery only loses later containers.
        if let Err(err) = (&mut self.0).await
            && err.is_panic()
        {
            tracing::warn!("container discovery failed: {err}");
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the collector thread is told.
enum Command {
    /// Follow this container from now on.
    Track {
        id: String,
        name: String,
        service: String,
        preexisting: bool,
        /// Its cgroup directories (cgroup method).
        dirs: Option<ContainerDirs>,
    },
    /// It has just started: read it now (a one-off container may not live until the next tick).
    Started {
        id: String,
    },
    /// It has stopped; `lifetime_us` from Docker's start and die events.
    Ended {
        id: String,
        at_us: u64,
        lifetime_us: Option<u64>,
    },
    /// A reading from a stats stream.
    Reading {
        id: String,
        at_us: u64,
        reading: Reading,
    },
    BeginStage {
        name: String,
        at_us: u64,
    },
    EndStage {
        at_us: u64,
    },
    Stop {
        at_us: u64,
    },
}

/// Finds the project's containers and reports their births and deaths to the collector.
struct Discovery {
    engine: Engine,
    /// Read from the subscription's start, so a container created between it and the
    /// listing is not lost (and one seen twice is tracked once).
    events: EventReader,
    clock: Clock,
    /// Some: the cgroup method (the collector reads files); None: the stats method.
    layout: Option<Layout>,
    commands: mpsc::Sender<Command>,
    known: HashSet<String>,
    /// Docker's start time of each container, for lifetimes.
    started_ns: HashMap<String, i64>,
    /// One stats stream per running container (stats method); aborted when dropped.
    streams: JoinSet<()>,
}

impl Discovery {
    async fn run(mut self, existing: Vec<ContainerInfo>) {
        for c in existing {
            let name = if c.name.is_empty() {
                c.id.clone()
            } else {
                c.name
            };
            self.track(&c.id, name, c.service, c.running).await;
            if c.running {
                self.follow_stats(&c.id);
            }
        }
        while let Some(event) = self.events.next().await {
            self.on_event(event).await;
        }
        // Keep the stats streams of known containers running until stop() aborts this task.
        while self.streams.join_next().await.is_some() {}
    }

    async fn on_event(&mut self, event: ContainerEvent) {
        let id = event.id.clone();
        let time_ns = event.time_ns;
        match event.action.as_str() {
            "create" | "start" => {
                let name = event.name().unwrap_or(&id).to_string();
                let service = event.service().to_string();
                self.track(&id, name, service, false).await;
                if event.action == "start" {
                    self.started_ns.insert(id.clone(), time_ns);
                    let _ = self.commands.send(Command::Started { id: id.clone() });
                    self.follow_stats(&id);
                }
            }
            "die" => {
                let lifetime_us = self
                    .started_ns
                    .remove(&id)
                    .map(|start| (time_ns.saturating_sub(start).max(0) / 1_000) as u64);
                let _ = self.commands.send(Command::Ended {
                    id,
                    at_us: self.clock.event_us(time_ns),
                    lifetime_us,
                });
            }
            _ => {}
        }
    }

    /// Tells the collector about a container, once.
    async fn track(&mut self, id: &str, name: String, service: String, preexisting: bool) {
        if !self.known.insert(id.to_string()) {
            return;
        }
        let dirs = match &self.layout {
            Some(layout) => {
                let parent = cgroup_parent(&self.engine, id).await;
                match layout.container_dirs(id, &parent) {
                    Ok(dirs) => Some(dirs),
                    Err(reason) => {
                        tracing::warn!(container = %name, "not sampled: {reason}");
                        return;
                    }
                }
            }
            None => None,
        };
        let _ = self.commands.send(Command::Track {
            id: id.to_string(),
            name,
            service,
            preexisting,
            dirs,
        });
    }

    /// Stats method: follows the container's stream on its own task.
    fn follow_stats(&mut self, id: &str) {
        if self.layout.is_some() {
            return;
        }
        let commands = self.commands.clone();
        let clock = self.clock;
        let id = id.to_string();
        let engine = self.engine.clone();
        self.streams.spawn(async move {
            let reading_id = id.clone();
            stats_stream::follow(&engine, id, move |reading| {
                let _ = commands.send(Command::Reading {
                    id: reading_id.clone(),
                    at_us: clock.now_us(),
                    reading,
                });
            })
            .await;
        });
    }
}

/// One container as the collector follows it.
struct Followed {
    series: ContainerSeries,
    dirs: Option<ContainerDirs>,
    /// Open while the container's cgroup exists (cgroup method).
    cgroup: Option<ContainerCgroup>,
}

/// Owns every reading; runs on its own thread.
struct Collector {
    clock: Clock,
    info: MethodInfo,
    /// Some: the cgroup method, ticking and reading files.
    version: Option<CgroupVersion>,
    followed: Vec<Followed>,
    index: HashMap<String, usize>,
    stages: Vec<StageWindow>,
    ticks_us: Vec<u64>,
    missed: u64,
    /// The latest moment readings were stamped with; boundary readings are never stamped
    /// before it, so every container's points stay in time order.
    last_us: u64,
}

impl Collector {
    fn new(clock: Clock, info: MethodInfo, version: Option<CgroupVersion>) -> Self {
        Self {
            clock,
            info,
            version,
            followed: Vec::new(),
            index: HashMap::new(),
            stages: Vec::new(),
            ticks_us: Vec::new(),
            missed: 0,
            last_us: 0,
        }
    }

    fn run(mut self, inbox: mpsc::Receiver<Command>) -> Recording {
        let interval = self.info.intended_interval;
        let mut next_tick = self.clock.start;
        let end_us = loop {
            let command = if self.version.is_some() {
                let now = Instant::now();
                if now >= next_tick {
                    let at_us = self.clock.now_us();
                    self.ticks_us.push(at_us);
                    self.read_all(at_us);
                    next_tick += interval;
                    // More than a whole interval late (a stalled machine): skip to the next
                    // slot and count what was skipped, rather than bursting to catch up.
                    let now = Instant::now();
                    if now >= next_tick + interval {
                        let behind = ((now - next_tick).as_nanos() / interval.as_nanos()) as u32;
                        self.missed += u64::from(behind);
                        next_tick += interval * behind;
                    }
                    continue;
                }
                match inbox.recv_timeout(next_tick - now) {
                    Ok(command) => command,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break self.clock.now_us(),
                }
            } else {
                match inbox.recv() {
                    Ok(command) => command,
                    Err(mpsc::RecvError) => break self.clock.now_us(),
                }
            };
            if let Some(end_us) = self.handle(command) {
                break end_us;
            }
        };
        Recording {
            info: self.info,
            containers: self.followed.into_iter().map(|f| f.series).collect(),
            stages: self.stages,
            ticks_us: self.ticks_us,
            missed: self.missed,
            end_us,
        }
    }

    /// Handles one command; returns the end time on `Stop`.
    fn handle(&mut self, command: Command) -> Option<u64> {
        match command {
            Command::Track {
                id,
                name,
                service,
                preexisting,
                dirs,
            } => {
                self.index.insert(id, self.followed.len());
                self.followed.push(Followed {
                    series: ContainerSeries {
                        name,
                        service,
                        preexisting,
                        ..Default::default()
                    },
                    dirs,
                    cgroup: None,
                });
            }
            Command::Started { id } => {
                if let Some(&i) = self.index.get(&id) {
                    // Restarted after an earlier death: follow its new cgroup.
                    self.followed[i].series.ended_us = None;
                    let at_us = self.stamp(self.clock.now_us());
                    self.read_one(i, at_us);
                    let followed = &self.followed[i];
                    if let (Some(dirs), None) = (&followed.dirs, &followed.cgroup) {
                        // Running, yet no cgroup where the layout says: gone already, or an
                        // engine whose cgroups this host does not see.
                        self.missed += 1;
                        tracing::warn!(
                            container = %followed.series.name,
                            "started, but {} cannot be read",
                            dirs.memory.display()
                        );
                    }
                }
            }
            Command::Ended {
                id,
                at_us,
                lifetime_us,
            } => {
                if let Some(&i) = self.index.get(&id) {
                    // Its cgroup may outlive the die event by a moment: one last reading.
                    let now_us = self.stamp(self.clock.now_us());
                    self.read_one(i, now_us);
                    let followed = &mut self.followed[i];
                    followed.cgroup = None;
                    let after_last = followed.series.points.last().map_or(0, |p| p.t_us + 1);
                    followed.series.ended_us = Some(at_us.max(after_last));
                    followed.series.lifetime_us = lifetime_us;
                }
            }
            Command::Reading { id, at_us, reading } => {
                if let Some(&i) = self.index.get(&id) {
                    let series = &mut self.followed[i].series;
                    if series.points.last().is_none_or(|p| p.t_us <= at_us) {
                        series.points.push(Point {
                            t_us: at_us,
                            reading,
                        });
                    }
                }
            }
            Command::BeginStage { name, at_us } => {
                let at_us = self.stamp(at_us);
                self.close_stage(at_us);
                if self.version.is_some() {
                    self.read_all(at_us);
                    self.reset_kernel_peaks();
                }
                self.stages.push(StageWindow {
                    name,
                    start_us: at_us,
                    end_us: None,
                });
            }
            Command::EndStage { at_us } => {
                let at_us = self.stamp(at_us);
                if self.version.is_some() {
                    self.read_all(at_us);
                }
                self.close_stage(at_us);
            }
            Command::Stop { at_us } => {
                let at_us = self.stamp(at_us);
                if self.version.is_some() {
                    self.read_all(at_us);
                }
                return Some(at_us);
            }
        }
        None
    }

    /// A moment for boundary readings: never before readings already taken.
    fn stamp(&mut self, at_us: u64) -> u64 {
        self.last_us = self.last_us.max(at_us);
        self.last_us
    }

    fn close_stage(&mut self, at_us: u64) {
        if let Some(stage) = self.stages.last_mut().filter(|s| s.end_us.is_none()) {
            stage.end_us = Some(at_us);
        }
    }

    fn read_all(&mut self, at_us: u64) {
        self.last_us = self.last_us.max(at_us);
        for i in 0..self.followed.len() {
            self.read_one(i, at_us);
        }
    }

    /// Reads one container's cgroup, opening it when it has appeared and letting go of it
    /// when it has vanished.
    fn read_one(&mut self, i: usize, at_us: u64) {
        let Some(version) = self.version else { return };
        let followed = &mut self.followed[i];
        if followed.series.ended_us.is_some() {
            return;
        }
        if followed.cgroup.is_none() {
            // Not started yet (or already gone): nothing to read, and nothing missed.
            let Some(dirs) = &followed.dirs else { return };
            followed.cgroup = ContainerCgroup::open(version, dirs).ok();
        }
        let Some(cgroup) = followed.cgroup.as_mut() else {
            return;
        };
        match cgroup.read() {
            Ok(reading) => {
                if followed.series.points.last().is_none_or(|p| p.t_us < at_us) {
                    followed.series.points.push(Point {
                        t_us: at_us,
                        reading,
                    });
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::InvalidData => self.missed += 1,
            Err(_) => {
                // The cgroup is gone: the container has exited.
                followed.cgroup = None;
                if !followed.series.points.is_empty() {
                    followed.series.ended_us = Some(at_us);
                }
            }
        }
    }

    /// Resets every open cgroup's high-water mark, so that the stage's kernel peak is its own.
    fn reset_kernel_peaks(&mut self) {
        if !self.info.kernel_peak_per_stage {
            return;
        }
        for followed in &mut self.followed {
            if let Some(cgroup) = followed.cgroup.as_mut()
                && let Err(err) = cgroup.reset_peak()
            {
                tracing::info!(
                    container = %followed.series.name,
                    "the kernel's memory high-water mark cannot be reset ({err}); per-stage peaks come from samples"
                );
                self.info.kernel_peak_per_stage = false;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{SystemInfoCgroupDriverEnum, SystemInfoCgroupVersionEnum};

    /// An engine on another kernel: a remote engine, or Docker Desktop's VM.
    fn remote_engine() -> SystemInfo {
        SystemInfo {
            cgroup_version: Some(SystemInfoCgroupVersionEnum::_2),
            cgroup_driver: Some(SystemInfoCgroupDriverEnum::SYSTEMD),
            kernel_version: Some("5.15.49-linuxkit".into()),
            ..Default::default()
        }
    }

    // The engine is never asked anything: the kernel check fails first.
    fn unused_client() -> Engine {
        Engine::unconnected().expect("a client (no connection is made)")
    }

    #[tokio::test]
    async fn forcing_cgroup_on_a_remote_engine_is_an_environment_error() {
        let err = choose_method(Method::Cgroup, &unused_client(), &remote_engine(), &[])
            .await
            .unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::ENVIRONMENT);
        let message = err.to_string();
        assert!(
            message.contains("linuxkit") && message.contains("--sampler stats"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn auto_falls_back_to_the_stats_stream_and_says_why() {
        let (layout, note) = choose_method(Method::Auto, &unused_client(), &remote_engine(), &[])
            .await
            .unwrap();
        assert!(layout.is_none());
        assert!(note.unwrap().contains("remote or in a VM"));
    }

    #[test]
    fn event_times_are_placed_on_the_engines_clock() {
        let clock = Clock::now().on_engine_time(Some("2026-11-25T12:00:00.5Z"));
        let later_ns = 1_795_000_000i64;
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00.5Z")
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap();
        assert_eq!(clock.event_us(start + later_ns), 1_795_000);
        assert_eq!(
            clock.event_us(start - 1_000),
            0,
            "events before the start clamp to 0"
        );
    }
}
