//! One module per subcommand: thin glue from parsed arguments to the core.

pub mod bench;
pub mod clean;
pub mod compare;
pub mod generate;
pub mod images;
pub mod list;
pub mod probe;
pub mod report;
pub mod stack;
pub mod topics;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};

use crate::engine::compose::ComposeTool;
use crate::engine::docker::Engine;
use crate::error::Error;
use crate::manifest::{self, Pipeline};
use crate::output::Reporter;
use crate::paths::{COMPARISON_DIR, under_root};
use crate::run::guard::{ActiveProjects, install_signal_handler};
use crate::run::owner::Owner;
use crate::run::runner::Harness;
use crate::run::{environment, sweep};

/// Where the project lives and how to talk to the user; shared by every command.
pub struct Context {
    pub root: PathBuf,
    pub pipelines_dir: PathBuf,
    pub reporter: Arc<dyn Reporter>,
}

impl Context {
    pub fn pipelines_dir(&self) -> PathBuf {
        under_root(&self.root, &self.pipelines_dir)
    }

    /// Load the manifests of these ids; every manifest error is reported at once.
    pub fn load(&self, ids: &[String]) -> Result<Vec<Pipeline>> {
        let dir = self.pipelines_dir();
        let mut pipelines = Vec::new();
        let mut errors = Vec::new();
        for id in ids {
            let found = manifest::resolve(&dir, id)?;
            match manifest::load(&found.manifest, &self.root) {
                Ok(p) => pipelines.push(p),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !errors.is_empty() {
            return Err(Error::InvalidInput(errors.join("\n")).into());
        }
        Ok(pipelines)
    }

    /// Every pipeline id on disk.
    pub fn all_ids(&self) -> Result<Vec<String>> {
        Ok(manifest::discover(&self.pipelines_dir())?
            .into_iter()
            .map(|f| format!("p{}", f.number))
            .collect())
    }

    /// Connect to Docker and Compose, capture the environment, install signal handling.
    pub async fn harness(&self) -> Result<Harness> {
        let engine = Engine::connect().await?;
        let compose = ComposeTool::detect().await?;
        let environment = environment::capture(&engine, &compose, &self.root).await;
        let active = ActiveProjects::default();
        let cancel = install_signal_handler(engine.clone(), active.clone(), self.reporter.clone())?;
        Ok(Harness {
            engine,
            compose,
            root: self.root.clone(),
            environment,
            cancel,
            active,
            owner: Owner::current(),
            reporter: self.reporter.clone(),
        })
    }

    /// Remove leftovers of rtde processes that died, and say what went.
    pub async fn sweep(&self, engine: &Engine) -> Result<usize> {
        let swept = sweep::sweep(engine).await?;
        for (project, removed) in &swept {
            self.reporter.event(crate::output::Event::Note(format!(
                "removed leftovers of dead run {project}: {}",
                if removed.is_empty() {
                    "nothing left".into()
                } else {
                    removed.describe()
                }
            )));
        }
        Ok(swept.len())
    }
}

/// `--broker NAME` names a pipeline's broker: refused, with the pipelines concerned, when a
/// named pipeline declares no `broker` variable (it has no broker to replace).
pub fn require_broker(pipelines: &[Pipeline], broker: Option<&str>) -> Result<()> {
    let Some(broker) = broker else {
        return Ok(());
    };
    let without: Vec<&str> = pipelines
        .iter()
        .filter(|p| !p.variables.contains_key("broker"))
        .map(|p| p.id.as_str())
        .collect();
    if without.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "--broker {broker}: {} has no broker to replace (its manifest declares no `broker` \
         variable); --broker applies to Kafka-protocol pipelines",
        without.join(", ")
    ))
    .into())
}

/// `--var name=value` pairs, `--events`, `--seed` and `--broker` as manifest variables.
pub fn overrides(
    vars: &[String],
    events: Option<u64>,
    seed: Option<u64>,
    broker: Option<&str>,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in vars {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            Error::InvalidInput(format!("--var {pair}: write it as --var NAME=VALUE"))
        })?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Error::InvalidInput(format!(
                "--var {pair}: `{name}` is not a variable name (letters, digits and _)"
            ))
            .into());
        }
        out.insert(name.to_string(), value.to_string());
    }
    if let Some(e) = events {
        out.insert("events".into(), e.to_string());
    }
    if let Some(s) = seed {
        out.insert("seed".into(), s.to_string());
    }
    if let Some(b) = broker {
        out.insert("broker".into(), b.to_string());
    }
    Ok(out)
}

/// The results table `compare` and `report` read: FOLDER/results.csv, else --results, else the curated
/// comparison's.
pub(crate) fn results_table(root: &Path, folder: Option<&Path>, results: Option<&Path>) -> PathBuf {
    match (folder, results) {
        (Some(folder), _) => under_root(root, folder).join("results.csv"),
        (None, Some(results)) => under_root(root, results),
        (None, None) => root.join(COMPARISON_DIR).join("results.csv"),
    }
}

/// How a path is shown in output: relative to the root when it is inside it.
pub(crate) fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

pub(crate) fn absolute_root(root: &Path) -> Result<PathBuf> {
    std::path::absolute(root).with_context(|| format!("resolving the root {}", root.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_and_reject_bad_pairs() {
        let o = overrides(&["broker=tansu".into()], Some(100), Some(7), None).unwrap();
        assert_eq!(o["broker"], "tansu");
        assert_eq!(o["events"], "100");
        assert_eq!(o["seed"], "7");
        assert!(overrides(&["novalue".into()], None, None, None).is_err());
        assert!(overrides(&["bad-name=1".into()], None, None, None).is_err());
    }

    #[test]
    fn the_broker_flag_wins_over_a_broker_var() {
        let o = overrides(&["broker=kafka".into()], None, None, Some("tansu")).unwrap();
        assert_eq!(o["broker"], "tansu");
    }
}
