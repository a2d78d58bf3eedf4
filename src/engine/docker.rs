//! The Docker engine through its API (bollard): containers by label, health, exec, logs,
//! a project's events, stats, leftovers and removal. This is rtde's one door to the
//! engine's API: no other module holds a bollard client.
//!
//! Compose is driven through its CLI (see `compose.rs`), but everything rtde *observes* goes
//! through the API: Compose v1 has no JSON output, v2 changed its JSON shape in 2.21, and
//! container names differ between them (`p_svc_1` vs `p-svc-1`). Labels are the one stable
//! contract both versions keep, so containers, networks and volumes are found by
//! `com.docker.compose.project` and rtde's own `rtde.*` labels.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::{ContainerStatsResponse, EventMessage, SystemInfo};
use bollard::query_parameters::{
    CreateImageOptions, EventsOptions, InspectContainerOptions, ListContainersOptions,
    ListNetworksOptions, ListVolumesOptions, LogsOptions, RemoveContainerOptions,
    RemoveVolumeOptions, StatsOptions,
};
use futures_util::StreamExt;

use crate::error::Error;

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";

/// rtde's own labels, put on every container, network and volume of a run.
pub mod labels {
    pub const RUN_ID: &str = "rtde.run_id";
    pub const PIPELINE: &str = "rtde.pipeline";
    /// The pid of the rtde process that owns the run.
    pub const PID: &str = "rtde.pid";
    /// That process's start time (clock ticks after boot), so a reused pid is not mistaken
    /// for the owner.
    pub const PID_START: &str = "rtde.pid_start";
    pub const HOST: &str = "rtde.host";
    /// The rtde instance (`RTDE_INSTANCE`, default `default`): a sweep only considers its
    /// own instance, so separate users or CI jobs sharing one engine keep out of each
    /// other's way.
    pub const INSTANCE: &str = "rtde.instance";
    /// `true` for stacks left up on purpose (`rtde up`, `bench --keep-up`): never swept.
    pub const KEEP: &str = "rtde.keep";
}

/// A connected engine, with the API version negotiated once.
#[derive(Clone)]
pub struct Engine {
    docker: Docker,
}

/// What rtde needs to know of one container.
#[derive(Debug, Clone)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub service: String,
    pub one_off: bool,
    pub image: String,
    pub image_id: String,
    pub running: bool,
    /// Docker's state: `created`, `running`, `restarting`, `exited`, …
    pub status: String,
    /// `healthy`, `unhealthy`, `starting`, or `None` without a healthcheck.
    pub health: Option<String>,
    pub exit_code: Option<i64>,
    /// The engine's State.OOMKilled: the kernel's OOM killer ended its main process.
    pub oom_killed: bool,
    /// Its memory limit (`mem_limit`), if it has one.
    pub mem_limit_bytes: Option<u64>,
    pub labels: HashMap<String, String>,
}

type NameAndLabels = (String, HashMap<String, String>);

/// One event of a container of a project, as the engine reported it.
#[derive(Debug, Clone)]
pub struct ContainerEvent {
    /// `create`, `start`, `die`, `oom`, …
    pub action: String,
    pub id: String,
    /// The engine's clock, nanoseconds since the epoch (0 when the engine gave none).
    pub time_ns: i64,
    /// The container's labels, `name` and `image`.
    pub attributes: HashMap<String, String>,
}

impl ContainerEvent {
    fn from_message(event: EventMessage) -> Option<ContainerEvent> {
        let actor = event.actor?;
        Some(ContainerEvent {
            action: event.action?,
            id: actor.id?,
            time_ns: event.time_nano.unwrap_or_default(),
            attributes: actor.attributes.unwrap_or_default(),
        })
    }

    pub fn name(&self) -> Option<&str> {
        self.attributes.get("name").map(String::as_str)
    }

    pub fn service(&self) -> &str {
        self.attributes
            .get(SERVICE_LABEL)
            .map_or("", String::as_str)
    }

    pub fn one_off(&self) -> bool {
        self.attributes
            .get(ONEOFF_LABEL)
            .is_some_and(|v| v == "True")
    }
}

/// Events a slow reader may fall behind by before it misses some: a run's containers make
/// a few events each, so this is far more than a stack of dozens of services produces.
const EVENTS_BUFFERED: usize = 4096;

/// The engine's `since` parameter: seconds.nanoseconds since the epoch.
pub fn since_parameter(unix_ns: i128) -> String {
    format!("{}.{:09}", unix_ns / 1_000_000_000, unix_ns % 1_000_000_000)
}

/// A project's container events, read from the engine once ([`Engine::follow_project`])
/// and handed to every reader; reading stops when the last clone and reader are dropped.
#[derive(Clone)]
pub struct ProjectEvents {
    project: String,
    sender: tokio::sync::broadcast::Sender<ContainerEvent>,
    _task: Arc<AbortOnDrop>,
}

impl ProjectEvents {
    pub fn project(&self) -> &str {
        &self.project
    }

    /// A reader of the events from now on: every one of them, unless it falls more than
    /// `EVENTS_BUFFERED` behind (it is then told how many it missed, in the log).
    pub fn reader(&self) -> EventReader {
        EventReader {
            receiver: self.sender.subscribe(),
            _events: self.clone(),
        }
    }
}

/// One reader of a project's events; it keeps the subscription alive.
pub struct EventReader {
    receiver: tokio::sync::broadcast::Receiver<ContainerEvent>,
    _events: ProjectEvents,
}

impl EventReader {
    /// The next event. It waits while the stack is quiet; a reader's task is aborted when
    /// its run no longer needs it.
    pub async fn next(&mut self) -> Option<ContainerEvent> {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match self.receiver.recv().await {
                Ok(event) => return Some(event),
                Err(RecvError::Lagged(missed)) => tracing::warn!(
                    project = %self._events.project,
                    missed,
                    "a reader of the project's events fell behind and missed some"
                ),
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// The task that reads the engine's stream, aborted with the last reader's handle.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What `inspect` tells of a container beyond its listing.
#[derive(Debug, Clone, Default)]
pub struct ContainerDetails {
    pub image_id: Option<String>,
    pub mem_limit_bytes: Option<u64>,
    pub cgroup_parent: String,
}

/// Resources of one project that still exist.
#[derive(Debug, Default)]
pub struct Leftovers {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
}

impl Leftovers {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty()
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (kind, names) in [
            ("containers", &self.containers),
            ("networks", &self.networks),
            ("volumes", &self.volumes),
        ] {
            if !names.is_empty() {
                parts.push(format!("{kind}: {}", names.join(", ")));
            }
        }
        parts.join("; ")
    }
}

fn label_filter(pairs: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
    let labels = pairs
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.to_string()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    HashMap::from([("label".to_string(), labels)])
}

impl Engine {
    /// Connect to the local engine and negotiate the API version (this machine's engine is
    /// older than bollard's default version).
    pub async fn connect() -> Result<Engine> {
        let unreachable = |e: bollard::errors::Error| {
            Error::Environment(format!(
                "cannot reach the Docker engine ({e}); start it (e.g. `sudo systemctl start docker` \
                 or `sudo dockerd &`) or set DOCKER_HOST"
            ))
        };
        let docker = Docker::connect_with_local_defaults().map_err(unreachable)?;
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        docker.ping().await.map_err(unreachable)?;
        Ok(Engine { docker })
    }

    /// An engine for code that is handed one but never asks it (unit tests of the sampler's
    /// decisions): no connection is made until a request.
    #[cfg(test)]
    pub(crate) fn unconnected() -> Result<Engine> {
        Ok(Engine {
            docker: Docker::connect_with_local_defaults()?,
        })
    }

    pub fn api_version(&self) -> String {
        self.docker.client_version().to_string()
    }

    /// Containers matching every label (a label with an empty value matches any value).
    pub async fn containers(&self, pairs: &[(&str, &str)]) -> Result<Vec<ContainerInfo>> {
        let summaries = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(label_filter(pairs)),
                ..Default::default()
            }))
            .await
            .context("listing containers")?;
        let mut out = Vec::with_capacity(summaries.len());
        for s in summaries {
            let Some(id) = s.id else { continue };
            // A container can vanish between list and inspect (a one-off finishing): skip it.
            let Ok(inspect) = self
                .docker
                .inspect_container(&id, None::<InspectContainerOptions>)
                .await
            else {
                continue;
            };
            let labels = s.labels.unwrap_or_default();
            let state = inspect.state.unwrap_or_default();
            let mem_limit_bytes = inspect
                .host_config
                .and_then(|h| h.memory)
                .and_then(|m| u64::try_from(m).ok())
                .filter(|m| *m > 0);
            out.push(ContainerInfo {
                name: inspect
                    .name
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_string(),
                service: labels.get(SERVICE_LABEL).cloned().unwrap_or_default(),
                one_off: labels.get(ONEOFF_LABEL).is_some_and(|v| v == "True"),
                image: s.image.unwrap_or_default(),
                image_id: s.image_id.unwrap_or_default(),
                running: state.running.unwrap_or(false),
                status: state.status.map(|s| s.to_string()).unwrap_or_default(),
                health: state
                    .health
                    .and_then(|h| h.status)
                    .map(|s| s.to_string())
                    .filter(|s| !s.is_empty() && s != "none"),
                exit_code: state.exit_code,
                oom_killed: state.oom_killed.unwrap_or(false),
                mem_limit_bytes,
                labels,
                id,
            });
        }
        Ok(out)
    }

    pub async fn project_containers(&self, project: &str) -> Result<Vec<ContainerInfo>> {
        self.containers(&[(PROJECT_LABEL, project)]).await
    }

    /// The project's one-off containers (`compose run`), stopped ones included.
    pub async fn oneoff_containers(&self, project: &str) -> Result<Vec<ContainerInfo>> {
        self.containers(&[(PROJECT_LABEL, project), (ONEOFF_LABEL, "True")])
            .await
    }

    /// Force-remove one container (and its anonymous volumes); gone already is fine.
    pub async fn remove_container(&self, id: &str) -> Result<()> {
        self.docker
            .remove_container(
                id,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..Default::default()
                }),
            )
            .await
            .or_else(ignore_not_found)
            .with_context(|| format!("removing container {id}"))
    }

    /// Run a command in a running container; output chunks go to `sink` as they arrive.
    /// Returns the exit code.
    pub async fn exec(
        &self,
        container: &str,
        argv: &[String],
        env: &[String],
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<i64> {
        let exec = self
            .docker
            .create_exec(
                container,
                CreateExecOptions {
                    cmd: Some(argv.to_vec()),
                    env: Some(env.to_vec()),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                },
            )
            .await
            .with_context(|| format!("creating exec of {argv:?} in {container}"))?;
        if let StartExecResults::Attached { mut output, .. } = self
            .docker
            .start_exec(&exec.id, None)
            .await
            .with_context(|| format!("starting exec of {argv:?} in {container}"))?
        {
            while let Some(chunk) = output.next().await {
                let chunk = chunk.with_context(|| format!("reading output of {argv:?}"))?;
                sink(&chunk.into_bytes());
            }
        }
        let inspect = self
            .docker
            .inspect_exec(&exec.id)
            .await
            .context("inspecting a finished exec")?;
        Ok(inspect.exit_code.unwrap_or(-1))
    }

    /// A container's whole log (stdout and stderr interleaved).
    pub async fn logs(&self, container: &str) -> Result<String> {
        let mut stream = self.docker.logs(
            container,
            Some(LogsOptions {
                stdout: true,
                stderr: true,
                tail: "all".into(),
                ..Default::default()
            }),
        );
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.context("reading container logs")?.into_bytes());
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Names and labels of the networks and of the volumes matching `filter`.
    async fn networks_and_volumes(
        &self,
        filter: HashMap<String, Vec<String>>,
    ) -> Result<(Vec<NameAndLabels>, Vec<NameAndLabels>)> {
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptions {
                filters: Some(filter.clone()),
            }))
            .await
            .context("listing networks")?
            .into_iter()
            .map(|n| (n.name.unwrap_or_default(), n.labels.unwrap_or_default()))
            .collect();
        let volumes = self
            .docker
            .list_volumes(Some(ListVolumesOptions {
                filters: Some(filter),
            }))
            .await
            .context("listing volumes")?
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.name, v.labels))
            .collect();
        Ok((networks, volumes))
    }

    /// Containers, networks and volumes of the project that still exist.
    pub async fn leftovers(&self, project: &str) -> Result<Leftovers> {
        let containers = self
            .project_containers(project)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        let (networks, volumes) = self
            .networks_and_volumes(label_filter(&[(PROJECT_LABEL, project)]))
            .await?;
        let names = |list: Vec<NameAndLabels>| list.into_iter().map(|(n, _)| n).collect();
        Ok(Leftovers {
            containers,
            networks: names(networks),
            volumes: names(volumes),
        })
    }

    /// Force-remove everything of a project (used for crashed runs and a second Ctrl-C,
    /// when Compose cannot be asked politely). Returns what was removed.
    pub async fn remove_project(&self, project: &str) -> Result<Leftovers> {
        let found = self.leftovers(project).await?;
        for c in self.project_containers(project).await? {
            self.remove_container(&c.id)
                .await
                .with_context(|| format!("removing container {}", c.name))?;
        }
        for n in &found.networks {
            self.docker
                .remove_network(n)
                .await
                .or_else(ignore_not_found)
                .with_context(|| format!("removing network {n}"))?;
        }
        for v in &found.volumes {
            self.docker
                .remove_volume(v, Some(RemoveVolumeOptions { force: true }))
                .await
                .or_else(ignore_not_found)
                .with_context(|| format!("removing volume {v}"))?;
        }
        Ok(found)
    }

    /// Labels of every network and volume carrying an rtde run id (a project whose
    /// containers are gone may still own these).
    pub async fn labelled_networks_and_volumes(&self) -> Result<Vec<HashMap<String, String>>> {
        let (networks, volumes) = self
            .networks_and_volumes(label_filter(&[(labels::RUN_ID, "")]))
            .await?;
        Ok(networks
            .into_iter()
            .chain(volumes)
            .map(|(_, labels)| labels)
            .collect())
    }

    /// Follow the events of a project's containers (`create`, `start`, `die`, `oom`, …)
    /// from now on the engine's clock, until the last [`ProjectEvents`] is dropped. This is
    /// the one subscription to a project's containers: the run's container watcher and the
    /// sampler's discovery each read it through [`ProjectEvents::reader`]. It replays from
    /// the moment it was asked for (`since`, on the engine's clock, which a remote engine
    /// may set apart from this host's), so a container created while the subscription is
    /// still connecting is not missed.
    pub async fn follow_project(&self, project: &str) -> Result<ProjectEvents> {
        let info = self.info().await?;
        let since = info
            .system_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|t| t.timestamp_nanos_opt())
            .map(|ns| since_parameter(i128::from(ns)));
        let mut filters = label_filter(&[(PROJECT_LABEL, project)]);
        filters.insert("type".to_string(), vec!["container".to_string()]);
        let mut stream = self.docker.events(Some(EventsOptions {
            since,
            until: None,
            filters: Some(filters),
        }));
        let (sender, _) = tokio::sync::broadcast::channel(EVENTS_BUFFERED);
        let forward = sender.clone();
        let name = project.to_string();
        let project = project.to_string();
        let task = tokio::spawn(async move {
            while let Some(event) = stream.next().await {
                match event {
                    Ok(event) => {
                        if let Some(event) = ContainerEvent::from_message(event) {
                            // No reader right now is not an error: readers come and go.
                            let _ = forward.send(event);
                        }
                    }
                    Err(err) => {
                        tracing::warn!(
                            project,
                            "the engine's event stream failed; containers created from now on \
                             are not watched or sampled: {err}"
                        );
                        break;
                    }
                }
            }
        });
        Ok(ProjectEvents {
            project: name,
            sender,
            _task: Arc::new(AbortOnDrop(task)),
        })
    }

    /// A container's image id, memory limit and `HostConfig.CgroupParent` (empty: the
    /// engine's default); `None` when it is gone.
    pub async fn container_details(&self, id: &str) -> Option<ContainerDetails> {
        let inspect = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(|e| tracing::debug!(container = id, "inspect failed: {e}"))
            .ok()?;
        let host = inspect.host_config.unwrap_or_default();
        Some(ContainerDetails {
            image_id: inspect.image,
            mem_limit_bytes: host
                .memory
                .and_then(|m| u64::try_from(m).ok())
                .filter(|m| *m > 0),
            cgroup_parent: host.cgroup_parent.unwrap_or_default(),
        })
    }

    /// An image's id (`sha256:…`), when the engine has the image.
    pub async fn image_id(&self, image: &str) -> Option<String> {
        self.docker.inspect_image(image).await.ok()?.id
    }

    /// The engine's `docker info`: its kernel, cgroup version and driver, its clock.
    pub async fn info(&self) -> Result<SystemInfo> {
        self.docker
            .info()
            .await
            .context("asking the Docker engine how it places containers in cgroups (docker info)")
    }

    /// A container's stats stream: one message a second while it runs.
    pub fn stats(
        &self,
        id: &str,
    ) -> impl futures_util::Stream<Item = Result<ContainerStatsResponse>> + Send + Unpin + 'static
    {
        let options = StatsOptions {
            stream: true,
            one_shot: false,
        };
        self.docker
            .stats(id, Some(options))
            .map(|m| m.map_err(anyhow::Error::new))
            .boxed()
    }

    /// A container's memory limit in bytes (`None` without one, or when it is gone).
    pub async fn memory_limit(&self, id: &str) -> Option<u64> {
        self.docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .ok()?
            .host_config?
            .memory
            .and_then(|m| u64::try_from(m).ok())
            .filter(|m| *m > 0)
    }

    /// Pull an image through the engine (anonymously: for the public bases of Dockerfiles).
    pub async fn pull(&self, image: &str) -> Result<()> {
        // Without a tag the API pulls every tag of the repository.
        let last = image.rsplit('/').next().unwrap_or(image);
        let image = if last.contains(':') || last.contains('@') {
            image.to_string()
        } else {
            format!("{image}:latest")
        };
        let image = image.as_str();
        let mut stream = self.docker.create_image(
            Some(CreateImageOptions {
                from_image: Some(image.to_string()),
                ..Default::default()
            }),
            None,
            None,
        );
        while let Some(progress) = stream.next().await {
            // The engine's own words (`… no such host`), not bollard's status-code wrapper.
            progress
                .map_err(|e| match e {
                    bollard::errors::Error::DockerResponseServerError { message, .. } => {
                        anyhow::anyhow!(message)
                    }
                    other => other.into(),
                })
                .with_context(|| format!("pulling {image}"))?;
        }
        Ok(())
    }

    pub async fn image_exists(&self, image: &str) -> bool {
        self.docker.inspect_image(image).await.is_ok()
    }

    /// Engine facts for the run record: (version, cgroup version, cgroup driver, storage
    /// driver).
    pub async fn facts(
        &self,
    ) -> (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) {
        let version = self.docker.version().await.ok().and_then(|v| v.version);
        match self.docker.info().await {
            Ok(info) => (
                version,
                info.cgroup_version.map(|v| v.to_string()),
                info.cgroup_driver.map(|d| d.to_string()),
                info.driver,
            ),
            Err(_) => (version, None, None, None),
        }
    }
}

fn ignore_not_found(
    err: bollard::errors::Error,
) -> std::result::Result<(), bollard::errors::Error> {
    match err {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        } => Ok(()),
        other => Err(other),
    }
}

/// The pause between two polls of a condition: it starts short (most conditions hold soon)
/// and grows by half each time up to a ceiling, so a slow service is not hammered. This is
/// rtde's one way of waiting: a condition with a deadline, never a fixed sleep.
pub struct Backoff {
    interval: Duration,
    max: Duration,
    deadline: tokio::time::Instant,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration, deadline: tokio::time::Instant) -> Backoff {
        Backoff {
            interval: first,
            max,
            deadline,
        }
    }

    /// Pause before the next poll; `false` when the deadline has passed (poll no more).
    pub async fn pause(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        if now >= self.deadline {
            return false;
        }
        tokio::time::sleep_until((now + self.interval).min(self.deadline)).await;
        self.interval = (self.interval * 3 / 2).min(self.max);
        true
    }

    /// [`Backoff::pause`] for a caller on a plain thread (librdkafka's blocking clients in
    /// `topics`, which run outside any runtime).
    pub fn pause_blocking(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        if now >= self.deadline {
            return false;
        }
        std::thread::sleep((now + self.interval).min(self.deadline) - now); // the poll's pause
        self.interval = (self.interval * 3 / 2).min(self.max);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_seconds_and_nanoseconds_on_the_engines_clock() {
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00.5Z")
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap();
        assert_eq!(
            since_parameter(i128::from(start)),
            format!("{}.500000000", start / 1_000_000_000)
        );
    }
}
