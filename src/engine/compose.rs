//! Docker Compose through its CLI, v2 (`docker compose`) or v1 (`docker-compose`).
//!
//! rtde shells out to Compose for what only Compose knows how to do (merge files, resolve
//! profiles and dependencies, create the stack) and uses the API for everything it observes.
//! Each run is its own project (`rtde-<id>-<run id>`), so runs never collide and teardown
//! removes exactly one run's resources. Only flags both versions share are used; the
//! differences that matter are noted where they are handled.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result};
use tokio::process::Command;

use crate::error::Error;

#[derive(Debug, Clone)]
pub struct ComposeTool {
    program: Vec<String>,
    pub version: String,
}

impl ComposeTool {
    /// Find Compose: `RTDE_COMPOSE` if set (`docker compose` or `docker-compose`), else v2,
    /// else v1.
    pub async fn detect() -> Result<ComposeTool> {
        let candidates: Vec<Vec<String>> = match std::env::var("RTDE_COMPOSE") {
            Ok(v) if !v.trim().is_empty() => vec![v.split_whitespace().map(String::from).collect()],
            _ => vec![
                vec!["docker".into(), "compose".into()],
                vec!["docker-compose".into()],
            ],
        };
        for program in candidates {
            let output = Command::new(&program[0])
                .args(&program[1..])
                .args(["version", "--short"])
                .stdin(Stdio::null())
                .output()
                .await;
            if let Ok(out) = output
                && out.status.success()
            {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
                return Ok(ComposeTool { program, version });
            }
        }
        Err(Error::Environment(
            "Docker Compose is missing: neither `docker compose` nor `docker-compose` runs; \
             install the Compose plugin (https://docs.docker.com/compose/install/) or set RTDE_COMPOSE"
                .into(),
        )
        .into())
    }

    /// The command line that runs Compose (`docker compose` or `docker-compose`).
    pub fn program(&self) -> String {
        self.program.join(" ")
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.program.join(" "), self.version)
    }
}

/// One Compose project: the files, the name and the environment of one run's stack.
#[derive(Debug, Clone)]
pub struct Project {
    pub tool: ComposeTool,
    pub name: String,
    pub directory: PathBuf,
    pub files: Vec<PathBuf>,
    pub env: BTreeMap<String, String>,
}

/// What `compose config` says the stack is, with every profile enabled.
#[derive(Debug, Clone, Default)]
pub struct StackModel {
    pub services: BTreeMap<String, ServiceModel>,
    pub volumes: BTreeSet<String>,
    pub networks: BTreeSet<String>,
    pub profiles: BTreeSet<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceModel {
    pub image: Option<String>,
    pub builds: bool,
    /// The Dockerfile of a service that builds (its context joined with its `dockerfile`).
    pub dockerfile: Option<PathBuf>,
    /// The build's `args`, which may name the Dockerfile's base (`BASE_IMAGE`).
    pub build_args: BTreeMap<String, String>,
    pub profiles: Vec<String>,
}

impl StackModel {
    /// Services that `up` starts with these profiles enabled.
    pub fn services_for(&self, profiles: &[String]) -> Vec<String> {
        self.services
            .iter()
            .filter(|(_, s)| {
                s.profiles.is_empty() || s.profiles.iter().any(|p| profiles.contains(p))
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn parse(yaml: &str, profiles: BTreeSet<String>) -> Result<StackModel> {
        let doc: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(yaml).context("parsing the output of `compose config`")?;
        let keys = |v: Option<&serde_yaml_ng::Value>| -> BTreeSet<String> {
            v.and_then(|v| v.as_mapping())
                .map(|m| {
                    m.keys()
                        .filter_map(|k| k.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut services = BTreeMap::new();
        if let Some(map) = doc.get("services").and_then(|s| s.as_mapping()) {
            for (name, svc) in map {
                let Some(name) = name.as_str() else { continue };
                let build = svc.get("build");
                let text = |v: Option<&serde_yaml_ng::Value>| match v {
                    Some(serde_yaml_ng::Value::String(s)) => Some(s.clone()),
                    Some(serde_yaml_ng::Value::Number(n)) => Some(n.to_string()),
                    Some(serde_yaml_ng::Value::Bool(b)) => Some(b.to_string()),
                    _ => None,
                };
                // `build: DIR` or `build: {context, dockerfile, args}`; both Compose versions
                // print the context as an absolute path.
                let context = text(build).or_else(|| text(build.and_then(|b| b.get("context"))));
                let dockerfile = context.map(|c| {
                    Path::new(&c).join(
                        text(build.and_then(|b| b.get("dockerfile")))
                            .unwrap_or_else(|| "Dockerfile".into()),
                    )
                });
                let build_args = build
                    .and_then(|b| b.get("args"))
                    .and_then(|a| a.as_mapping())
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((text(Some(k))?, text(Some(v))?)))
                            .collect()
                    })
                    .unwrap_or_default();
                services.insert(
                    name.to_string(),
                    ServiceModel {
                        image: svc.get("image").and_then(|i| i.as_str()).map(String::from),
                        builds: build.is_some(),
                        dockerfile,
                        build_args,
                        profiles: svc
                            .get("profiles")
                            .and_then(|p| p.as_sequence())
                            .map(|seq| {
                                seq.iter()
                                    .filter_map(|p| p.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    },
                );
            }
        }
        Ok(StackModel {
            services,
            volumes: keys(doc.get("volumes")),
            networks: keys(doc.get("networks")),
            profiles,
        })
    }
}

/// A Compose command that failed, with its stderr framed so it stands out.
fn command_error(
    what: &str,
    args: &[String],
    status: std::process::ExitStatus,
    stderr: &[u8],
) -> anyhow::Error {
    let stderr = String::from_utf8_lossy(stderr);
    anyhow::anyhow!(
        "{what} failed ({status}): {}\n---- stderr ----\n{}\n----------------",
        args.join(" "),
        stderr.trim_end()
    )
}

impl Project {
    fn base(&self, profiles: &[String]) -> (Command, Vec<String>) {
        let mut args: Vec<String> = self.tool.program[1..].to_vec();
        args.extend(["-p".into(), self.name.clone()]);
        args.extend([
            "--project-directory".into(),
            self.directory.display().to_string(),
        ]);
        for f in &self.files {
            args.extend(["-f".into(), f.display().to_string()]);
        }
        for p in profiles {
            args.extend(["--profile".into(), p.clone()]);
        }
        let mut cmd = Command::new(&self.tool.program[0]);
        cmd.envs(&self.env).stdin(Stdio::null()).kill_on_drop(true);
        (cmd, args)
    }

    /// A command ready to spawn (for callers that stream its output).
    pub fn command(&self, profiles: &[String], sub: &[String]) -> (Command, Vec<String>) {
        let (mut cmd, mut args) = self.base(profiles);
        args.extend(sub.iter().cloned());
        cmd.args(&args);
        (cmd, args)
    }

    async fn output(&self, what: &str, profiles: &[String], sub: &[&str]) -> Result<String> {
        let sub: Vec<String> = sub.iter().map(|s| s.to_string()).collect();
        let (mut cmd, args) = self.command(profiles, &sub);
        let started = std::time::Instant::now();
        let out = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .await
            .with_context(|| format!("starting {}", self.tool.program.join(" ")))?;
        tracing::debug!(
            "{} {} → {} in {:.3}s",
            self.tool.program[0],
            args.join(" "),
            out.status,
            started.elapsed().as_secs_f64()
        );
        if !out.status.success() {
            return Err(command_error(what, &args, out.status, &out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Every profile any service of the stack uses.
    pub async fn profiles(&self) -> Result<BTreeSet<String>> {
        Ok(self
            .output("compose config --profiles", &[], &["config", "--profiles"])
            .await?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    /// The merged stack with every profile enabled (v2 leaves inactive services out of
    /// `config`; v1 lists them all).
    pub async fn model(&self) -> Result<StackModel> {
        let profiles = self.profiles().await?;
        let all: Vec<String> = profiles.iter().cloned().collect();
        let yaml = self.output("compose config", &all, &["config"]).await?;
        StackModel::parse(&yaml, profiles)
    }

    /// Build these services (with every profile enabled, so profiled services can be named).
    pub async fn build(&self, all_profiles: &[String], services: &[String]) -> Result<()> {
        let mut sub = vec!["build"];
        sub.extend(services.iter().map(String::as_str));
        self.output("compose build", all_profiles, &sub)
            .await
            .map(drop)
    }

    pub async fn pull(&self, all_profiles: &[String], services: &[String]) -> Result<()> {
        let mut sub = vec!["pull"];
        sub.extend(services.iter().map(String::as_str));
        self.output("compose pull", all_profiles, &sub)
            .await
            .map(drop)
    }

    /// `up -d` without building (images are prepared before the clock starts) for the
    /// `services` these profiles start. A stack whose every service is a one-off job in a
    /// profile has nothing to start: Compose v2 refuses such an `up` ("no service
    /// selected") where v1 accepted it, so it is not run at all; `compose run` creates the
    /// project's networks and volumes itself.
    pub async fn up(&self, profiles: &[String], services: &[String]) -> Result<()> {
        if services.is_empty() {
            return Ok(());
        }
        self.output("compose up", profiles, &["up", "-d", "--no-build"])
            .await
            .map(drop)
    }

    /// `down -v --remove-orphans` with every profile enabled: Compose leaves services of
    /// inactive profiles running otherwise.
    pub async fn down(&self, all_profiles: &[String]) -> Result<()> {
        self.output(
            "compose down",
            all_profiles,
            &["down", "-v", "--remove-orphans", "-t", "10"],
        )
        .await
        .map(drop)
    }

    /// The same teardown from synchronous code (Drop and panic paths, where no runtime can be
    /// awaited).
    pub fn down_blocking(&self, all_profiles: &[String]) -> Result<()> {
        let (cmd, args) = self.command(
            all_profiles,
            &["down", "-v", "--remove-orphans", "-t", "10"].map(String::from),
        );
        let out = cmd
            .into_std()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .context("starting compose down")?;
        if !out.status.success() {
            return Err(command_error(
                "compose down",
                &args,
                out.status,
                &out.stderr,
            ));
        }
        Ok(())
    }
}

/// Write the override file that puts rtde's labels on every service, named volume and
/// network of the stack, so a crashed run's resources can be found and attributed.
pub fn write_labels_override(
    path: &Path,
    model: &StackModel,
    labels: &BTreeMap<String, String>,
) -> Result<()> {
    let label_map: serde_yaml_ng::Mapping = labels
        .iter()
        .map(|(k, v)| (k.clone().into(), v.clone().into()))
        .collect();
    let with_labels = || {
        let mut m = serde_yaml_ng::Mapping::new();
        m.insert(
            "labels".into(),
            serde_yaml_ng::Value::Mapping(label_map.clone()),
        );
        serde_yaml_ng::Value::Mapping(m)
    };
    let section = |names: &mut dyn Iterator<Item = &String>| -> serde_yaml_ng::Value {
        serde_yaml_ng::Value::Mapping(names.map(|n| (n.clone().into(), with_labels())).collect())
    };
    let mut networks: BTreeSet<String> = model.networks.clone();
    networks.insert("default".into());
    let mut doc = serde_yaml_ng::Mapping::new();
    doc.insert("services".into(), section(&mut model.services.keys()));
    if !model.volumes.is_empty() {
        doc.insert("volumes".into(), section(&mut model.volumes.iter()));
    }
    doc.insert("networks".into(), section(&mut networks.iter()));
    let text = serde_yaml_ng::to_string(&doc).context("serializing the labels override")?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG_V1: &str = "
services:
  db:
    image: postgres:15
    healthcheck:
      test: [CMD, pg_isready]
  tools:
    build: {context: /ctx, dockerfile: docker/tools.Dockerfile, args: {BASE_IMAGE: 'x:2'}}
    profiles: [tools]
  legacy:
    image: x:1
    healthcheck:
      disable: true
version: '3.9'
volumes:
  data: {}
";

    #[test]
    fn config_output_becomes_a_model() {
        let m = StackModel::parse(CONFIG_V1, BTreeSet::from(["tools".to_string()])).unwrap();
        assert_eq!(m.services["db"].image.as_deref(), Some("postgres:15"));
        assert!(m.services["tools"].builds);
        assert_eq!(
            m.services["tools"].dockerfile.as_deref(),
            Some(Path::new("/ctx/docker/tools.Dockerfile"))
        );
        assert_eq!(m.services["tools"].build_args["BASE_IMAGE"], "x:2");
        assert_eq!(m.services["tools"].profiles, ["tools"]);
        assert_eq!(m.volumes, BTreeSet::from(["data".to_string()]));
        assert_eq!(m.services_for(&[]), ["db", "legacy"]);
        assert_eq!(m.services_for(&["tools".into()]), ["db", "legacy", "tools"]);
    }

    #[test]
    fn labels_override_covers_services_volumes_and_the_default_network() {
        let m = StackModel::parse(CONFIG_V1, BTreeSet::new()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.yaml");
        let labels = BTreeMap::from([("rtde.run_id".to_string(), "abc".to_string())]);
        write_labels_override(&path, &m, &labels).unwrap();
        let doc: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for path in [
            ["services", "tools"],
            ["volumes", "data"],
            ["networks", "default"],
        ] {
            let labels = &doc[path[0]][path[1]]["labels"];
            assert_eq!(labels["rtde.run_id"].as_str(), Some("abc"), "{path:?}");
        }
    }
}
