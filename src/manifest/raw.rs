//! The manifest as written: serde types for `pipeline.yaml`, nothing more.
//!
//! Every struct denies unknown fields, so a typo (`timout:`) is an error with its location
//! instead of a silently ignored key. Values stay close to the YAML (strings for durations
//! and interpolated numbers); `plan.rs` turns them into checked, typed values.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    pub id: String,
    pub name: String,
    pub tier: String,
    #[serde(default)]
    pub description: Option<String>,
    pub stack: RawStack,
    pub compose: RawCompose,
    #[serde(default)]
    pub variables: BTreeMap<String, Scalar>,
    #[serde(default)]
    pub startup: RawStartup,
    pub stages: Vec<RawStage>,
    #[serde(default)]
    pub expect: Vec<RawCheck>,
}

/// The components reports group by; `none` where a stack has no such part.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStack {
    pub ingestion: String,
    pub processor: String,
    pub storage: String,
    pub transform: String,
    pub orchestrator: String,
    pub serving: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompose {
    pub files: Vec<String>,
    /// Profiles enabled on `up` (every profile is enabled on `down`).
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Environment for the compose process (interpolated into the compose files).
    #[serde(default)]
    pub environment: BTreeMap<String, Scalar>,
}

#[derive(Debug, Default, Deserialize)]
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

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServiceCommand {
    pub service: String,
    /// For `run`, optional: the service's own command runs when it is absent.
    #[serde(default)]
    pub command: Option<RawCommand>,
    #[serde(default)]
    pub environment: BTreeMap<String, Scalar>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHostCommand {
    pub command: RawCommand,
    #[serde(default)]
    pub environment: BTreeMap<String, Scalar>,
}

#[derive(Debug, Deserialize)]
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
    pub timeout: String,
    /// First polling interval; it grows by half each poll up to `max_interval`.
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub max_interval: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttpProbe {
    pub url: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub contains: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogProbe {
    pub service: String,
    pub regex: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHealthyProbe {
    pub service: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapture {
    pub metric: String,
    /// Applied to the stage's output; the first group of the last match is the value.
    pub regex: String,
}

#[derive(Debug, Deserialize)]
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
