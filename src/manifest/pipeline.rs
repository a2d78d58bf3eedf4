//! The plan: a manifest as rtde runs it, with every layer resolved and every value typed.
//!
//! `plan.rs` builds it from the raw layers (the manifest, what it `extends`, the stage
//! definitions it `use`s); the runner and `validate` read it. Every value that can be wrong
//! keeps the [`Loc`] of the text it came from, in whichever file that text is.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;

use super::Loc;
use super::template::Template;

/// Variables rtde defines for every run; manifests may use them without declaring them.
pub const BUILTIN_VARIABLES: [&str; 8] = [
    "run_id",
    "compose",
    "project",
    "run_dir",
    "pipeline_id",
    "pipeline_dir",
    "root",
    "shared_dir",
];

/// The parts of a stack, in their documented order (docs/manifest.md, `stack:`).
pub const STACK_PARTS: [&str; 6] = [
    "ingestion",
    "processor",
    "storage",
    "transform",
    "orchestrator",
    "serving",
];

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub tier: String,
    pub description: Option<String>,
    pub manifest_path: PathBuf,
    /// The manifests this one builds on, nearest first (`extends:`), as paths.
    pub extends: Vec<PathBuf>,
    /// The pipeline folder.
    pub folder: PathBuf,
    /// The folder relative to the project root, for records.
    pub folder_rel: String,
    pub stack: BTreeMap<String, String>,
    /// Compose files relative to the folder; may name manifest variables (`broker-${broker}.yaml`).
    pub compose_files: Vec<Template>,
    pub profiles: Vec<(String, Loc)>,
    pub compose_env: Vec<(String, Template)>,
    /// Defaults of the manifest's variables.
    pub variables: BTreeMap<String, String>,
    /// Where each variable's default was written (the manifest or a base).
    pub variable_locs: BTreeMap<String, Loc>,
    pub startup_timeout: Duration,
    pub stages: Vec<Stage>,
    pub expect: Vec<Check>,
    /// How the processor runs under a sustained load (`rtde bench --rate`), if declared.
    pub sustained: Option<Sustained>,
}

/// The `sustained:` section, planned (docs/manifest.md, "Sustained load").
#[derive(Debug, Clone)]
pub struct Sustained {
    /// The batch stage the continuous processor does the work of; skipped in this mode.
    pub replaces: String,
    /// Started before the generate stage: a `run` stays up until stopped, an `exec` or
    /// `host` action starts a continuous job and returns.
    pub processor: Stage,
    pub stop: Stop,
    /// What `rtde probe --silver` counts (`files:…`, `postgres://…`, `kafka://…`).
    pub silver: String,
    pub query: Option<String>,
    /// The service `rtde probe` runs in (the rtde image): `generator` unless written.
    pub probe_service: String,
    /// How long after the load the processor may take to bring Silver to the oracle's count.
    pub drain_timeout: Duration,
    /// Variables this mode needs set so (P01: `storage: files`, whose Silver files the probe
    /// counts, where Iceberg's it cannot yet).
    pub requires: BTreeMap<String, String>,
    pub origin: Loc,
}

#[derive(Debug, Clone)]
pub enum Stop {
    /// A signal to the processor's one-off container (`SIGINT`, `SIGTERM`).
    Signal(String),
    /// A stage that stops it (cancelling a streaming job).
    Stage(Box<Stage>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Startup,
    Ingestion,
    Processing,
    Transform,
    Serving,
    Validation,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Startup,
        Category::Ingestion,
        Category::Processing,
        Category::Transform,
        Category::Serving,
        Category::Validation,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Startup => "startup",
            Category::Ingestion => "ingestion",
            Category::Processing => "processing",
            Category::Transform => "transform",
            Category::Serving => "serving",
            Category::Validation => "validation",
            Category::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    /// Where the stage's text is: the manifest, a base, or a shared stage definition.
    pub origin: Loc,
    /// The shared stage definition it was made from (`use:`), if any.
    pub uses: Option<String>,
    pub category: Category,
    pub action: Action,
    pub timeout: Duration,
    pub until: Option<Probe>,
    pub capture: Vec<Capture>,
}

/// A command: `Shell` runs through `sh -c`, `Argv` is the argument vector itself.
#[derive(Debug, Clone)]
pub enum Command {
    Shell(Template),
    Argv(Vec<Template>),
}

impl Command {
    pub fn render(&self, vars: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
        match self {
            Command::Shell(t) => Ok(vec!["sh".into(), "-c".into(), t.render(vars)?]),
            Command::Argv(ts) => ts.iter().map(|t| t.render(vars)).collect(),
        }
    }

    pub(super) fn templates(&self) -> Vec<&Template> {
        match self {
            Command::Shell(t) => vec![t],
            Command::Argv(ts) => ts.iter().collect(),
        }
    }
}

/// A command inside a service's container (`exec`) or a one-off of the service (`run`).
#[derive(Debug, Clone)]
pub struct ServiceCommand {
    pub service: String,
    pub service_loc: Loc,
    pub command: Option<Command>,
    pub environment: Vec<(String, Template)>,
}

#[derive(Debug, Clone)]
pub enum Action {
    Exec(ServiceCommand),
    Run(ServiceCommand),
    Host {
        command: Command,
        environment: Vec<(String, Template)>,
    },
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Exec(_) => "exec",
            Action::Run(_) => "run",
            Action::Host { .. } => "host",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub kind: ProbeKind,
    pub timeout: Duration,
    pub interval: Duration,
    pub max_interval: Duration,
}

#[derive(Debug, Clone)]
pub enum ProbeKind {
    Exec(ServiceCommand),
    Http {
        url: Template,
        status: Option<u16>,
        contains: Option<String>,
    },
    Log {
        service: String,
        service_loc: Loc,
        regex: Regex,
    },
    Healthy {
        service: String,
        service_loc: Loc,
    },
    /// The Flink jobs the stage's action submitted (`Job ID: …` in its output), watched
    /// through the REST API of the JobManager in `service` until every one has FINISHED;
    /// one that fails or is cancelled fails the stage at once (src/run/flink.rs).
    FlinkJob {
        service: String,
        service_loc: Loc,
    },
}

#[derive(Debug, Clone)]
pub struct Capture {
    pub metric: String,
    pub regex: Regex,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub metric: String,
    pub rule: CheckRule,
}

#[derive(Debug, Clone)]
pub enum CheckRule {
    Equals(Template),
    EqualsMetric(String),
    Range(Template, Template),
}

impl ServiceCommand {
    pub(super) fn templates(&self) -> Vec<&Template> {
        let mut v: Vec<&Template> = self.environment.iter().map(|(_, t)| t).collect();
        if let Some(c) = &self.command {
            v.extend(c.templates());
        }
        v
    }
}

impl Pipeline {
    /// Every service a stage or probe names, with where it is named.
    /// The stages of both modes: the manifest's, then the sustained processor and its stop.
    pub fn all_stages(&self) -> impl Iterator<Item = &Stage> {
        let sustained = self.sustained.iter().flat_map(|s| {
            let stop = match &s.stop {
                Stop::Stage(stage) => Some(stage.as_ref()),
                Stop::Signal(_) => None,
            };
            std::iter::once(&s.processor).chain(stop)
        });
        self.stages.iter().chain(sustained)
    }

    pub fn referenced_services(&self) -> Vec<(&str, Loc)> {
        let mut out = Vec::new();
        if let Some(s) = &self.sustained {
            out.push((s.probe_service.as_str(), s.origin.clone()));
        }
        for stage in self.all_stages() {
            match &stage.action {
                Action::Exec(sc) | Action::Run(sc) => {
                    out.push((sc.service.as_str(), sc.service_loc.clone()))
                }
                Action::Host { .. } => {}
            }
            if let Some(probe) = &stage.until {
                match &probe.kind {
                    ProbeKind::Exec(sc) => out.push((sc.service.as_str(), sc.service_loc.clone())),
                    ProbeKind::Log {
                        service,
                        service_loc,
                        ..
                    }
                    | ProbeKind::Healthy {
                        service,
                        service_loc,
                    }
                    | ProbeKind::FlinkJob {
                        service,
                        service_loc,
                    } => out.push((service.as_str(), service_loc.clone())),
                    ProbeKind::Http { .. } => {}
                }
            }
        }
        out
    }

    /// The compose files of a run with these variables, in order. A variable picks a file
    /// (`broker-${broker}.yaml`), so each is checked to exist: `--broker nats` must say that
    /// there is no such fragment, not fail inside Compose.
    pub fn compose_paths(&self, vars: &BTreeMap<String, String>) -> Result<Vec<PathBuf>, String> {
        self.compose_files
            .iter()
            .map(|file| {
                self.compose_path(file, vars).map_err(|message| {
                    format!(
                        "{}:{}:{}: {message}",
                        file.loc.file_or(&self.manifest_path).display(),
                        file.loc.line,
                        file.loc.col
                    )
                })
            })
            .collect()
    }

    pub(super) fn compose_path(
        &self,
        file: &Template,
        vars: &BTreeMap<String, String>,
    ) -> Result<PathBuf, String> {
        let name = file.render(vars)?;
        let path = self.folder.join(&name);
        if path.is_file() {
            return Ok(path);
        }
        let chosen: Vec<String> = file
            .references()
            .into_iter()
            .filter_map(|var| vars.get(&var).map(|value| format!("{var}={value}")))
            .collect();
        let choice = if chosen.is_empty() {
            String::new()
        } else {
            format!(" (with {})", chosen.join(", "))
        };
        let siblings = path
            .parent()
            .and_then(|dir| std::fs::read_dir(dir).ok())
            .map(|entries| {
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                    .collect();
                names.sort();
                names
            })
            .unwrap_or_default();
        let hint = if siblings.is_empty() || chosen.is_empty() {
            String::new()
        } else {
            format!("; files there: {}", siblings.join(", "))
        };
        Err(format!(
            "compose file `{name}`{choice} does not exist (looked for {}){hint}",
            path.display()
        ))
    }

    /// Every interpolated string of the manifest.
    pub fn templates(&self) -> Vec<&Template> {
        let mut out: Vec<&Template> = self.compose_env.iter().map(|(_, t)| t).collect();
        for stage in self.all_stages() {
            match &stage.action {
                Action::Exec(sc) | Action::Run(sc) => out.extend(sc.templates()),
                Action::Host {
                    command,
                    environment,
                } => {
                    out.extend(command.templates());
                    out.extend(environment.iter().map(|(_, t)| t));
                }
            }
            match stage.until.as_ref().map(|p| &p.kind) {
                Some(ProbeKind::Exec(sc)) => out.extend(sc.templates()),
                Some(ProbeKind::Http { url, .. }) => out.push(url),
                _ => {}
            }
        }
        for check in &self.expect {
            match &check.rule {
                CheckRule::Equals(t) => out.push(t),
                CheckRule::Range(lo, hi) => out.extend([lo, hi]),
                CheckRule::EqualsMetric(_) => {}
            }
        }
        out
    }
}
