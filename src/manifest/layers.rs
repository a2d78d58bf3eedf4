//! Composition: a manifest that `extends` another, and stages that `use` a shared definition.
//!
//! Most pipelines are "an existing stack plus one part", so a manifest may name the one it
//! builds on and state only its differences, as Compose's own `extends` does for a service:
//! scalars and stack parts override, `variables` and `compose.environment` merge by name,
//! `compose.files` and `profiles` append, stages are placed among the base's by name
//! (`after:`, `before:`, `replace:`, `remove:`), and checks merge by name. What unrelated
//! pipelines share (the topics, the generator, the dead letters, dbt) is a stage definition
//! under `shared/stages/`, used with parameters as a GitHub Actions step uses an action.
//!
//! This module reads every file involved and merges them into one [`Resolved`] manifest
//! whose parts still know which file and which node they came from, so the planner's errors
//! point at the base or the definition when that is where the text is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::discover::{self, MANIFEST_FILE};
use super::load::{self, Locator, Seg};
use super::raw::{
    RawCheck, RawDefinition, RawManifest, RawStage, RawStageItem, RawSustained, Scalar,
};
use super::{Loc, ManifestError, ManifestErrors};

/// Where shared stage definitions live, relative to the project root.
pub const DEFINITIONS_DIR: &str = "shared/stages";

/// One file's text, kept so its [`Locator`] can borrow it.
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

/// Every file a manifest is made of, parsed.
pub struct Layers {
    /// Index into `sources` and the parsed manifest: the one asked for first, then its base,
    /// its base's base, and so on.
    pub manifests: Vec<(usize, RawManifest)>,
    /// Stage definitions by name: index into `sources` and the parsed definition.
    pub definitions: BTreeMap<String, (usize, RawDefinition)>,
    pub sources: Vec<Source>,
}

/// A node of some file: which source, and the path to it there.
#[derive(Debug, Clone)]
pub struct At {
    pub src: usize,
    pub base: Vec<Seg<'static>>,
}

#[derive(Debug)]
pub struct ResolvedStage {
    pub raw: RawStage,
    pub at: At,
    pub uses: Option<String>,
    /// The checks its definition brings.
    pub checks: Vec<(RawCheck, At)>,
}

/// The layers merged: what the planner types and checks.
#[derive(Debug, Default)]
pub struct Resolved {
    pub id: String,
    pub name: Option<String>,
    pub tier: Option<String>,
    pub description: Option<String>,
    pub stack: BTreeMap<&'static str, String>,
    /// Relative to the requested manifest's folder, wherever they were written.
    pub compose_files: Vec<(String, Loc)>,
    pub profiles: Vec<(String, Loc)>,
    pub compose_env: BTreeMap<String, (Scalar, Loc)>,
    pub variables: BTreeMap<String, (Scalar, Loc)>,
    pub startup_timeout: Option<(String, Loc)>,
    pub stages: Vec<ResolvedStage>,
    pub expect: Vec<(RawCheck, At)>,
    /// The nearest layer's `sustained:` section, whole.
    pub sustained: Option<(RawSustained, At)>,
    /// The bases' manifest paths, nearest first.
    pub extends: Vec<PathBuf>,
}

fn read_source(path: &Path) -> Result<Source, ManifestError> {
    std::fs::read_to_string(path)
        .map(|text| Source {
            path: path.to_path_buf(),
            text,
        })
        .map_err(|e| ManifestError::at(path, Loc::default(), format!("cannot read the file: {e}")))
}

fn one(err: ManifestError) -> ManifestErrors {
    ManifestErrors(vec![err])
}

/// Read a manifest, every manifest it extends, and every stage definition they use.
pub fn read(path: &Path, root: &Path) -> Result<Layers, ManifestErrors> {
    let mut layers = Layers {
        manifests: Vec::new(),
        definitions: BTreeMap::new(),
        sources: Vec::new(),
    };
    let mut chain: Vec<PathBuf> = Vec::new();
    let mut next = Some(path.to_path_buf());
    while let Some(file) = next.take() {
        let source = read_source(&file).map_err(one)?;
        let raw: RawManifest = load::parse(&file, &source.text).map_err(one)?;
        chain.push(lexical(&file));
        if let Some(reference) = &raw.extends {
            let at = Locator::new(&source.text, &file).locate(&[Seg::Key("extends")]);
            let base = base_manifest(&file, reference, root)
                .map_err(|message| one(ManifestError::at(&file, at.clone(), message)))?;
            if chain.contains(&lexical(&base)) {
                let names: Vec<String> = chain
                    .iter()
                    .chain([&lexical(&base)])
                    .map(|p| p.display().to_string())
                    .collect();
                return Err(one(ManifestError::at(
                    &file,
                    at,
                    format!(
                        "`extends: {reference}` makes a cycle ({}); a manifest cannot build on itself, remove one of the links",
                        names.join(" → ")
                    ),
                )));
            }
            next = Some(clean(&base));
        }
        layers.manifests.push((layers.sources.len(), raw));
        layers.sources.push(source);
    }

    let mut errors = Vec::new();
    let dir = root.join(DEFINITIONS_DIR);
    for m in 0..layers.manifests.len() {
        let (src, raw) = &layers.manifests[m];
        let uses: Vec<(usize, String)> = raw
            .stages
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.uses.clone()?)))
            .collect();
        let src = *src;
        for (i, name) in uses {
            if layers.definitions.contains_key(&name) {
                continue;
            }
            let file = dir.join(format!("{name}.yaml"));
            if !well_formed_name(&name) || !file.is_file() {
                let source = &layers.sources[src];
                let at = Locator::new(&source.text, &source.path).locate(&[
                    Seg::Key("stages"),
                    Seg::Index(i),
                    Seg::Key("use"),
                ]);
                errors.push(ManifestError::at(
                    &source.path,
                    at,
                    format!(
                        "no stage definition `{name}` (looked for {}); use one of: {}",
                        file.display(),
                        definition_names(&dir).join(", ")
                    ),
                ));
                continue;
            }
            match read_source(&file).and_then(|s| Ok((load::parse(&file, &s.text)?, s))) {
                Ok((def, source)) => {
                    layers.definitions.insert(name, (layers.sources.len(), def));
                    layers.sources.push(source);
                }
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(layers)
    } else {
        Err(ManifestErrors(errors))
    }
}

fn well_formed_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The definitions there are, for an error that names what may be written.
fn definition_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".yaml").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    if names.is_empty() {
        names.push("none".to_string());
    }
    names
}

/// The manifest an `extends:` names: a path (with a `/` or starting with `.`) relative to the
/// extending file, to a pipeline folder or its manifest; otherwise a pipeline id, looked up
/// beside the extending pipeline, then under the root's `pipelines/`.
fn base_manifest(file: &Path, reference: &str, root: &Path) -> Result<PathBuf, String> {
    let folder = file.parent().unwrap_or(Path::new("."));
    if reference.contains('/') || reference.starts_with('.') {
        let path = folder.join(reference);
        let path = if path.is_dir() {
            path.join(MANIFEST_FILE)
        } else {
            path
        };
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "`extends: {reference}`: there is no manifest at {}; write a pipeline id (p01) or \
                 a path, relative to this file, to a pipeline folder or its {MANIFEST_FILE}",
                path.display()
            ))
        };
    }
    let beside = folder.parent().map(Path::to_path_buf);
    let pipelines = root.join("pipelines");
    for dir in beside.iter().chain([&pipelines]) {
        if let Ok(found) = discover::resolve(dir, reference) {
            return Ok(found.manifest);
        }
    }
    Err(format!(
        "`extends: {reference}`: no pipeline `{reference}` beside this one or in {}; \
         write an id that `rtde list` shows (p01) or a path to a pipeline folder",
        pipelines.display()
    ))
}

/// A path with `.` and `..` removed as text (absolute first), so two spellings of one file
/// compare equal and a path can be rewritten relative to another folder.
fn lexical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` with `.` and `a/..` removed as text, staying relative if it is: how a base's path
/// is shown (`pipelines/01-…/pipeline.yaml`, not `tests/x/../../pipelines/…`).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `file`, written relative to `from`, rewritten relative to `to`. Used for a base's compose
/// files: Compose runs in the extending pipeline's folder.
pub fn rebase(from: &Path, to: &Path, file: &str) -> String {
    let target = lexical(&from.join(file));
    let to = lexical(to);
    let common = target
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in to.components().skip(common) {
        out.push("..");
    }
    for part in target.components().skip(common) {
        out.push(part);
    }
    out.to_string_lossy().into_owned()
}

/// Replace `${{name}}` in every string of a definition's stage; the names it uses that are
/// not parameters are returned.
fn substitute(stage: &mut RawStage, values: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut unknown = BTreeSet::new();
    visit_strings(stage, &mut |text: &mut String| {
        substitute_text(text, values, &mut unknown)
    });
    unknown
}

/// The same for a check a definition brings.
fn substitute_check(check: &mut RawCheck, values: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut unknown = BTreeSet::new();
    let mut f = |text: &mut String| substitute_text(text, values, &mut unknown);
    f(&mut check.name);
    f(&mut check.metric);
    if let Some(m) = &mut check.equals_metric {
        f(m);
    }
    if let Some(Scalar::Str(v)) = &mut check.equals {
        f(v);
    }
    unknown
}

fn substitute_text(
    text: &mut String,
    values: &BTreeMap<String, String>,
    unknown: &mut BTreeSet<String>,
) {
    {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            match values.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    unknown.insert(name.to_string());
                    out.push_str(&rest[start..start + 3 + end + 2]);
                }
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        *text = out;
    }
}

fn visit_strings(stage: &mut RawStage, f: &mut dyn FnMut(&mut String)) {
    use super::raw::{RawCommand, RawServiceCommand};
    fn command(c: &mut RawCommand, f: &mut dyn FnMut(&mut String)) {
        match c {
            RawCommand::Shell(s) => f(s),
            RawCommand::Argv(args) => args.iter_mut().for_each(f),
        }
    }
    fn env(e: &mut BTreeMap<String, Scalar>, f: &mut dyn FnMut(&mut String)) {
        for value in e.values_mut() {
            if let Scalar::Str(s) = value {
                f(s);
            }
        }
    }
    fn service(sc: &mut RawServiceCommand, f: &mut dyn FnMut(&mut String)) {
        f(&mut sc.service);
        if let Some(c) = &mut sc.command {
            command(c, f);
        }
        env(&mut sc.environment, f);
    }
    f(&mut stage.name);
    f(&mut stage.category);
    f(&mut stage.timeout);
    for sc in [&mut stage.exec, &mut stage.run].into_iter().flatten() {
        service(sc, f);
    }
    if let Some(host) = &mut stage.host {
        command(&mut host.command, f);
        env(&mut host.environment, f);
    }
    if let Some(probe) = &mut stage.until {
        f(&mut probe.timeout);
        for s in [&mut probe.interval, &mut probe.max_interval]
            .into_iter()
            .flatten()
        {
            f(s);
        }
        if let Some(sc) = &mut probe.exec {
            service(sc, f);
        }
        if let Some(h) = &mut probe.http {
            f(&mut h.url);
            if let Some(c) = &mut h.contains {
                f(c);
            }
        }
        if let Some(l) = &mut probe.log {
            f(&mut l.service);
            f(&mut l.regex);
        }
        for h in [&mut probe.healthy, &mut probe.flink_job]
            .into_iter()
            .flatten()
        {
            f(&mut h.service);
        }
    }
    for c in &mut stage.capture {
        f(&mut c.metric);
        f(&mut c.regex);
    }
}

struct Merger<'l, 'a> {
    layers: &'l Layers,
    locators: &'l [Locator<'a>],
    errors: Vec<ManifestError>,
    /// Checks brought by the definitions the current layer used, merged before its own.
    brought: Vec<(RawCheck, At)>,
    /// Names of the checks a stage the current layer removed or replaced had brought: they
    /// go with it (unless a definition the layer uses brings them again).
    dropped: Vec<String>,
    /// Names of the base's stages the current layer removed or replaced: an inherited
    /// `sustained:` whose `replaces` is one of them no longer describes this pipeline.
    edited: Vec<String>,
}

impl Merger<'_, '_> {
    fn loc(&self, src: usize, path: &[Seg]) -> Loc {
        self.locators[src].locate(path)
    }

    fn err(&mut self, src: usize, path: &[Seg], message: impl Into<String>) {
        let loc = self.loc(src, path);
        self.errors.push(ManifestError::at(
            &self.layers.sources[src].path,
            loc,
            message,
        ));
    }

    /// The stage an entry of `stages:` stands for: written out, or a definition used.
    fn stage(&mut self, src: usize, i: usize, item: &RawStageItem) -> Option<ResolvedStage> {
        let at = |k: &'static str| [Seg::Key("stages"), Seg::Index(i), Seg::Key(k)];
        let inline = item.category.is_some()
            || item.exec.is_some()
            || item.run.is_some()
            || item.host.is_some()
            || item.timeout.is_some()
            || item.until.is_some()
            || !item.capture.is_empty();
        let Some(name) = &item.uses else {
            if !item.with.is_empty() {
                self.err(
                    src,
                    &at("with"),
                    "`with:` gives parameters to a shared definition; add `use: NAME` or remove `with:`",
                );
            }
            let mut missing = Vec::new();
            if item.name.is_none() {
                missing.push("name");
            }
            if item.category.is_none() {
                missing.push("category");
            }
            if item.timeout.is_none() {
                missing.push("timeout");
            }
            if !missing.is_empty() {
                self.err(
                    src,
                    &[Seg::Key("stages"), Seg::Index(i)],
                    format!(
                        "this stage lacks {}; write them, or `use:` a definition of {DEFINITIONS_DIR}/ (see docs/manifest.md)",
                        missing
                            .iter()
                            .map(|m| format!("`{m}:`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return None;
            }
            return Some(ResolvedStage {
                raw: RawStage {
                    name: item.name.clone().unwrap_or_default(),
                    category: item.category.clone().unwrap_or_default(),
                    exec: item.exec.clone(),
                    run: item.run.clone(),
                    host: item.host.clone(),
                    timeout: item.timeout.clone().unwrap_or_default(),
                    until: item.until.clone(),
                    capture: item.capture.clone(),
                },
                at: At {
                    src,
                    base: vec![Seg::Key("stages"), Seg::Index(i)],
                },
                uses: None,
                checks: Vec::new(),
            });
        };
        if inline {
            self.err(
                src,
                &at("use"),
                format!(
                    "a stage that uses `{name}` takes only `name:` (to rename it), `with:` and a place \
                     (`after:`, `before:`, `replace:`); change the definition's behaviour through its parameters"
                ),
            );
        }
        let (def_src, def) = self.layers.definitions.get(name)?;
        let def_path = self.layers.sources[*def_src].path.display().to_string();
        let declared = || {
            if def.params.is_empty() {
                "none".to_string()
            } else {
                def.params.keys().cloned().collect::<Vec<_>>().join(", ")
            }
        };
        let mut values = BTreeMap::new();
        for (key, value) in &item.with {
            if def.params.contains_key(key) {
                values.insert(key.clone(), value.as_text());
            } else {
                let message = format!(
                    "stage definition `{name}` ({def_path}) has no parameter `{key}`; its parameters: {}",
                    declared()
                );
                self.err(
                    src,
                    &[
                        Seg::Key("stages"),
                        Seg::Index(i),
                        Seg::Key("with"),
                        Seg::Key(key),
                    ],
                    message,
                );
            }
        }
        for (key, param) in &def.params {
            if values.contains_key(key) {
                continue;
            }
            match &param.default {
                Some(default) => {
                    values.insert(key.clone(), default.as_text());
                }
                None => {
                    let what = param
                        .description
                        .as_ref()
                        .map(|d| format!(" ({})", d.trim()))
                        .unwrap_or_default();
                    self.err(
                        src,
                        &at("use"),
                        format!(
                            "stage definition `{name}` needs the parameter `{key}`{what}; add `with: {{{key}: …}}`"
                        ),
                    )
                }
            }
        }
        let mut raw = def.stage.clone();
        let mut unknown = substitute(&mut raw, &values);
        let def_src = *def_src;
        let mut checks = Vec::new();
        for (j, check) in def.expect.iter().enumerate() {
            let mut check = check.clone();
            unknown.extend(substitute_check(&mut check, &values));
            let at = At {
                src: def_src,
                base: vec![Seg::Key("expect"), Seg::Index(j)],
            };
            checks.push((check, at));
        }
        for param in unknown {
            let message = format!(
                "`${{{{{param}}}}}` is not a parameter of this definition; declare it under `params:` (declared: {})",
                declared()
            );
            self.err(def_src, &[Seg::Key("stage")], message);
        }
        if let Some(rename) = &item.name {
            raw.name = rename.clone();
        }
        Some(ResolvedStage {
            raw,
            at: At {
                src: def_src,
                base: vec![Seg::Key("stage")],
            },
            uses: Some(name.clone()),
            checks,
        })
    }

    /// Apply one manifest's `stages:` to the stages of the layers below it.
    fn stages(&mut self, src: usize, raw: &RawManifest, stages: &mut Vec<ResolvedStage>) {
        for (i, item) in raw.stages.iter().enumerate() {
            let places: Vec<(&'static str, &String)> = [
                ("after", item.after.as_ref()),
                ("before", item.before.as_ref()),
                ("replace", item.replace.as_ref()),
                ("remove", item.remove.as_ref()),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
            let here = |k: &'static str| [Seg::Key("stages"), Seg::Index(i), Seg::Key(k)];
            if places.len() > 1 {
                self.err(
                    src,
                    &here(places[1].0),
                    "a stage takes one place: `after:`, `before:`, `replace:` or `remove:`",
                );
                continue;
            }
            if let (None, Some((key, _))) = (&raw.extends, places.first()) {
                self.err(
                    src,
                    &here(key),
                    format!(
                        "`{key}:` places a stage among the stages of the manifest this one extends, \
                         and this one extends none; list the stages in order, or add `extends:`"
                    ),
                );
                continue;
            }
            let position = |this: &mut Self,
                            key: &'static str,
                            target: &str,
                            stages: &[ResolvedStage]| {
                let found = stages.iter().position(|s| s.raw.name == target);
                if found.is_none() {
                    let names: Vec<&str> = stages.iter().map(|s| s.raw.name.as_str()).collect();
                    this.err(
                        src,
                        &here(key),
                        format!(
                            "`{key}: {target}`: the stages this manifest extends have no stage `{target}`; they are: {}",
                            names.join(", ")
                        ),
                    );
                }
                found
            };
            if let Some(target) = &item.remove {
                if item.uses.is_some() || item.name.is_some() || item.category.is_some() {
                    self.err(
                        src,
                        &here("remove"),
                        "a `remove:` entry takes nothing else; write the new stage as its own entry",
                    );
                }
                if let Some(at) = position(self, "remove", target, stages) {
                    let removed = stages.remove(at);
                    self.edited.push(removed.raw.name.clone());
                    self.dropped
                        .extend(removed.checks.into_iter().map(|(c, _)| c.name));
                }
                continue;
            }
            let Some(stage) = self.stage(src, i, item) else {
                continue;
            };
            self.brought.extend(stage.checks.iter().cloned());
            match places.first() {
                None => stages.push(stage),
                Some((key, target)) => {
                    if let Some(at) = position(self, key, target, stages) {
                        match *key {
                            "after" => stages.insert(at + 1, stage),
                            "before" => stages.insert(at, stage),
                            _ => {
                                let replaced = std::mem::replace(&mut stages[at], stage);
                                self.edited.push(replaced.raw.name.clone());
                                self.dropped
                                    .extend(replaced.checks.into_iter().map(|(c, _)| c.name));
                            }
                        }
                    }
                }
            }
        }
    }

    fn merge(mut self) -> (Resolved, Vec<ManifestError>) {
        let layers = self.layers;
        let mut out = Resolved::default();
        let (top_src, top) = &layers.manifests[0];
        let top_folder = layers.sources[*top_src]
            .path
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        out.id = top.id.clone();
        out.extends = layers.manifests[1..]
            .iter()
            .map(|(src, _)| layers.sources[*src].path.clone())
            .collect();
        let mut stages = Vec::new();
        for (src, raw) in layers.manifests.iter().rev() {
            let src = *src;
            let folder = layers.sources[src]
                .path
                .parent()
                .unwrap_or(Path::new("."))
                .to_path_buf();
            for (field, value) in [
                (&mut out.name, &raw.name),
                (&mut out.tier, &raw.tier),
                (&mut out.description, &raw.description),
            ] {
                if value.is_some() {
                    field.clone_from(value);
                }
            }
            for (part, value) in raw.stack.fields() {
                if let Some(value) = value {
                    out.stack.insert(part, value.clone());
                }
            }
            for (i, file) in raw.compose.files.iter().enumerate() {
                let text = if lexical(&folder) == lexical(&top_folder) {
                    file.clone()
                } else {
                    rebase(&folder, &top_folder, file)
                };
                let loc = self.loc(
                    src,
                    &[Seg::Key("compose"), Seg::Key("files"), Seg::Index(i)],
                );
                out.compose_files.push((text, loc));
            }
            for (i, profile) in raw.compose.profiles.iter().enumerate() {
                if !out.profiles.iter().any(|(p, _)| p == profile) {
                    let loc = self.loc(
                        src,
                        &[Seg::Key("compose"), Seg::Key("profiles"), Seg::Index(i)],
                    );
                    out.profiles.push((profile.clone(), loc));
                }
            }
            for (key, value) in &raw.compose.environment {
                let loc = self.loc(
                    src,
                    &[Seg::Key("compose"), Seg::Key("environment"), Seg::Key(key)],
                );
                out.compose_env.insert(key.clone(), (value.clone(), loc));
            }
            for (key, value) in &raw.variables {
                let loc = self.loc(src, &[Seg::Key("variables"), Seg::Key(key)]);
                out.variables.insert(key.clone(), (value.clone(), loc));
            }
            if let Some(timeout) = &raw.startup.timeout {
                let loc = self.loc(src, &[Seg::Key("startup"), Seg::Key("timeout")]);
                out.startup_timeout = Some((timeout.clone(), loc));
            }
            if let Some(sustained) = &raw.sustained {
                let at = At {
                    src,
                    base: vec![Seg::Key("sustained")],
                };
                out.sustained = Some((sustained.clone(), at));
            }
            self.stages(src, raw, &mut stages);
            // A sustained load runs the base's continuous processor in place of the stage it
            // `replaces`; a layer that replaced or removed that stage (an orchestrator running
            // P01's Flink job as a task of its own) does other work there, so the base's
            // section is not inherited: the pipeline refuses `--rate` until it writes its own.
            let edited = std::mem::take(&mut self.edited);
            if raw.sustained.is_none()
                && out
                    .sustained
                    .as_ref()
                    .is_some_and(|(s, _)| edited.contains(&s.replaces))
            {
                out.sustained = None;
            }
            let dropped = std::mem::take(&mut self.dropped);
            out.expect.retain(|(c, _)| !dropped.contains(&c.name));
            let own = raw.expect.iter().enumerate().map(|(i, check)| {
                let at = At {
                    src,
                    base: vec![Seg::Key("expect"), Seg::Index(i)],
                };
                (check.clone(), at)
            });
            // The layer's own checks first, then those its definitions bring unless the layer
            // names one of them itself (its own wins).
            let own: Vec<(RawCheck, At)> = own.collect();
            let brought: Vec<(RawCheck, At)> = std::mem::take(&mut self.brought)
                .into_iter()
                .filter(|(c, _)| !own.iter().any(|(o, _)| o.name == c.name))
                .collect();
            let checks = own.into_iter().chain(brought);
            for (check, at) in checks {
                match out.expect.iter_mut().find(|(c, _)| c.name == check.name) {
                    Some(slot) => *slot = (check, at),
                    None => out.expect.push((check, at)),
                }
            }
        }
        out.stages = stages;

        let top_src = *top_src;
        let mut missing = Vec::new();
        if out.name.is_none() {
            missing.push("`name`".to_string());
        }
        if out.tier.is_none() {
            missing.push("`tier`".to_string());
        }
        for (part, _) in top.stack.fields() {
            if !out.stack.contains_key(part) {
                missing.push(format!("`stack.{part}`"));
            }
        }
        if !missing.is_empty() {
            let whence = if out.extends.is_empty() {
                String::new()
            } else {
                " (in this manifest or one it extends)".to_string()
            };
            self.err(
                top_src,
                &[],
                format!(
                    "missing {}{whence}; add them (`none` for a stack part the pipeline lacks; see docs/manifest.md)",
                    missing.join(", ")
                ),
            );
        }
        (out, self.errors)
    }
}

/// Merge the layers, base first, into the manifest the planner checks.
pub fn merge(layers: &Layers, locators: &[Locator]) -> (Resolved, Vec<ManifestError>) {
    Merger {
        layers,
        locators,
        errors: Vec::new(),
        brought: Vec::new(),
        dropped: Vec::new(),
        edited: Vec::new(),
    }
    .merge()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_file_is_rewritten_relative_to_the_extending_folder() {
        let base = Path::new("/r/pipelines/01-kafka");
        let child = Path::new("/r/pipelines/04-redpanda");
        assert_eq!(
            rebase(base, child, "compose.yaml"),
            "../01-kafka/compose.yaml"
        );
        assert_eq!(
            rebase(base, child, "../../shared/compose/broker-${broker}.yaml"),
            "../../shared/compose/broker-${broker}.yaml"
        );
        let fixture = Path::new("/r/tests/fixtures/pipelines/89-plus");
        assert_eq!(
            rebase(base, fixture, "compose.yaml"),
            "../../../../pipelines/01-kafka/compose.yaml"
        );
    }

    #[test]
    fn a_path_is_cleaned_as_text() {
        assert_eq!(
            clean(Path::new(
                "tests/f/89-x/../../../pipelines/01-k/pipeline.yaml"
            )),
            Path::new("pipelines/01-k/pipeline.yaml")
        );
        assert_eq!(clean(Path::new("../a/./b/../c")), Path::new("../a/c"));
    }

    #[test]
    fn parameters_are_substituted_and_unknown_ones_reported() {
        let mut stage: RawStage = serde_yaml_ng::from_str(
            "name: generate\ncategory: ingestion\ntimeout: '${{ timeout }}'\n\
             run: {service: generator, command: [generate, --sink, '${{sink}}', '${{nope}}', '${events}']}\n",
        )
        .unwrap();
        let values = BTreeMap::from([
            ("timeout".to_string(), "5m".to_string()),
            ("sink".to_string(), "parquet:/data/t.parquet".to_string()),
        ]);
        let unknown = substitute(&mut stage, &values);
        assert_eq!(stage.timeout, "5m");
        let Some(super::super::raw::RawCommand::Argv(args)) =
            stage.run.as_ref().and_then(|r| r.command.clone())
        else {
            panic!("an argv command");
        };
        assert_eq!(
            args,
            [
                "generate",
                "--sink",
                "parquet:/data/t.parquet",
                "${{nope}}",
                "${events}"
            ]
        );
        assert_eq!(unknown, BTreeSet::from(["nope".to_string()]));
    }
}
