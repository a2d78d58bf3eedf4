//! Raw manifest → a checked, typed plan.
//!
//! Everything that can be checked without Docker is checked here, and all problems are
//! collected rather than stopping at the first, so one read of the output fixes the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;

use super::duration;
use super::load::{Locator, Seg};
use super::raw::{
    RawCapture, RawCheck, RawCommand, RawManifest, RawProbe, RawServiceCommand, RawStage, Scalar,
};
use super::template::Template;
use super::{Loc, ManifestError, ManifestErrors};

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

const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(300);
/// The first probe poll comes quickly (most probes hold soon after the action), then the
/// interval grows by half each time so a slow service is not hammered.
const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_millis(100);
const DEFAULT_PROBE_MAX_INTERVAL: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub tier: String,
    pub description: Option<String>,
    pub manifest_path: PathBuf,
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
    pub startup_timeout: Duration,
    pub stages: Vec<Stage>,
    pub expect: Vec<Check>,
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

    fn templates(&self) -> Vec<&Template> {
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
    fn templates(&self) -> Vec<&Template> {
        let mut v: Vec<&Template> = self.environment.iter().map(|(_, t)| t).collect();
        if let Some(c) = &self.command {
            v.extend(c.templates());
        }
        v
    }
}

impl Pipeline {
    /// Every service a stage or probe names, with where it is named.
    pub fn referenced_services(&self) -> Vec<(&str, Loc)> {
        let mut out = Vec::new();
        for stage in &self.stages {
            match &stage.action {
                Action::Exec(sc) | Action::Run(sc) => {
                    out.push((sc.service.as_str(), sc.service_loc))
                }
                Action::Host { .. } => {}
            }
            if let Some(probe) = &stage.until {
                match &probe.kind {
                    ProbeKind::Exec(sc) => out.push((sc.service.as_str(), sc.service_loc)),
                    ProbeKind::Log {
                        service,
                        service_loc,
                        ..
                    }
                    | ProbeKind::Healthy {
                        service,
                        service_loc,
                    } => out.push((service.as_str(), *service_loc)),
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
                        self.manifest_path.display(),
                        file.loc.line,
                        file.loc.col
                    )
                })
            })
            .collect()
    }

    fn compose_path(
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
        for stage in &self.stages {
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

struct Planner<'a> {
    path: &'a Path,
    locator: &'a Locator<'a>,
    errors: Vec<ManifestError>,
}

impl Planner<'_> {
    fn err(&mut self, path: &[Seg], message: impl Into<String>) {
        let loc = self.locator.locate(path);
        self.errors
            .push(ManifestError::at(self.path, loc, message.into()));
    }

    fn loc(&self, path: &[Seg]) -> Loc {
        self.locator.locate(path)
    }

    fn duration(&mut self, path: &[Seg], text: &str) -> Duration {
        match duration::parse(text) {
            Ok(d) if d > Duration::ZERO => d,
            Ok(_) => {
                self.err(
                    path,
                    "a duration of zero never elapses usefully; use e.g. 30s",
                );
                Duration::from_secs(1)
            }
            Err(e) => {
                self.err(path, e);
                Duration::from_secs(1)
            }
        }
    }

    fn regex(&mut self, path: &[Seg], text: &str, needs_group: bool) -> Regex {
        match Regex::new(text) {
            Ok(re) if needs_group && re.captures_len() < 2 => {
                self.err(
                    path,
                    format!("regex `{text}` has no capture group; wrap the value in ( )"),
                );
                re
            }
            Ok(re) => re,
            Err(e) => {
                self.err(path, format!("invalid regex: {e}"));
                Regex::new("$^").expect("a constant regex compiles")
            }
        }
    }

    fn env(&self, base: &[Seg], env: &BTreeMap<String, Scalar>) -> Vec<(String, Template)> {
        env.iter()
            .map(|(k, v)| {
                let mut p = base.to_vec();
                p.push(Seg::Key(k));
                (k.clone(), Template::new(v.as_text(), self.loc(&p)))
            })
            .collect()
    }

    fn command(&self, base: &[Seg], cmd: &RawCommand) -> Command {
        match cmd {
            RawCommand::Shell(s) => Command::Shell(Template::new(s, self.loc(base))),
            RawCommand::Argv(args) => Command::Argv(
                args.iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let mut p = base.to_vec();
                        p.push(Seg::Index(i));
                        Template::new(a, self.loc(&p))
                    })
                    .collect(),
            ),
        }
    }

    fn service_command(
        &mut self,
        base: &[Seg],
        sc: &RawServiceCommand,
        needs_command: bool,
    ) -> ServiceCommand {
        let mut cmd_path = base.to_vec();
        cmd_path.push(Seg::Key("command"));
        if needs_command && sc.command.is_none() {
            self.err(
                base,
                "`command:` is missing; exec needs a command to run in the container",
            );
        }
        let mut svc_path = base.to_vec();
        svc_path.push(Seg::Key("service"));
        let mut env_path = base.to_vec();
        env_path.push(Seg::Key("environment"));
        ServiceCommand {
            service: sc.service.clone(),
            service_loc: self.loc(&svc_path),
            command: sc.command.as_ref().map(|c| self.command(&cmd_path, c)),
            environment: self.env(&env_path, &sc.environment),
        }
    }

    fn probe(&mut self, i: usize, raw: &RawProbe) -> Option<Probe> {
        let base = [Seg::Key("stages"), Seg::Index(i), Seg::Key("until")];
        let at = |k: &'static str| [base[0], base[1], base[2], Seg::Key(k)];
        let count = [
            raw.exec.is_some(),
            raw.http.is_some(),
            raw.log.is_some(),
            raw.healthy.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if count != 1 {
            self.err(
                &base,
                "an `until` probe needs exactly one of `exec`, `http`, `log` or `healthy`",
            );
            return None;
        }
        let kind = if let Some(sc) = &raw.exec {
            ProbeKind::Exec(self.service_command(&at("exec"), sc, true))
        } else if let Some(h) = &raw.http {
            if !h.url.starts_with("http://") {
                self.err(
                    &at("http"),
                    "probe urls must start with http:// (https is not supported)",
                );
            }
            ProbeKind::Http {
                url: Template::new(&h.url, self.loc(&at("http"))),
                status: h.status,
                contains: h.contains.clone(),
            }
        } else if let Some(l) = &raw.log {
            let regex_path = [
                base[0],
                base[1],
                base[2],
                Seg::Key("log"),
                Seg::Key("regex"),
            ];
            ProbeKind::Log {
                service: l.service.clone(),
                service_loc: self.loc(&at("log")),
                regex: self.regex(&regex_path, &l.regex, false),
            }
        } else {
            let h = raw
                .healthy
                .as_ref()
                .expect("counted exactly one probe kind");
            ProbeKind::Healthy {
                service: h.service.clone(),
                service_loc: self.loc(&at("healthy")),
            }
        };
        let interval = match &raw.interval {
            Some(t) => self.duration(&at("interval"), t),
            None => DEFAULT_PROBE_INTERVAL,
        };
        let max_interval = match &raw.max_interval {
            Some(t) => self.duration(&at("max_interval"), t),
            None => DEFAULT_PROBE_MAX_INTERVAL.max(interval),
        };
        Some(Probe {
            kind,
            timeout: self.duration(&at("timeout"), &raw.timeout),
            interval,
            max_interval,
        })
    }

    fn stage(&mut self, i: usize, raw: &RawStage) -> Option<Stage> {
        let base = [Seg::Key("stages"), Seg::Index(i)];
        let at = |k: &'static str| [base[0], base[1], Seg::Key(k)];
        let category = Category::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.category);
        if category.is_none() {
            self.err(
                &at("category"),
                format!(
                    "unknown category `{}`; use one of: {}",
                    raw.category,
                    Category::ALL.map(Category::as_str).join(", ")
                ),
            );
        }
        let actions = [raw.exec.is_some(), raw.run.is_some(), raw.host.is_some()];
        let action = match actions {
            [true, false, false] => Some(Action::Exec(self.service_command(
                &at("exec"),
                raw.exec.as_ref().expect("checked"),
                true,
            ))),
            [false, true, false] => Some(Action::Run(self.service_command(
                &at("run"),
                raw.run.as_ref().expect("checked"),
                false,
            ))),
            [false, false, true] => {
                let host = raw.host.as_ref().expect("checked");
                let cmd_path = [base[0], base[1], Seg::Key("host"), Seg::Key("command")];
                let env_path = [base[0], base[1], Seg::Key("host"), Seg::Key("environment")];
                Some(Action::Host {
                    command: self.command(&cmd_path, &host.command),
                    environment: self.env(&env_path, &host.environment),
                })
            }
            _ => {
                self.err(
                    &base,
                    format!(
                        "stage `{}` needs exactly one action: `exec`, `run` or `host`",
                        raw.name
                    ),
                );
                None
            }
        };
        let timeout = self.duration(&at("timeout"), &raw.timeout);
        let until = raw.until.as_ref().and_then(|p| self.probe(i, p));
        let capture = raw
            .capture
            .iter()
            .enumerate()
            .map(|(j, RawCapture { metric, regex })| {
                let p = [
                    base[0],
                    base[1],
                    Seg::Key("capture"),
                    Seg::Index(j),
                    Seg::Key("regex"),
                ];
                Capture {
                    metric: metric.clone(),
                    regex: self.regex(&p, regex, true),
                }
            })
            .collect();
        Some(Stage {
            name: raw.name.clone(),
            // An unknown category is already reported; planning goes on so the rest of the
            // stage is checked too.
            category: category.unwrap_or(Category::Other),
            action: action?,
            timeout,
            until,
            capture,
        })
    }

    fn check(&mut self, i: usize, raw: &RawCheck) -> Option<Check> {
        let base = [Seg::Key("expect"), Seg::Index(i)];
        let at = |k: &'static str| [base[0], base[1], Seg::Key(k)];
        let rule = match (&raw.equals, &raw.equals_metric, &raw.range) {
            (Some(v), None, None) => {
                CheckRule::Equals(Template::new(v.as_text(), self.loc(&at("equals"))))
            }
            (None, Some(m), None) => CheckRule::EqualsMetric(m.clone()),
            (None, None, Some([lo, hi])) => CheckRule::Range(
                Template::new(lo.as_text(), self.loc(&at("range"))),
                Template::new(hi.as_text(), self.loc(&at("range"))),
            ),
            _ => {
                self.err(
                    &base,
                    format!(
                        "check `{}` needs exactly one of `equals`, `equals_metric` or `range: [min, max]`",
                        raw.name
                    ),
                );
                return None;
            }
        };
        Some(Check {
            name: raw.name.clone(),
            metric: raw.metric.clone(),
            rule,
        })
    }
}

pub fn plan(
    path: &Path,
    root: &Path,
    raw: RawManifest,
    locator: &Locator,
) -> Result<Pipeline, ManifestErrors> {
    let mut p = Planner {
        path,
        locator,
        errors: Vec::new(),
    };
    let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let id_ok = raw.id.len() == 3
        && raw.id.starts_with('p')
        && raw.id[1..].chars().all(|c| c.is_ascii_digit());
    if !id_ok {
        p.err(
            &[Seg::Key("id")],
            format!("id `{}` must be `p` and two digits, e.g. p01", raw.id),
        );
    } else if !folder_name.starts_with(&format!("{}-", &raw.id[1..])) {
        p.err(
            &[Seg::Key("id")],
            format!(
                "id `{}` does not match the folder `{folder_name}`; name the folder `{}-<name>` or change the id",
                raw.id,
                &raw.id[1..]
            ),
        );
    }

    if raw.compose.files.is_empty() {
        p.err(
            &[Seg::Key("compose"), Seg::Key("files")],
            "list at least one compose file",
        );
    }
    let compose_files: Vec<Template> = raw
        .compose
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            Template::new(
                f,
                p.loc(&[Seg::Key("compose"), Seg::Key("files"), Seg::Index(i)]),
            )
        })
        .collect();
    let profiles = raw
        .compose
        .profiles
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let seg = [Seg::Key("compose"), Seg::Key("profiles"), Seg::Index(i)];
            (name.clone(), p.loc(&seg))
        })
        .collect();
    let compose_env = p.env(
        &[Seg::Key("compose"), Seg::Key("environment")],
        &raw.compose.environment,
    );

    let mut variables = BTreeMap::new();
    for (name, value) in &raw.variables {
        if BUILTIN_VARIABLES.contains(&name.as_str()) {
            p.err(
                &[Seg::Key("variables"), Seg::Key(name)],
                format!("`{name}` is set by rtde for every run; choose another name"),
            );
        }
        variables.insert(name.clone(), value.as_text());
    }

    let startup_timeout = match &raw.startup.timeout {
        Some(t) => p.duration(&[Seg::Key("startup"), Seg::Key("timeout")], t),
        None => DEFAULT_STARTUP_TIMEOUT,
    };

    if raw.stages.is_empty() {
        p.err(&[Seg::Key("stages")], "a pipeline needs at least one stage");
    }
    let mut seen = BTreeSet::new();
    for (i, stage) in raw.stages.iter().enumerate() {
        if !seen.insert(stage.name.as_str()) {
            p.err(
                &[Seg::Key("stages"), Seg::Index(i), Seg::Key("name")],
                format!(
                    "stage name `{}` is used twice; stage names must be unique",
                    stage.name
                ),
            );
        }
    }
    let stages: Vec<Stage> = raw
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, s)| p.stage(i, s))
        .collect();

    let captured: BTreeSet<&str> = stages
        .iter()
        .flat_map(|s| s.capture.iter().map(|c| c.metric.as_str()))
        .collect();
    let expect: Vec<Check> = raw
        .expect
        .iter()
        .enumerate()
        .filter_map(|(i, c)| p.check(i, c))
        .collect();
    for (i, check) in expect.iter().enumerate() {
        let mut metrics = vec![check.metric.as_str()];
        if let CheckRule::EqualsMetric(m) = &check.rule {
            metrics.push(m);
        }
        for m in metrics {
            if !captured.contains(m) {
                p.err(
                    &[Seg::Key("expect"), Seg::Index(i), Seg::Key("metric")],
                    format!(
                        "no stage captures metric `{m}`; add a `capture:` rule for it (captured: {})",
                        if captured.is_empty() { "none".to_string() } else { captured.iter().copied().collect::<Vec<_>>().join(", ") }
                    ),
                );
            }
        }
    }

    let pipeline = Pipeline {
        id: raw.id,
        name: raw.name,
        tier: raw.tier,
        description: raw.description,
        manifest_path: path.to_path_buf(),
        folder_rel: folder
            .strip_prefix(root)
            .unwrap_or(&folder)
            .to_string_lossy()
            .into_owned(),
        folder,
        stack: [
            ("ingestion", raw.stack.ingestion),
            ("processor", raw.stack.processor),
            ("storage", raw.stack.storage),
            ("transform", raw.stack.transform),
            ("orchestrator", raw.stack.orchestrator),
            ("serving", raw.stack.serving),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        compose_files,
        profiles,
        compose_env,
        variables,
        startup_timeout,
        stages,
        expect,
    };

    // A compose file may also name the project's root (`${shared_dir}/compose/x.yaml`), so a
    // pipeline folder outside `pipelines/` reaches the shared fragments.
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut path_vars = pipeline.variables.clone();
    path_vars.insert("root".into(), abs(root).display().to_string());
    path_vars.insert(
        "shared_dir".into(),
        abs(&root.join("shared")).display().to_string(),
    );
    for file in &pipeline.compose_files {
        let undeclared: Vec<String> = file
            .references()
            .into_iter()
            .filter(|name| !path_vars.contains_key(name))
            .collect();
        if let Some(name) = undeclared.first() {
            p.errors.push(ManifestError::at(
                path,
                file.loc,
                format!(
                    "compose file `{}` uses `${{{name}}}`, which is not a variable of this manifest; \
                     declare it under `variables:` with the default file's value \
                     (`${{root}}` and `${{shared_dir}}` are rtde's)",
                    file.text
                ),
            ));
            continue;
        }
        if let Err(message) = pipeline.compose_path(file, &path_vars) {
            p.errors.push(ManifestError::at(path, file.loc, message));
        }
    }

    let known: BTreeSet<String> = pipeline
        .variables
        .keys()
        .cloned()
        .chain(BUILTIN_VARIABLES.iter().map(|s| s.to_string()))
        .collect();
    for t in pipeline.templates() {
        for name in t.references() {
            if !known.contains(&name) {
                p.errors.push(ManifestError::at(
                    path,
                    t.loc,
                    format!(
                        "unknown variable `${{{name}}}`; declare it under `variables:` (known: {})",
                        known.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }

    if p.errors.is_empty() {
        Ok(pipeline)
    } else {
        Err(ManifestErrors(p.errors))
    }
}
