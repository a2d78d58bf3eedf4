//! Recovery after a crash: remove what runs of rtde left behind when rtde itself was killed.
//!
//! Nothing can tear down at the moment of a SIGKILL or a power loss, so every `rtde bench`
//! sweeps first, and `rtde clean` does it on demand. A project is removed only when its
//! owner process is provably gone; live runs, runs of other hosts or other rtde instances
//! (`RTDE_INSTANCE`) and stacks kept up on purpose are never touched.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;

use super::owner::{Owner, instance};
use crate::engine::docker::{Engine, Leftovers, PROJECT_LABEL, labels};

/// What one sweep removed, by project.
pub type Swept = Vec<(String, Leftovers)>;

pub async fn sweep(engine: &Engine) -> Result<Swept> {
    let mut projects: BTreeMap<String, HashMap<String, String>> = BTreeMap::new();
    for c in engine.containers(&[(labels::RUN_ID, "")]).await? {
        if let Some(p) = c.labels.get(PROJECT_LABEL) {
            projects.entry(p.clone()).or_insert(c.labels);
        }
    }
    for l in engine.labelled_networks_and_volumes().await? {
        if let Some(p) = l.get(PROJECT_LABEL) {
            projects.entry(p.clone()).or_insert(l);
        }
    }
    let mine = instance();
    let mut swept = Vec::new();
    for (project, labels) in projects {
        if labels.get(labels::KEEP).is_some_and(|k| k == "true")
            || labels.get(labels::INSTANCE) != Some(&mine)
        {
            continue;
        }
        let Some(owner) = Owner::from_labels(&labels) else {
            continue;
        };
        if owner.is_alive() {
            continue;
        }
        let removed = engine.remove_project(&project).await?;
        swept.push((project, removed));
    }
    Ok(swept)
}
