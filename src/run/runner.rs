//! One bench run from start to record: prepare (untimed), `up`, readiness, stages, checks,
//! teardown, `run.json`.
//!
//! The clock starts just before `compose up` and stops at the end of the last stage, so image
//! pulls and builds (prepare) and teardown are reported apart and never inflate end-to-end
//! time. Waiting is always a condition with a deadline. The runner emits events and returns
//! the record; it never prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use tokio_util::sync::CancellationToken;

use super::availability;
use super::checks;
use super::context::StageContext;
use super::guard::{ActiveProjects, PendingRecord, StackGuard};
use super::log::StageLog;
use super::owner::Owner;
use super::stage;
use super::watch::ContainerWatch;
use crate::engine::compose::{
    ComposeTool, Project, ServiceModel, StackModel, write_labels_override,
};
use crate::engine::docker::{Backoff, ContainerInfo, Engine};
use crate::error::Error;
use crate::manifest::{Pipeline, Stage, duration};
use crate::output::{Event, Reporter};
use crate::results::files::write_atomic;
use crate::results::record::Environment;
use crate::results::record::{
    ContainerRecord, OomKillRecord, PipelineInfo, RunRecord, RunStatus, SCHEMA_VERSION,
    StageRecord, StageStatus,
};
use crate::sample::{ResourceReport, Sampler, SamplerConfig};

/// Readiness is polled quickly at first (most stacks of small services are ready within a
/// second) and at most once a second after that.
const READY_FIRST_POLL: Duration = Duration::from_millis(50);
const READY_MAX_POLL: Duration = Duration::from_secs(1);

/// The exit code of a process killed by SIGKILL (128 + 9), as the OOM killer kills.
const SIGKILLED: i64 = 137;
/// How long a SIGKILLed stage waits for the engine's `oom` event: it follows the exit by
/// milliseconds on a quiet machine; seconds cover a loaded one without stalling a plain kill.
const OOM_EVENT_WAIT: Duration = Duration::from_secs(5);

/// The override file, in a run's folder, that puts rtde's labels on every service.
pub const LABELS_FILE: &str = "rtde-labels.compose.yaml";

/// What every run of one rtde invocation shares.
pub struct Harness {
    pub engine: Engine,
    pub compose: ComposeTool,
    pub root: PathBuf,
    pub environment: Environment,
    pub cancel: CancellationToken,
    pub active: ActiveProjects,
    pub owner: Owner,
    pub reporter: Arc<dyn Reporter>,
}

/// How to run one pipeline once.
pub struct RunSpec<'a> {
    pub pipeline: &'a Pipeline,
    /// Variables from the command line (override the manifest's defaults).
    pub overrides: &'a BTreeMap<String, String>,
    /// Where run folders go (`runs/`).
    pub out_dir: &'a Path,
    pub keep_up: bool,
    pub run_index: u32,
    pub total_runs: u32,
    pub warmup: bool,
    pub sampling: Option<SamplerConfig>,
    /// A sustained load (`--rate`, `--duration`): the manifest's `sustained:` mode.
    pub load: Option<crate::freshness::pacing::LoadSpec>,
}

/// What executing a stage needs beyond the stage itself: its context, the folder its log
/// goes to, the clock its offsets count from, the sampler (when sampling) and the watcher
/// that names OOM kills.
pub(crate) struct StageRun<'a> {
    pub ctx: StageContext<'a>,
    pub dir: &'a Path,
    pub clock: Instant,
    pub sampler: Option<&'a Sampler>,
    pub watch: &'a ContainerWatch,
}

pub struct RunOutcome {
    pub record: RunRecord,
    pub run_dir: PathBuf,
    /// Set when the run failed because of the machine, not the pipeline (a port in use):
    /// the run is recorded, and rtde exits with the environment code.
    pub environment_error: Option<String>,
}

/// A stack ready to be brought up: the project with rtde's labels, its model, its profiles
/// and the variables it renders.
pub struct Stack {
    pub project: Project,
    pub model: StackModel,
    pub up_profiles: Vec<String>,
    pub all_profiles: Vec<String>,
    pub vars: BTreeMap<String, String>,
}

/// A run after startup: what watches it, when its clock started, and how startup went.
struct Started {
    guard: StackGuard,
    watch: ContainerWatch,
    sampler: Option<Sampler>,
    clock: Instant,
    startup: Duration,
    /// `Passed` when the stack came up and got ready.
    status: RunStatus,
    error: Option<String>,
    /// A startup failure that is the machine's, not the pipeline's (a port in use).
    environment_error: Option<String>,
}

/// What the stages did; the checks and teardown may still change the status.
struct Stages {
    stages: Vec<StageRecord>,
    metrics: BTreeMap<String, f64>,
    status: RunStatus,
    error: Option<String>,
    /// End-to-end time: the clock at the end of the last stage.
    e2e: Duration,
    /// Under a sustained load: the freshness measured, and the mode's own checks.
    freshness: Option<crate::freshness::record::FreshnessRecord>,
    mode_checks: Vec<crate::results::record::CheckRecord>,
}

/// What the finish of a run measured.
struct Finished {
    startup: Duration,
    teardown: Duration,
    containers: Vec<ContainerRecord>,
    resources: Option<ResourceReport>,
}

/// The Compose project of a pipeline: its files, run in its folder, with every variable
/// exported as `RTDE_<NAME>` and the manifest's `compose.environment` on top.
pub fn compose_project(
    tool: &ComposeTool,
    pipeline: &Pipeline,
    project_name: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Project> {
    let mut env: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (format!("RTDE_{}", k.to_uppercase()), v.clone()))
        .collect();
    for (k, t) in &pipeline.compose_env {
        let value = t.render(vars).map_err(|e| {
            Error::InvalidInput(format!(
                "{}:{}:{}: {e}",
                pipeline.manifest_path.display(),
                t.loc.line,
                t.loc.col
            ))
        })?;
        env.insert(k.clone(), value);
    }
    Ok(Project {
        tool: tool.clone(),
        name: project_name.to_string(),
        directory: pipeline.folder.clone(),
        files: pipeline.compose_paths(vars).map_err(Error::InvalidInput)?,
        env,
    })
}

/// The Compose project of one start of a pipeline's stack: `rtde-<id>-<run id>`, so runs
/// never collide and teardown removes exactly one.
pub fn project_name(pipeline_id: &str, run_id: &str) -> String {
    format!("rtde-{pipeline_id}-{run_id}")
}

/// A pipeline's Compose project and variables for one start of its stack (`run_id`; `dir`
/// is its `${run_dir}`), before rtde's labels: the one place `bench`, `up`, `validate` and
/// `images` get them from.
pub fn stack_project(
    tool: &ComposeTool,
    pipeline: &Pipeline,
    overrides: &BTreeMap<String, String>,
    root: &Path,
    run_id: &str,
    dir: &Path,
) -> Result<(Project, BTreeMap<String, String>)> {
    let name = project_name(&pipeline.id, run_id);
    let vars = variables(tool, pipeline, overrides, root, run_id, &name, dir);
    let project = compose_project(tool, pipeline, &name, &vars)?;
    Ok((project, vars))
}

/// A short random id for a run: unique enough that concurrent runs never share a project.
pub fn new_run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

/// The variables of a run: manifest defaults, then command-line overrides, then rtde's
/// built-ins.
pub fn variables(
    compose: &ComposeTool,
    pipeline: &Pipeline,
    overrides: &BTreeMap<String, String>,
    root: &Path,
    run_id: &str,
    project: &str,
    run_dir: &Path,
) -> BTreeMap<String, String> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut vars = pipeline.variables.clone();
    vars.extend(overrides.clone());
    let builtins = [
        ("run_id", run_id.to_string()),
        ("compose", compose.program()),
        ("project", project.to_string()),
        ("run_dir", abs(run_dir).display().to_string()),
        ("pipeline_id", pipeline.id.clone()),
        ("pipeline_dir", abs(&pipeline.folder).display().to_string()),
        ("root", abs(root).display().to_string()),
        (
            "shared_dir",
            abs(&root.join("shared")).display().to_string(),
        ),
    ];
    vars.extend(builtins.map(|(k, v)| (k.to_string(), v)));
    vars
}

impl Harness {
    /// One start of a pipeline's stack (`run_id`, its folder `dir`): the project and its
    /// variables ([`stack_project`]), with rtde's labels (`keep` for a stack left up on
    /// purpose) written into an override file in `dir`.
    pub async fn stack(
        &self,
        pipeline: &Pipeline,
        run_id: &str,
        overrides: &BTreeMap<String, String>,
        dir: &Path,
        keep: bool,
    ) -> Result<Stack> {
        let (mut project, vars) =
            stack_project(&self.compose, pipeline, overrides, &self.root, run_id, dir)?;
        let labels = self.owner.labels(run_id, &pipeline.id, keep);
        let model = project
            .model()
            .await
            .with_context(|| format!("reading the compose stack of {}", pipeline.id))?;
        let override_file = dir.join(LABELS_FILE);
        write_labels_override(&override_file, &model, &labels)?;
        project.files.push(override_file);
        Ok(Stack {
            project,
            up_profiles: pipeline.profiles.iter().map(|(p, _)| p.clone()).collect(),
            all_profiles: model.profiles.iter().cloned().collect(),
            model,
            vars,
        })
    }

    /// The guard of a stack about to come up: registered before `up`, so even a failing
    /// `up` that created half the stack is torn down.
    pub fn guard(&self, stack: &Stack) -> StackGuard {
        StackGuard::new(
            stack.project.clone(),
            stack.all_profiles.clone(),
            &self.active,
            self.reporter.clone(),
        )
    }

    /// `up` with the stack's profiles, then readiness within `timeout`.
    pub async fn start(&self, stack: &Stack, timeout: Duration) -> Result<()> {
        stack
            .project
            .up(
                &stack.up_profiles,
                &stack.model.services_for(&stack.up_profiles),
            )
            .await
            .map_err(classify_up_error)?;
        self.wait_ready(stack, timeout).await
    }

    /// Build the images that are missing and pull the ones that cannot be built, before the
    /// clock starts. As with `compose up`, an image that exists is used as it is: refresh
    /// project images with `rtde images build` (machines without a registry build them on
    /// local bases, which Compose's own `build:` cannot do). An image that is neither here,
    /// nor buildable (a base of its Dockerfile is missing and cannot be pulled), nor pullable
    /// is [`Error::ImagesUnavailable`], named before anything is built.
    pub async fn prepare(&self, stack: &Stack) -> Result<Duration> {
        let started = Instant::now();
        let mut builds = Vec::new();
        for (name, s) in &stack.model.services {
            let present = match &s.image {
                Some(image) => self.engine.image_exists(image).await,
                None => false,
            };
            if s.builds && !present {
                self.require_bases(name, s).await?;
                builds.push(name.clone());
            }
        }
        if !builds.is_empty() {
            stack
                .project
                .build(&stack.all_profiles, &builds)
                .await
                .context("building the stack's images")?;
        }
        for (service, model) in &stack.model.services {
            let Some(image) = &model.image else { continue };
            if model.builds || self.engine.image_exists(image).await {
                continue;
            }
            stack
                .project
                .pull(&stack.all_profiles, std::slice::from_ref(service))
                .await
                .map_err(|e| {
                    tracing::debug!("pulling {image}: {e:#}");
                    Error::ImagesUnavailable(availability::sentence(
                        image,
                        service,
                        None,
                        &availability::short_reason(&e),
                    ))
                })?;
        }
        Ok(started.elapsed())
    }

    /// Every base of the service's Dockerfile is here or is pulled now; one that cannot be
    /// had makes the image unavailable.
    async fn require_bases(&self, service: &str, model: &ServiceModel) -> Result<()> {
        let Some(dockerfile) = &model.dockerfile else {
            return Ok(());
        };
        // An unreadable Dockerfile is Compose's to report, with its own words, at build.
        let Ok(text) = std::fs::read_to_string(dockerfile) else {
            return Ok(());
        };
        let image = model.image.clone().unwrap_or_else(|| service.to_string());
        for base in availability::base_images(&text, &model.build_args) {
            if self.engine.image_exists(&base).await {
                continue;
            }
            if let Err(e) = self.engine.pull(&base).await {
                tracing::debug!("pulling the base {base}: {e:#}");
                return Err(Error::ImagesUnavailable(availability::sentence(
                    &image,
                    service,
                    Some(&base),
                    &availability::short_reason(&e),
                ))
                .into());
            }
        }
        Ok(())
    }

    /// Wait until every service `up` started is healthy (with a healthcheck) or running
    /// (without one); a one-shot init service that exited 0 counts as ready.
    pub async fn wait_ready(&self, stack: &Stack, timeout: Duration) -> Result<()> {
        let expected = stack.model.services_for(&stack.up_profiles);
        let mut backoff = Backoff::new(
            READY_FIRST_POLL,
            READY_MAX_POLL,
            tokio::time::Instant::now() + timeout,
        );
        loop {
            let containers = self.engine.project_containers(&stack.project.name).await?;
            let mut waiting = Vec::new();
            for service in &expected {
                let c: Vec<&ContainerInfo> = containers
                    .iter()
                    .filter(|c| &c.service == service && !c.one_off)
                    .collect();
                match readiness(service, &c) {
                    Ready::Yes => {}
                    Ready::Waiting(why) => waiting.push(why),
                    Ready::Failed(why) => {
                        return Err(anyhow::anyhow!("startup failed: {why}"));
                    }
                }
            }
            if waiting.is_empty() {
                return Ok(());
            }
            tracing::debug!("startup: waiting for {}", waiting.join("; "));
            let paused = tokio::select! {
                p = backoff.pause() => p,
                () = self.cancel.cancelled() => anyhow::bail!("interrupted during startup"),
            };
            if !paused {
                anyhow::bail!(
                    "startup did not finish within {}: {}; raise `startup: timeout:` or check the service logs in the run folder",
                    duration::format(timeout),
                    waiting.join("; ")
                );
            }
        }
    }

    /// One run of one pipeline, in its phases: the run folder, the stack, prepare (untimed),
    /// startup (the clock starts), the stages, the checks, the finish (samples, containers,
    /// teardown) and the record. Stage failures, timeouts and interrupts are part of the
    /// record; an `Err` means the run could not be attempted (the stack would not even
    /// prepare) or could not be recorded.
    pub async fn run(&self, spec: &RunSpec<'_>) -> Result<RunOutcome> {
        let _pending = PendingRecord::new();
        let pipeline = spec.pipeline;
        let run_id = new_run_id();
        let started_at = Utc::now();
        let run_dir = spec
            .out_dir
            .join(&pipeline.id)
            .join(format!("{}-{run_id}", started_at.format("%Y%m%dT%H%M%SZ")));
        std::fs::create_dir_all(run_dir.join("stages"))
            .with_context(|| format!("creating {}", run_dir.display()))?;
        self.reporter.event(Event::RunStarted {
            pipeline: pipeline.id.clone(),
            index: spec.run_index,
            total: spec.total_runs,
            warmup: spec.warmup,
            project: project_name(&pipeline.id, &run_id),
        });
        let stack = self
            .stack(pipeline, &run_id, spec.overrides, &run_dir, spec.keep_up)
            .await?;
        let prepare = self.prepare_run(pipeline, &stack, &run_dir).await?;
        let started = self.startup(spec, &stack).await?;
        let mut outcome = self
            .stages(pipeline, &stack, &run_dir, &started, spec.load.as_ref())
            .await?;
        let mut checks = checks::evaluate(&pipeline.expect, &outcome.metrics, &stack.vars);
        checks.extend(std::mem::take(&mut outcome.mode_checks));
        if outcome.status == RunStatus::Passed
            && let Some(failed) = checks::failures(&checks)
        {
            outcome.status = RunStatus::CheckFailed;
            outcome.error = Some(failed);
        }
        let environment_error = started.environment_error.clone();
        let finished = self
            .finish(spec, &stack, started, &run_dir, &mut outcome)
            .await?;

        let in_stages: f64 = outcome.stages.iter().map(|s| s.duration_s).sum();
        let e2e = outcome.e2e;
        let record = RunRecord {
            schema_version: SCHEMA_VERSION,
            run_id,
            project: stack.project.name.clone(),
            pipeline: PipelineInfo {
                id: pipeline.id.clone(),
                name: pipeline.name.clone(),
                tier: pipeline.tier.clone(),
                description: pipeline.description.clone(),
                folder: pipeline.folder_rel.clone(),
                stack: pipeline.stack.clone(),
            },
            run_index: spec.run_index,
            warmup: spec.warmup,
            status: outcome.status,
            error: outcome.error,
            started_at,
            finished_at: Utc::now(),
            variables: pipeline
                .variables
                .keys()
                .chain(spec.overrides.keys())
                .filter_map(|k| stack.vars.get(k).map(|v| (k.clone(), v.clone())))
                .collect(),
            prepare_s: prepare.as_secs_f64(),
            startup_s: finished.startup.as_secs_f64(),
            e2e_s: e2e.as_secs_f64(),
            harness_overhead_s: (e2e.as_secs_f64() - finished.startup.as_secs_f64() - in_stages)
                .max(0.0),
            teardown_s: finished.teardown.as_secs_f64(),
            stages: outcome.stages,
            metrics: outcome.metrics,
            checks,
            containers: finished.containers,
            resources: finished.resources,
            environment: self.environment.clone(),
            freshness: outcome.freshness,
        };
        let json = serde_json::to_vec_pretty(&record).context("serializing run.json")?;
        write_atomic(&run_dir.join("run.json"), &json)?;
        self.reporter.event(Event::RunFinished {
            pipeline: pipeline.id.clone(),
            status: record.status.label().into(),
            e2e,
            run_dir: run_dir.display().to_string(),
            error: record.error.clone(),
        });
        Ok(RunOutcome {
            record,
            run_dir,
            environment_error,
        })
    }

    /// Prepare, before the clock. A run that cannot prepare never started: no half-empty
    /// folder is left for it.
    async fn prepare_run(
        &self,
        pipeline: &Pipeline,
        stack: &Stack,
        run_dir: &Path,
    ) -> Result<Duration> {
        self.reporter.event(Event::Phase {
            pipeline: pipeline.id.clone(),
            phase: "prepare: building and pulling images (not timed)".into(),
        });
        self.prepare(stack).await.inspect_err(|_| {
            let _ = std::fs::remove_dir_all(run_dir);
        })
    }

    /// Startup: the guard, the container watcher and the sampler first (so nothing is
    /// created unseen), then the clock starts and the stack comes up and gets ready.
    async fn startup(&self, spec: &RunSpec<'_>, stack: &Stack) -> Result<Started> {
        let pipeline = spec.pipeline;
        let project_name = &stack.project.name;
        let guard = self.guard(stack);
        let events = self.engine.follow_project(project_name).await?;
        let watch = ContainerWatch::start(&self.engine, &events);
        let sampler = match &spec.sampling {
            Some(config) => Some(
                Sampler::start(self.engine.clone(), &events, *config)
                    .await
                    .context("starting the memory/CPU sampler")?,
            ),
            None => None,
        };

        self.reporter.event(Event::Phase {
            pipeline: pipeline.id.clone(),
            phase: "startup".into(),
        });
        let clock = Instant::now();
        let clock_wall = Utc::now();
        if let Some(s) = &sampler {
            s.begin_stage("startup");
        }
        let up = self.start(stack, pipeline.startup_timeout).await;
        let environment_error = up.as_ref().err().and_then(|e| {
            e.downcast_ref::<Error>()
                .filter(|e| matches!(e, Error::Environment(_)))
                .map(ToString::to_string)
        });
        let startup = clock.elapsed();
        if let Some(s) = &sampler {
            s.end_stage();
        }
        let mut error = up.as_ref().err().map(|e| format!("{e:#}"));
        if up.is_err() {
            let killed = error.as_ref().is_some_and(|e| e.contains("code 137"));
            let kills = self
                .oom_kills(clock_wall, &watch, &stack.project.name, killed)
                .await;
            if let Some(e) = &mut error {
                *e = with_oom_kills(e, &kills);
            }
        }
        let status = if up.is_ok() {
            RunStatus::Passed
        } else if self.cancel.is_cancelled() {
            RunStatus::Interrupted
        } else {
            RunStatus::Failed
        };
        Ok(Started {
            guard,
            watch,
            sampler,
            clock,
            startup,
            status,
            error,
            environment_error,
        })
    }

    /// The stages in order; after a failure the rest are recorded as skipped.
    async fn stages(
        &self,
        pipeline: &Pipeline,
        stack: &Stack,
        run_dir: &Path,
        started: &Started,
        load: Option<&crate::freshness::pacing::LoadSpec>,
    ) -> Result<Stages> {
        let mut stages = Vec::new();
        let mut metrics = BTreeMap::new();
        let mut status = started.status;
        let mut error = started.error.clone();
        let run = StageRun {
            ctx: StageContext {
                engine: &self.engine,
                project: &stack.project,
                profiles: &stack.up_profiles,
                vars: &stack.vars,
                pipeline_dir: &pipeline.folder,
                cancel: &self.cancel,
            },
            dir: run_dir,
            clock: started.clock,
            sampler: started.sampler.as_ref(),
            watch: &started.watch,
        };
        let sustained = load
            .zip(pipeline.sustained.as_ref())
            .filter(|_| status == RunStatus::Passed);
        if let Some((load, sustained)) = sustained {
            let o = self
                .sustained_stages(&run, pipeline, sustained, load)
                .await?;
            return Ok(Stages {
                stages: o.stages,
                metrics: o.metrics,
                status: o.status,
                error: o.error,
                e2e: started.clock.elapsed(),
                freshness: o.freshness,
                mode_checks: o.checks,
            });
        }
        for (i, st) in pipeline.stages.iter().enumerate() {
            let log_rel = format!("stages/{:02}-{}.log", i + 1, st.name);
            let started_offset = started.clock.elapsed();
            if status != RunStatus::Passed {
                stages.push(skipped(st, started_offset));
                continue;
            }
            let record = self
                .stage(&pipeline.id, &run, st, (i, pipeline.stages.len()), log_rel)
                .await?;
            metrics.extend(record.metrics.clone());
            if record.status != StageStatus::Passed {
                status = if record.status == StageStatus::Interrupted {
                    RunStatus::Interrupted
                } else {
                    RunStatus::Failed
                };
                error = record.error.clone();
            }
            stages.push(record);
        }
        Ok(Stages {
            stages,
            metrics,
            status,
            error,
            e2e: started.clock.elapsed(),
            freshness: None,
            mode_checks: Vec::new(),
        })
    }

    /// After the stages: the failed run's container logs, the samples, the containers that
    /// ran, and teardown (or the stack kept up). A teardown that fails fails the run.
    async fn finish(
        &self,
        spec: &RunSpec<'_>,
        stack: &Stack,
        started: Started,
        run_dir: &Path,
        outcome: &mut Stages,
    ) -> Result<Finished> {
        let pipeline = spec.pipeline;
        let project_name = &stack.project.name;
        if outcome.status != RunStatus::Passed {
            self.save_container_logs(project_name, run_dir).await;
        }
        let resources: Option<ResourceReport> = match started.sampler {
            Some(s) => Some(
                s.stop(&run_dir.join("samples.csv"))
                    .await
                    .context("stopping the sampler")?,
            ),
            None => None,
        };
        let containers = started.watch.finish().await;

        let mut teardown = Duration::ZERO;
        if spec.keep_up {
            started.guard.keep();
            self.reporter.event(Event::Note(format!(
                "{}: stack kept up as project {project_name}; stop it with `rtde down {}`",
                pipeline.id, pipeline.id
            )));
        } else {
            self.reporter.event(Event::Phase {
                pipeline: pipeline.id.clone(),
                phase: "teardown".into(),
            });
            match started.guard.teardown(&self.engine).await {
                Ok(t) => teardown = t,
                // A second signal removed the stack under `down`: the run was interrupted,
                // and its teardown did not fail.
                Err(_) if crate::run::guard::forced() => outcome.status = RunStatus::Interrupted,
                Err(e) => {
                    outcome.status = RunStatus::Failed;
                    outcome.error = Some(format!("{e:#}"));
                }
            }
        }
        Ok(Finished {
            startup: started.startup,
            teardown,
            containers,
            resources,
        })
    }

    /// Execute one stage of a run (`index` of `total`), its log at `log_rel` in the run
    /// folder: the sampler's window, the OOM kills that explain a failure, the events, and
    /// its record. `rtde bench` runs every stage through this, `rtde stage` the named ones.
    pub(crate) async fn stage(
        &self,
        pipeline: &str,
        run: &StageRun<'_>,
        st: &Stage,
        (index, total): (usize, usize),
        log_rel: String,
    ) -> Result<StageRecord> {
        let started_offset = run.clock.elapsed();
        self.reporter.event(Event::StageStarted {
            pipeline: pipeline.to_string(),
            stage: st.name.clone(),
            index,
            total,
        });
        if let Some(s) = run.sampler {
            s.begin_stage(&st.name);
        }
        let mut log = StageLog::create(&run.dir.join(&log_rel))?;
        let stage_wall = Utc::now();
        let mut outcome = stage::execute(st, &run.ctx, &mut log).await;
        if let Some(s) = run.sampler {
            s.end_stage();
        }
        let ended = run.clock.elapsed();
        // Asked after the stage's time is taken: waiting for the event is not its work.
        let oom_kills = if matches!(outcome.status, StageStatus::Failed | StageStatus::TimedOut) {
            let killed = outcome.exit_code == Some(SIGKILLED);
            self.oom_kills(stage_wall, run.watch, &run.ctx.project.name, killed)
                .await
        } else {
            Vec::new()
        };
        self.remove_oneoffs(&run.ctx.project.name).await;
        if let Some(e) = &mut outcome.error {
            *e = with_oom_kills(e, &oom_kills);
        }
        self.reporter.event(Event::StageFinished {
            pipeline: pipeline.to_string(),
            stage: st.name.clone(),
            status: if oom_kills.is_empty() {
                stage_label(outcome.status)
            } else {
                "OOM-KILLED"
            }
            .into(),
            duration: ended - started_offset,
        });
        Ok(StageRecord {
            name: st.name.clone(),
            category: st.category.as_str().into(),
            action: st.action.kind().into(),
            started_offset_s: started_offset.as_secs_f64(),
            ended_offset_s: ended.as_secs_f64(),
            duration_s: (ended - started_offset).as_secs_f64(),
            exit_code: outcome.exit_code,
            status: outcome.status,
            metrics: outcome.metrics,
            log: log_rel,
            error: outcome.error,
            oom_kills,
            tasks: outcome.tasks,
        })
    }

    /// The containers of the run the OOM killer hit since `since`, as kill records, from
    /// two sources: the engine's `oom` events (the watcher) and the State.OOMKilled of the
    /// project's one-off containers, which outlive their exit until [`Self::remove_oneoffs`].
    /// When something was SIGKILLed (`killed`), as the OOM killer does, the kill may not be
    /// known yet (containerd can report the exit first), so both are asked again until one
    /// names it or [`OOM_EVENT_WAIT`] passes.
    async fn oom_kills(
        &self,
        since: chrono::DateTime<Utc>,
        watch: &ContainerWatch,
        project: &str,
        killed: bool,
    ) -> Vec<OomKillRecord> {
        let deadline = tokio::time::Instant::now() + OOM_EVENT_WAIT;
        let mut backoff = Backoff::new(READY_FIRST_POLL, READY_MAX_POLL, deadline);
        // (container id, record), in the order found.
        let mut found: Vec<(String, OomKillRecord)> = Vec::new();
        loop {
            let oneoffs = self
                .engine
                .oneoff_containers(project)
                .await
                .unwrap_or_default();
            let from_state = oneoffs.into_iter().filter(|c| c.oom_killed).map(|c| {
                watch.note_oom_kill(&c.id);
                let record = OomKillRecord {
                    container: c.name,
                    service: c.service,
                    mem_limit_bytes: c.mem_limit_bytes,
                };
                (c.id, record)
            });
            let from_events = watch.oom_kills(since).into_iter().map(|c| {
                let record = OomKillRecord {
                    container: c.name,
                    service: c.service,
                    mem_limit_bytes: c.mem_limit_bytes,
                };
                (c.id, record)
            });
            for (id, record) in from_events.chain(from_state) {
                if !found.iter().any(|(seen, _)| *seen == id) {
                    found.push((id, record));
                }
            }
            if !found.is_empty() || !killed || !backoff.pause().await {
                break;
            }
        }
        let mut out = Vec::new();
        for (id, mut kill) in found {
            if kill.mem_limit_bytes.is_none() {
                kill.mem_limit_bytes = self.engine.memory_limit(&id).await;
            }
            out.push(kill);
        }
        out
    }

    /// Removes the project's one-off containers once a stage has ended and its OOM kills
    /// are read (rtde runs them without `--rm`, see `stage::action`). A failure here is
    /// left to teardown, which removes every container of the project.
    async fn remove_oneoffs(&self, project: &str) {
        let Ok(oneoffs) = self.engine.oneoff_containers(project).await else {
            return;
        };
        // Only the ended ones: under a sustained load the processor and the probe are
        // one-offs that run across stages (run::sustained).
        for c in oneoffs.into_iter().filter(|c| !c.running) {
            if let Err(err) = self.engine.remove_container(&c.id).await {
                tracing::warn!("{err:#}; teardown removes it");
            }
        }
    }

    /// Every container's log, for a run that failed: the evidence is gone after teardown.
    async fn save_container_logs(&self, project: &str, run_dir: &Path) {
        let Ok(containers) = self.engine.project_containers(project).await else {
            return;
        };
        let dir = run_dir.join("containers");
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        for c in containers {
            if let Ok(text) = self.engine.logs(&c.id).await {
                let _ = std::fs::write(dir.join(format!("{}.log", c.name)), text);
            }
        }
    }
}

enum Ready {
    Yes,
    Waiting(String),
    Failed(String),
}

fn readiness(service: &str, containers: &[&ContainerInfo]) -> Ready {
    let Some(c) = containers.first() else {
        return Ready::Waiting(format!("`{service}` has no container yet"));
    };
    if c.status == "exited" || c.status == "dead" {
        return match c.exit_code {
            Some(0) => Ready::Yes,
            code => Ready::Failed(format!(
                "`{service}` exited with code {} during startup (see containers/ in the run folder)",
                code.unwrap_or(-1)
            )),
        };
    }
    if !c.running {
        return Ready::Waiting(format!("`{service}` is {}", c.status));
    }
    match c.health.as_deref() {
        Some("healthy") | None => Ready::Yes,
        Some("unhealthy") => Ready::Failed(format!(
            "`{service}` is unhealthy; its healthcheck fails (see containers/ in the run folder)"
        )),
        Some(state) => Ready::Waiting(format!("`{service}` is {state}")),
    }
}

/// A failure's reason with the OOM kills that explain it put first.
fn with_oom_kills(error: &str, kills: &[OomKillRecord]) -> String {
    if kills.is_empty() {
        return error.to_string();
    }
    let named: Vec<String> = kills.iter().map(OomKillRecord::describe).collect();
    // The kill is why; the stage's own log does not show it.
    let error = error.trim_end_matches("; its log shows why");
    format!("{}; {error}", named.join("; "))
}

/// The record of a stage not reached because an earlier one failed.
pub(crate) fn skipped(st: &Stage, offset: Duration) -> StageRecord {
    StageRecord {
        name: st.name.clone(),
        category: st.category.as_str().into(),
        action: st.action.kind().into(),
        started_offset_s: offset.as_secs_f64(),
        ended_offset_s: offset.as_secs_f64(),
        duration_s: 0.0,
        exit_code: None,
        status: StageStatus::Skipped,
        metrics: BTreeMap::new(),
        log: String::new(),
        error: None,
        oom_kills: Vec::new(),
        tasks: Vec::new(),
    }
}

pub(crate) fn stage_label(status: StageStatus) -> &'static str {
    match status {
        StageStatus::Passed => "passed",
        StageStatus::Failed => "FAILED",
        StageStatus::TimedOut => "TIMED OUT",
        StageStatus::Interrupted => "interrupted",
        StageStatus::Skipped => "skipped",
    }
}

/// `up` fails for reasons the user must fix outside the manifest (a port in use); say so.
fn classify_up_error(e: anyhow::Error) -> anyhow::Error {
    let text = format!("{e:#}");
    if text.contains("port is already allocated") || text.contains("address already in use") {
        Error::Environment(format!(
            "a port the stack publishes is already in use on this machine; stop what holds it or change the port.\n{text}"
        ))
        .into()
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(status: &str, health: Option<&str>, exit_code: Option<i64>) -> ContainerInfo {
        ContainerInfo {
            id: "x".into(),
            name: "x".into(),
            service: "svc".into(),
            one_off: false,
            image: "i".into(),
            image_id: "sha256:1".into(),
            running: status == "running",
            status: status.into(),
            health: health.map(String::from),
            exit_code,
            oom_killed: false,
            mem_limit_bytes: None,
            labels: Default::default(),
        }
    }

    #[test]
    fn readiness_rules() {
        let ready = |c: ContainerInfo| readiness("svc", &[&c]);
        assert!(matches!(
            ready(container("running", None, Some(0))),
            Ready::Yes
        ));
        assert!(matches!(
            ready(container("running", Some("healthy"), Some(0))),
            Ready::Yes
        ));
        assert!(matches!(
            ready(container("running", Some("starting"), Some(0))),
            Ready::Waiting(_)
        ));
        assert!(matches!(
            ready(container("running", Some("unhealthy"), Some(0))),
            Ready::Failed(_)
        ));
        assert!(matches!(
            ready(container("exited", None, Some(0))),
            Ready::Yes
        ));
        assert!(matches!(
            ready(container("exited", None, Some(3))),
            Ready::Failed(_)
        ));
        assert!(matches!(
            ready(container("created", None, Some(0))),
            Ready::Waiting(_)
        ));
        assert!(matches!(
            ready(container("restarting", None, Some(1))),
            Ready::Waiting(_)
        ));
        assert!(matches!(readiness("svc", &[]), Ready::Waiting(_)));
    }

    #[test]
    fn a_stacks_project_is_named_after_its_pipeline_and_run() {
        assert_eq!(project_name("p01", "1a2b3c4d"), "rtde-p01-1a2b3c4d");
    }

    #[test]
    fn run_ids_differ() {
        assert_ne!(new_run_id(), new_run_id());
        assert_eq!(new_run_id().len(), 8);
    }
}
