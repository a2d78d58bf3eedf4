//! What a stage and its probes get from their run: the engine, the project, the variables,
//! the cancel token; and the one engine question both ask (a service's running container).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use tokio_util::sync::CancellationToken;

use crate::engine::compose::Project;
use crate::engine::docker::Engine;

/// Everything a stage needs from its run.
pub struct StageContext<'a> {
    pub engine: &'a Engine,
    pub project: &'a Project,
    pub profiles: &'a [String],
    pub vars: &'a BTreeMap<String, String>,
    pub pipeline_dir: &'a PathBuf,
    pub cancel: &'a CancellationToken,
}

/// The running container of a service (not a one-off).
pub async fn service_container(engine: &Engine, project: &str, service: &str) -> Result<String> {
    let containers = engine.project_containers(project).await?;
    containers
        .iter()
        .find(|c| c.service == service && !c.one_off && c.running)
        .map(|c| c.id.clone())
        .with_context(|| {
            format!("service `{service}` has no running container in project {project}")
        })
}
