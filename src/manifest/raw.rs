//! The manifest as written: serde types for `pipeline.yaml`, nothing more.
//!
//! Every struct denies unknown fields, so a typo (`timout:`) is an error with its location
//! instead of a silently ignored key. Values stay close to the YAML (strings for durations
//! and interpolated numbers); `plan.rs` turns them into checked, typed values.
//!
//! A manifest may build on another (`extends:`), so most top-level fields are optional here:
//! whether the layers together hold every required one is checked once they are merged.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    /// The manifest this one builds on: a pipeline id or a path relative to this file.
    #[serde(default)]
    pub extends: Option<String>,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub stack: RawStack,
    #[serde(default)]
    pub compose: RawCompose,
    #[serde(default)]
    pub variables: BTreeMap<String, Scalar>,
    #[serde(default)]
    pub startup: RawStartup,
    #[serde(default)]
    pub stages: Vec<RawStageItem>,
    #[serde(default)]
    pub expect: Vec<RawCheck>,
    /// How the processor runs continuously under `rtde bench --rate` (docs/manifest.md).
    #[serde(default)]
    pub sustained: Option<RawSustained>,
}

/// The sustained-load mode: the stage the continuous processor stands in for, how it runs,
/// how it is stopped, and where its Silver is counted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSustained {
    pub replaces: String,
    pub processor: RawStage,
    #[serde(default)]
    pub stop_signal: Option<String>,
    #[serde(default)]
    pub stop: Option<RawStage>,
    pub silver: String,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub probe_service: Option<String>,
    #[serde(default)]
    pub drain_timeout: Option<String>,
    #[serde(default)]
    pub requires: BTreeMap<String, Scalar>,
}

/// The components reports group by; `none` where a stack has no such part. A manifest that
/// extends another names only the parts it changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStack {
    pub ingestion: Option<String>,
    pub processor: Option<String>,
    pub storage: Option<String>,
    pub transform: Option<String>,
    pub orchestrator: Option<String>,
    pub serving: Option<String>,
}

impl RawStack {
    /// The six parts in their documented order, as written.
    pub fn fields(&self) -> [(&'static str, Option<&String>); 6] {
        [
            ("ingestion", self.ingestion.as_ref()),
            ("processor", self.processor.as_ref()),
            ("storage", self.storage.as_ref()),
            ("transform", self.transform.as_ref()),
            ("orchestrator", self.orchestrator.as_ref()),
            ("serving", self.serving.as_ref()),
        ]
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompose {
    /// In a manifest that extends another, appended to the base's files.
    #[serde(default)]
    pub files: Vec<String>,
    /// Profiles enabled on `up` (every profile is enabled on `down`).
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Environment for the compose process (interpolated into the compose files).
    #[serde(default)]
    pub environment: BTreeMap<String, Scalar>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStartup {
    /// Deadline for every service to be healthy (or running, without a healthcheck).
    #[serde(default)]
    pub timeout: Option<String>,
}

/// A YAML scalar that may be written as a number, a boolean or a string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl Scalar {
    pub fn as_text(&self) -> String {
        match self {
            Scalar::Int(v) => v.to_string(),
            Scalar::Float(v) => v.to_string(),
            Scalar::Bool(v) => v.to_string(),
            Scalar::Str(v) => v.clone(),
        }
    }
}

/// A command: a string runs through `sh -c`, a list is the argv itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawCommand {
    Shell(String),
    Argv(Vec<String>),
}

/// One entry of `stages:`: a stage written out, a shared definition used with parameters,
/// and, in a manifest that extends another, where it goes among the base's stages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStageItem {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub replace: Option<String>,
    #[serde(default)]
    pub remove: Option<String>,
    /// A definition under `shared/stages/` (its file name without `.yaml`).
    #[serde(default, rename = "use")]
    pub uses: Option<String>,
    /// The definition's parameters.
    #[serde(default, rename = "with")]
    pub with: BTreeMap<String, Scalar>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub exec: Option<RawServiceCommand>,
    #[serde(default)]
    pub run: Option<RawServiceCommand>,
    #[serde(default)]
    pub host: Option<RawHostCommand>,
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub until: Option<RawProbe>,
    #[serde(default)]
    pub capture: Vec<RawCapture>,
}

/// A reusable stage, `shared/stages/NAME.yaml`: its parameters and the stage, whose strings
/// may hold `${{param}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefinition {
    /// For people reading the file; accepted and not used.
    #[serde(default, rename = "description")]
    pub _description: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub params: BTreeMap<String, RawParam>,
    pub stage: RawStage,
    /// Checks that come with the stage (on metrics it captures); merged by name with the
    /// manifest's own, which may replace them.
    #[serde(default)]
    pub expect: Vec<RawCheck>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParam {
    /// Absent: the parameter must be given in `with:`.
    #[serde(default)]
    pub default: Option<Scalar>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub exec: Option<RawServiceCommand>,
    #[serde(default)]
    pub run: Option<RawServiceCommand>,
    #[serde(default)]
    pub host: Option<RawHostCommand>,
    pub timeout: String,
    #[serde(default)]
    pub until: Option<RawProbe>,
    #[serde(default)]
    pub capture: Vec<RawCapture>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServiceCommand {
    pub service: String,
    /// For `run`, optional: the service's own command runs when it is absent.
    #[serde(default)]
    pub command: Option<RawCommand>,
    #[serde(default)]
    pub environment: BTreeMap<String, Scalar>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHostCommand {
    pub command: RawCommand,
    #[serde(default)]
    pub environment: BTreeMap<String, Scalar>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProbe {
    #[serde(default)]
    pub exec: Option<RawServiceCommand>,
    #[serde(default)]
    pub http: Option<RawHttpProbe>,
    #[serde(default)]
    pub log: Option<RawLogProbe>,
    #[serde(default)]
    pub healthy: Option<RawHealthyProbe>,
    #[serde(default)]
    pub flink_job: Option<RawHealthyProbe>,
    pub timeout: String,
    /// First polling interval; it grows by half each poll up to `max_interval`.
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub max_interval: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttpProbe {
    pub url: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub contains: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogProbe {
    pub service: String,
    pub regex: String,
}

/// A probe that names only a service (`healthy`, `flink_job`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHealthyProbe {
    pub service: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapture {
    pub metric: String,
    /// Applied to the stage's output; the first group of the last match is the value.
    pub regex: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub name: String,
    pub metric: String,
    #[serde(default)]
    pub equals: Option<Scalar>,
    #[serde(default)]
    pub equals_metric: Option<String>,
    #[serde(default)]
    pub range: Option<[Scalar; 2]>,
}
