//! The planner: a manifest's merged layers → a checked, typed [`Pipeline`].
//!
//! Everything that can be checked without Docker is checked here, and all problems are
//! collected rather than stopping at the first, so one read of the output fixes the file.
//! Each part is located in the file it was written in (the manifest, a base it extends, a
//! shared stage definition), so an error names that file's line and column.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use regex::Regex;

use super::duration;
use super::layers::{At, Resolved, ResolvedStage};
use super::load::{Locator, Seg};
use super::pipeline::{
    Action, BUILTIN_VARIABLES, Capture, Category, Check, CheckRule, Command, Pipeline, Probe,
    ProbeKind, ServiceCommand, Stage, Stop, Sustained,
};
use super::raw::{
    RawCapture, RawCheck, RawCommand, RawProbe, RawServiceCommand, RawStage, RawSustained, Scalar,
};
use super::template::Template;
use super::{Loc, ManifestError, ManifestErrors};

const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(300);
/// How long Silver may take to reach the oracle's count once a sustained load has ended.
const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(120);
/// The signals `sustained.stop_signal` may name.
const STOP_SIGNALS: [&str; 4] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"];
/// The first probe poll comes quickly (most probes hold soon after the action), then the
/// interval grows by half each time so a slow service is not hammered.
const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_millis(100);
const DEFAULT_PROBE_MAX_INTERVAL: Duration = Duration::from_secs(2);

/// `base` followed by `more`: a path into the file a part of the manifest came from.
fn join<'s>(base: &[Seg<'s>], more: &[Seg<'s>]) -> Vec<Seg<'s>> {
    base.iter().chain(more).copied().collect()
}

struct Planner<'a> {
    path: &'a Path,
    locators: &'a [Locator<'a>],
    /// The file the part being planned was written in (an index into `locators`).
    src: usize,
    errors: Vec<ManifestError>,
}

impl Planner<'_> {
    fn err(&mut self, path: &[Seg], message: impl Into<String>) {
        let loc = self.loc(path);
        self.errors
            .push(ManifestError::at(self.path, loc, message.into()));
    }

    fn loc(&self, path: &[Seg]) -> Loc {
        self.locators[self.src].locate(path)
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

    fn probe(&mut self, stage: &[Seg<'static>], raw: &RawProbe) -> Option<Probe> {
        let base = join(stage, &[Seg::Key("until")]);
        let at = |k: &'static str| join(&base, &[Seg::Key(k)]);
        let count = [
            raw.exec.is_some(),
            raw.http.is_some(),
            raw.log.is_some(),
            raw.healthy.is_some(),
            raw.flink_job.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if count != 1 {
            self.err(
                &base,
                "an `until` probe needs exactly one of `exec`, `http`, `log`, `healthy` or `flink_job`",
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
            let regex_path = join(&base, &[Seg::Key("log"), Seg::Key("regex")]);
            ProbeKind::Log {
                service: l.service.clone(),
                service_loc: self.loc(&at("log")),
                regex: self.regex(&regex_path, &l.regex, false),
            }
        } else if let Some(h) = &raw.healthy {
            ProbeKind::Healthy {
                service: h.service.clone(),
                service_loc: self.loc(&at("healthy")),
            }
        } else {
            let f = raw
                .flink_job
                .as_ref()
                .expect("counted exactly one probe kind");
            ProbeKind::FlinkJob {
                service: f.service.clone(),
                service_loc: self.loc(&at("flink_job")),
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

    fn stage(&mut self, resolved: &ResolvedStage) -> Option<Stage> {
        let raw = &resolved.raw;
        self.src = resolved.at.src;
        let base = resolved.at.base.clone();
        let at = |k: &'static str| join(&base, &[Seg::Key(k)]);
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
                let cmd_path = join(&base, &[Seg::Key("host"), Seg::Key("command")]);
                let env_path = join(&base, &[Seg::Key("host"), Seg::Key("environment")]);
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
        let until = raw.until.as_ref().and_then(|p| self.probe(&base, p));
        let capture = raw
            .capture
            .iter()
            .enumerate()
            .map(|(j, RawCapture { metric, regex })| {
                let p = join(
                    &base,
                    &[Seg::Key("capture"), Seg::Index(j), Seg::Key("regex")],
                );
                Capture {
                    metric: metric.clone(),
                    regex: self.regex(&p, regex, true),
                }
            })
            .collect();
        Some(Stage {
            name: raw.name.clone(),
            origin: self.loc(&base),
            uses: resolved.uses.clone(),
            // An unknown category is already reported; planning goes on so the rest of the
            // stage is checked too.
            category: category.unwrap_or(Category::Other),
            action: action?,
            timeout,
            until,
            capture,
        })
    }

    /// The `sustained:` section: its processor and stop planned as stages, the stage it
    /// replaces among the manifest's, its Silver source understood by `rtde probe`.
    fn sustained(
        &mut self,
        raw: &RawSustained,
        at: &At,
        stages: &[Stage],
        variables: &BTreeMap<String, String>,
    ) -> Option<Sustained> {
        let key = |k: &'static str| join(&at.base, &[Seg::Key(k)]);
        let as_stage = |raw: &RawStage, k: &'static str| ResolvedStage {
            raw: raw.clone(),
            at: At {
                src: at.src,
                base: key(k),
            },
            uses: None,
            checks: Vec::new(),
        };
        let processor = self.stage(&as_stage(&raw.processor, "processor"));
        self.src = at.src;
        if !stages.iter().any(|s| s.name == raw.replaces) {
            let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
            self.err(
                &key("replaces"),
                format!(
                    "`replaces: {}` names no stage; name the batch stage the continuous processor does the work of (stages: {})",
                    raw.replaces,
                    names.join(", ")
                ),
            );
        }
        let stop = match (&raw.stop_signal, &raw.stop) {
            (Some(signal), None) => {
                if !STOP_SIGNALS.contains(&signal.as_str()) {
                    self.err(
                        &key("stop_signal"),
                        format!(
                            "unknown signal `{signal}`; use one of {}",
                            STOP_SIGNALS.join(", ")
                        ),
                    );
                }
                Some(Stop::Signal(signal.clone()))
            }
            (None, Some(stage)) => self
                .stage(&as_stage(stage, "stop"))
                .map(|s| Stop::Stage(Box::new(s))),
            _ => {
                self.src = at.src;
                self.err(
                    &at.base,
                    "say how the processor is stopped: exactly one of `stop_signal:` (e.g. SIGINT, to a `run` processor's container) or `stop:` (a stage)",
                );
                None
            }
        };
        self.src = at.src;
        if let (Some(Stop::Signal(_)), Some(p)) = (&stop, &processor)
            && !matches!(p.action, Action::Run(_))
        {
            self.err(
                &key("stop_signal"),
                "`stop_signal:` stops a `run` processor's container; an `exec` or `host` processor starts a job that needs a `stop:` stage",
            );
        }
        if let Err(e) = crate::freshness::probe::Source::parse(&raw.silver, raw.query.as_deref()) {
            self.err(&key("silver"), format!("{e:#}"));
        }
        for name in raw.requires.keys() {
            if !variables.contains_key(name) {
                self.err(
                    &join(&key("requires"), &[Seg::Key(name)]),
                    format!("`{name}` is not a variable of this pipeline; `requires:` names its variables"),
                );
            }
        }
        let drain_timeout = match &raw.drain_timeout {
            Some(text) => self.duration(&key("drain_timeout"), text),
            None => DEFAULT_DRAIN_TIMEOUT,
        };
        Some(Sustained {
            replaces: raw.replaces.clone(),
            processor: processor?,
            stop: stop?,
            silver: raw.silver.clone(),
            query: raw.query.clone(),
            probe_service: raw
                .probe_service
                .clone()
                .unwrap_or_else(|| "generator".to_string()),
            drain_timeout,
            requires: raw
                .requires
                .iter()
                .map(|(k, v)| (k.clone(), v.as_text()))
                .collect(),
            origin: self.loc(&at.base),
        })
    }

    fn check(&mut self, raw: &RawCheck, from: &At) -> Option<Check> {
        self.src = from.src;
        let base = from.base.clone();
        let at = |k: &'static str| join(&base, &[Seg::Key(k)]);
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

/// Plan the merged manifest `resolved` (read from `path` and the files of `locators`; the
/// manifest itself is `locators[0]`). `root` is the project root, for relative paths in
/// records.
pub fn plan(
    path: &Path,
    root: &Path,
    resolved: Resolved,
    locators: &[Locator],
) -> Result<Pipeline, ManifestErrors> {
    let mut p = Planner {
        path,
        locators,
        src: 0,
        errors: Vec::new(),
    };
    let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let id = resolved.id.clone();
    let id_ok = id.len() == 3 && id.starts_with('p') && id[1..].chars().all(|c| c.is_ascii_digit());
    if !id_ok {
        p.err(
            &[Seg::Key("id")],
            format!("id `{id}` must be `p` and two digits, e.g. p01"),
        );
    } else if !folder_name.starts_with(&format!("{}-", &id[1..])) {
        p.err(
            &[Seg::Key("id")],
            format!(
                "id `{id}` does not match the folder `{folder_name}`; name the folder `{}-<name>` or change the id",
                &id[1..]
            ),
        );
    }

    if resolved.compose_files.is_empty() {
        p.err(
            &[Seg::Key("compose"), Seg::Key("files")],
            "list at least one compose file under `compose.files`",
        );
    }
    let compose_files: Vec<Template> = resolved
        .compose_files
        .iter()
        .map(|(f, loc)| Template::new(f, loc.clone()))
        .collect();
    let compose_env = resolved
        .compose_env
        .iter()
        .map(|(k, (v, loc))| (k.clone(), Template::new(v.as_text(), loc.clone())))
        .collect();

    let mut variables = BTreeMap::new();
    let mut variable_locs = BTreeMap::new();
    for (name, (value, loc)) in &resolved.variables {
        if BUILTIN_VARIABLES.contains(&name.as_str()) {
            p.errors.push(ManifestError::at(
                path,
                loc.clone(),
                format!("`{name}` is set by rtde for every run; choose another name"),
            ));
        }
        variables.insert(name.clone(), value.as_text());
        variable_locs.insert(name.clone(), loc.clone());
    }

    let startup_timeout = match &resolved.startup_timeout {
        Some((text, loc)) => match duration::parse(text) {
            Ok(d) if d > Duration::ZERO => d,
            Ok(_) => {
                p.errors.push(ManifestError::at(
                    path,
                    loc.clone(),
                    "a duration of zero never elapses usefully; use e.g. 30s",
                ));
                DEFAULT_STARTUP_TIMEOUT
            }
            Err(e) => {
                p.errors.push(ManifestError::at(path, loc.clone(), e));
                DEFAULT_STARTUP_TIMEOUT
            }
        },
        None => DEFAULT_STARTUP_TIMEOUT,
    };

    if resolved.stages.is_empty() {
        p.err(&[Seg::Key("stages")], "a pipeline needs at least one stage");
    }
    let mut seen = BTreeSet::new();
    for stage in &resolved.stages {
        if !seen.insert(stage.raw.name.as_str()) {
            p.src = stage.at.src;
            p.err(
                &join(&stage.at.base, &[Seg::Key("name")]),
                format!(
                    "stage name `{}` is used twice; stage names must be unique (a used definition can be renamed with `name:`)",
                    stage.raw.name
                ),
            );
        }
    }
    let stages: Vec<Stage> = resolved.stages.iter().filter_map(|s| p.stage(s)).collect();

    let captured: BTreeSet<&str> = stages
        .iter()
        .flat_map(|s| s.capture.iter().map(|c| c.metric.as_str()))
        .collect();
    let expect: Vec<(Check, &At)> = resolved
        .expect
        .iter()
        .filter_map(|(c, at)| Some((p.check(c, at)?, at)))
        .collect();
    for (check, at) in &expect {
        let mut metrics = vec![check.metric.as_str()];
        if let CheckRule::EqualsMetric(m) = &check.rule {
            metrics.push(m);
        }
        for m in metrics {
            if !captured.contains(m) {
                p.src = at.src;
                p.err(
                    &join(&at.base, &[Seg::Key("metric")]),
                    format!(
                        "no stage captures metric `{m}`; add a `capture:` rule for it (captured: {})",
                        if captured.is_empty() { "none".to_string() } else { captured.iter().copied().collect::<Vec<_>>().join(", ") }
                    ),
                );
            }
        }
    }
    let sustained = resolved
        .sustained
        .as_ref()
        .and_then(|(raw, at)| p.sustained(raw, at, &stages, &variables));
    p.src = 0;

    let pipeline = Pipeline {
        id,
        name: resolved.name.unwrap_or_default(),
        tier: resolved.tier.unwrap_or_default(),
        description: resolved.description,
        manifest_path: path.to_path_buf(),
        extends: resolved.extends,
        folder_rel: folder
            .strip_prefix(root)
            .unwrap_or(&folder)
            .to_string_lossy()
            .into_owned(),
        folder,
        stack: resolved
            .stack
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        compose_files,
        profiles: resolved.profiles,
        compose_env,
        variables,
        variable_locs,
        startup_timeout,
        stages,
        expect: expect.into_iter().map(|(c, _)| c).collect(),
        sustained,
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
                file.loc.clone(),
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
            p.errors
                .push(ManifestError::at(path, file.loc.clone(), message));
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
                    t.loc.clone(),
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

#[cfg(test)]
mod tests {
    //! The planner and the checks against a stack, on manifests written as strings into a
    //! temporary root: every error is located without Compose.

    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use crate::manifest::{ManifestErrors, Pipeline, load, validate};

    const BASE: &str = "\
id: p01
name: Base
tier: core
stack: {ingestion: kafka, processor: flink, storage: iceberg, transform: dbt-duckdb, orchestrator: none, serving: none}
compose:
  files:
    - compose.yaml
variables:
  events: 100
  broker: kafka
stages:
  - use: topics
  - name: job
    category: processing
    exec: {service: app, command: [job, '${events}']}
    timeout: 1m
    capture:
      - {metric: rows, regex: 'rows=(\\d+)'}
  - name: count
    category: validation
    run: {service: app}
    timeout: 30s
expect:
  - {name: rows, metric: rows, equals: '${events}'}
";

    const TOPICS: &str = "\
params:
  partitions: {default: 3}
stage:
  name: topics
  category: startup
  run: {service: tools, command: [topics, create, 'raw:${{partitions}}']}
  timeout: 2m
";

    /// A root with `shared/stages/topics.yaml` and the given files; returns it.
    fn root(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut all = vec![
            ("shared/stages/topics.yaml", TOPICS),
            ("pipelines/01-base/pipeline.yaml", BASE),
            ("pipelines/01-base/compose.yaml", "services: {}\n"),
        ];
        all.extend_from_slice(files);
        for (path, text) in all {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn plan(root: &Path, folder: &str) -> Result<Pipeline, ManifestErrors> {
        load(
            &root.join("pipelines").join(folder).join("pipeline.yaml"),
            root,
        )
    }

    fn errors(root: &Path, folder: &str) -> String {
        plan(root, folder)
            .expect_err("the manifest is invalid")
            .to_string()
    }

    fn child(body: &str) -> String {
        format!("extends: p01\nid: p04\nname: Child\n{body}")
    }

    #[test]
    fn a_manifest_plans_with_its_definition_used() {
        let dir = root(&[]);
        let p = plan(dir.path(), "01-base").unwrap();
        let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["topics", "job", "count"]);
        assert_eq!(p.stages[0].uses.as_deref(), Some("topics"));
        let origin = p.stages[0].origin.file.as_deref().unwrap();
        assert!(origin.ends_with("shared/stages/topics.yaml"), "{origin:?}");
        let crate::manifest::Action::Run(run) = &p.stages[0].action else {
            panic!("a run stage");
        };
        let argv = run.command.as_ref().unwrap().render(&p.variables).unwrap();
        assert_eq!(argv, ["topics", "create", "raw:3"]);
    }

    #[test]
    fn a_child_states_only_its_differences() {
        let text = child(
            "stack: {ingestion: redpanda}
variables: {broker: redpanda}
compose:
  files: [extra.yaml]
stages:
  - use: topics
    replace: topics
    with: {partitions: 6}
  - after: job
    name: quality
    category: validation
    host: {command: 'echo checked=1'}
    timeout: 10s
    capture: [{metric: checked, regex: 'checked=(\\d+)'}]
  - remove: count
expect:
  - {name: rows, metric: rows, range: [1, 1000]}
  - {name: checked, metric: checked, equals: 1}
",
        );
        let dir = root(&[
            ("pipelines/04-child/pipeline.yaml", &text),
            ("pipelines/04-child/extra.yaml", "services: {}\n"),
        ]);
        let p = plan(dir.path(), "04-child").unwrap();
        assert_eq!(p.id, "p04");
        assert_eq!(p.tier, "core", "inherited");
        assert_eq!(p.stack["ingestion"], "redpanda");
        assert_eq!(p.stack["processor"], "flink");
        assert_eq!(p.variables["broker"], "redpanda");
        assert_eq!(p.variables["events"], "100");
        let files: Vec<&str> = p.compose_files.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(files, ["../01-base/compose.yaml", "extra.yaml"]);
        let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["topics", "job", "quality"]);
        let crate::manifest::Action::Run(run) = &p.stages[0].action else {
            panic!("a run stage");
        };
        assert_eq!(
            run.command.as_ref().unwrap().render(&p.variables).unwrap()[2],
            "raw:6"
        );
        let checks: Vec<&str> = p.expect.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(checks, ["rows", "checked"]);
        assert!(matches!(
            p.expect[0].rule,
            crate::manifest::CheckRule::Range(..)
        ));
        assert_eq!(p.extends.len(), 1);
    }

    /// A stage made from a definition takes the checks its definition brought with it when
    /// a child removes or replaces it (P12 removes P01's dead letters: no check may be left
    /// on a metric nothing captures).
    #[test]
    fn a_removed_or_replaced_stage_takes_its_definitions_checks_with_it() {
        let letters = "\
params: {}
stage:
  name: letters
  category: validation
  run: {service: tools, command: [count]}
  timeout: 1m
  capture: [{metric: letters, regex: 'letters=(\\d+)'}]
expect:
  - {name: every letter arrived, metric: letters, equals: 1}
";
        let base = BASE
            .replace("id: p01", "id: p02")
            .replace("  - name: count\n", "  - use: letters\n  - name: count\n");
        let removed = "extends: p02\nid: p05\nname: Removed\nstages:\n  - remove: letters\n";
        let replaced = "extends: p02\nid: p06\nname: Replaced\nstages:\n  - replace: letters\n    name: other\n    category: validation\n    run: {service: tools}\n    timeout: 1m\n";
        let dir = root(&[
            ("shared/stages/letters.yaml", letters),
            ("pipelines/02-base/pipeline.yaml", &base),
            ("pipelines/02-base/compose.yaml", "services: {}\n"),
            ("pipelines/05-removed/pipeline.yaml", removed),
            ("pipelines/06-replaced/pipeline.yaml", replaced),
        ]);
        let names = |folder: &str| -> Vec<String> {
            plan(dir.path(), folder)
                .unwrap()
                .expect
                .iter()
                .map(|c| c.name.clone())
                .collect()
        };
        assert_eq!(names("02-base"), ["rows", "every letter arrived"]);
        assert_eq!(names("05-removed"), ["rows"]);
        assert_eq!(names("06-replaced"), ["rows"]);
    }

    /// An inherited `sustained:` section runs its processor in place of the stage it
    /// `replaces`: a child that replaced or removed that stage (P18 runs P01's Flink job as a
    /// Prefect task) does not inherit it; a child that leaves the stage alone does.
    #[test]
    fn a_child_that_replaces_the_sustained_stage_does_not_inherit_sustained() {
        let base = format!(
            "{BASE}sustained:
  replaces: job
  processor:
    name: job_streaming
    category: processing
    run: {{service: app, command: [job, streaming]}}
    timeout: 1m
  stop_signal: SIGINT
  silver: files:/data/silver/*.json
"
        );
        // The job's `rows` check stays: each child's new stage captures it.
        let orchestrated = "    name: orchestrated
    category: processing
    exec: {service: app, command: [orchestrate]}
    timeout: 1m
    capture: [{metric: rows, regex: 'rows=(\\d+)'}]
";
        let replaced = child(&format!("stages:\n  - replace: job\n{orchestrated}"));
        let removed = child(&format!(
            "stages:\n  - remove: job\n  - after: topics\n{orchestrated}"
        ))
        .replace("p04", "p05");
        let added = child(
            "stages:
  - after: job
    name: quality
    category: validation
    exec: {service: app, command: [check]}
    timeout: 1m
",
        )
        .replace("p04", "p06");
        let dir = root(&[
            ("pipelines/01-base/pipeline.yaml", &base),
            ("pipelines/04-replaced/pipeline.yaml", &replaced),
            ("pipelines/05-removed/pipeline.yaml", &removed),
            ("pipelines/06-added/pipeline.yaml", &added),
        ]);
        let sustained = |folder: &str| plan(dir.path(), folder).unwrap().sustained;
        assert_eq!(sustained("01-base").unwrap().replaces, "job");
        assert!(sustained("04-replaced").is_none());
        assert!(sustained("05-removed").is_none());
        assert_eq!(sustained("06-added").unwrap().replaces, "job");
    }

    #[test]
    fn an_unknown_base_is_located_and_says_what_to_write() {
        let dir = root(&[(
            "pipelines/04-child/pipeline.yaml",
            "id: p04\nextends: p09\n",
        )]);
        let err = errors(dir.path(), "04-child");
        assert!(
            err.contains("04-child/pipeline.yaml:2:10: `extends: p09`"),
            "{err}"
        );
        assert!(err.contains("write an id"), "{err}");
    }

    #[test]
    fn a_cycle_is_named() {
        let dir = root(&[
            ("pipelines/04-a/pipeline.yaml", "extends: p05\nid: p04\n"),
            (
                "pipelines/05-b/pipeline.yaml",
                "extends: ../04-a\nid: p05\n",
            ),
        ]);
        let err = errors(dir.path(), "04-a");
        assert!(err.contains("05-b/pipeline.yaml:1:10:"), "{err}");
        assert!(err.contains("makes a cycle"), "{err}");
    }

    #[test]
    fn a_stage_to_replace_that_the_base_lacks_lists_the_bases_stages() {
        let text = child("stages:\n  - replace: silver\n    use: topics\n");
        let dir = root(&[("pipelines/04-child/pipeline.yaml", &text)]);
        let err = errors(dir.path(), "04-child");
        assert!(
            err.contains("04-child/pipeline.yaml:5:14: `replace: silver`"),
            "{err}"
        );
        assert!(err.contains("they are: topics, job, count"), "{err}");
    }

    #[test]
    fn a_parameter_the_definition_does_not_declare_is_located() {
        let text =
            child("stages:\n  - use: topics\n    replace: topics\n    with: {partitons: 6}\n");
        let dir = root(&[("pipelines/04-child/pipeline.yaml", &text)]);
        let err = errors(dir.path(), "04-child");
        assert!(err.contains("04-child/pipeline.yaml:7:23:"), "{err}");
        assert!(
            err.contains("has no parameter `partitons`; its parameters: partitions"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_definition_lists_the_ones_there_are() {
        let dir = root(&[(
            "pipelines/04-child/pipeline.yaml",
            &child("stages:\n  - use: topic\n"),
        )]);
        let err = errors(dir.path(), "04-child");
        assert!(
            err.contains("04-child/pipeline.yaml:5:10: no stage definition `topic`"),
            "{err}"
        );
        assert!(err.contains("use one of: topics"), "{err}");
    }

    #[test]
    fn an_error_in_the_base_points_at_the_base() {
        let base = BASE.replace("timeout: 30s", "timeout: 30 seconds");
        let dir = root(&[
            ("pipelines/01-base/pipeline.yaml", &base),
            ("pipelines/04-child/pipeline.yaml", &child("")),
        ]);
        let err = errors(dir.path(), "04-child");
        assert!(err.contains("01-base/pipeline.yaml:22:14:"), "{err}");
        assert!(!err.contains("04-child"), "{err}");
    }

    #[test]
    fn place_keys_need_a_base_and_required_fields_are_named() {
        let dir = root(&[(
            "pipelines/04-child/pipeline.yaml",
            "id: p04\nstages:\n  - after: x\n    use: topics\n",
        )]);
        let err = errors(dir.path(), "04-child");
        assert!(
            err.contains("04-child/pipeline.yaml:3:12: `after:`"),
            "{err}"
        );
        assert!(
            err.contains("missing `name`, `tier`, `stack.ingestion`"),
            "{err}"
        );
        assert!(err.contains("list at least one compose file"), "{err}");
    }

    #[test]
    fn the_checks_against_a_stack_name_the_file_of_the_stage() {
        let dir = root(&[("pipelines/04-child/pipeline.yaml", &child(""))]);
        let p = plan(dir.path(), "04-child").unwrap();
        let services: BTreeSet<String> = ["app".to_string()].into();
        let errs = validate::against_stack(&p, &services, &BTreeSet::new());
        let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        let at: PathBuf = errs[0].path.clone();
        assert!(at.ends_with("shared/stages/topics.yaml"), "{shown:?}");
        assert!(shown[0].contains("service `tools` is not in the compose stack; use one of: app"));
    }
}
