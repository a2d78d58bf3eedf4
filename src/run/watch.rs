//! Every container that ran in a project, one-offs included.
//!
//! `compose run --rm` containers are gone by the time a stage ends, so listing containers at
//! the end would miss them. Docker's event stream announces each container as it is created;
//! the watcher records its service, image and image id then, and the run record names every
//! container that ran.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use bollard::query_parameters::{EventsOptions, InspectContainerOptions};
use futures_util::StreamExt;
use tokio::task::JoinHandle;

use super::record::ContainerRecord;
use crate::engine::docker::{Engine, ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL};

type Seen = Arc<Mutex<BTreeMap<String, ContainerRecord>>>;

pub struct ContainerWatch {
    seen: Seen,
    task: JoinHandle<()>,
    engine: Engine,
    project: String,
}

impl ContainerWatch {
    /// Start watching before `up`, so no container is created unseen.
    pub fn start(engine: &Engine, project: &str) -> ContainerWatch {
        let seen: Seen = Arc::default();
        let filters = HashMap::from([
            ("type".to_string(), vec!["container".to_string()]),
            ("event".to_string(), vec!["create".to_string()]),
            (
                "label".to_string(),
                vec![format!("{PROJECT_LABEL}={project}")],
            ),
        ]);
        let mut stream = engine.client().events(Some(EventsOptions {
            filters: Some(filters),
            ..Default::default()
        }));
        let (watch_engine, watch_seen) = (engine.clone(), seen.clone());
        let task = tokio::spawn(async move {
            while let Some(Ok(event)) = stream.next().await {
                let Some(actor) = event.actor else { continue };
                let (Some(id), Some(attrs)) = (actor.id, actor.attributes) else {
                    continue;
                };
                let record = describe(&watch_engine, &id, &attrs).await;
                watch_seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id, record);
            }
        });
        ContainerWatch {
            seen,
            task,
            engine: engine.clone(),
            project: project.to_string(),
        }
    }

    /// What was recorded of a container when it was created, if it was seen.
    pub fn record(&self, id: &str) -> Option<ContainerRecord> {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Stop watching and return every container seen, plus any still listed (in case an
    /// event was missed), in service order.
    pub async fn finish(self) -> Vec<ContainerRecord> {
        self.task.abort();
        let mut seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()));
        if let Ok(listed) = self.engine.project_containers(&self.project).await {
            for c in listed {
                seen.entry(c.id.clone()).or_insert(ContainerRecord {
                    service: c.service,
                    name: c.name,
                    image: c.image,
                    image_id: c.image_id,
                    one_off: c.one_off,
                    id: c.id,
                    mem_limit_bytes: None,
                    oom_killed: false,
                });
            }
        }
        let mut out: Vec<ContainerRecord> = seen.into_values().collect();
        out.sort_by(|a, b| (a.one_off, &a.service, &a.name).cmp(&(b.one_off, &b.service, &b.name)));
        out
    }
}

async fn describe(engine: &Engine, id: &str, attrs: &HashMap<String, String>) -> ContainerRecord {
    let image = attrs.get("image").cloned().unwrap_or_default();
    let inspected = engine
        .client()
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .ok();
    let image_id = match inspected.as_ref().and_then(|i| i.image.clone()) {
        Some(image_id) => image_id,
        None => engine
            .client()
            .inspect_image(&image)
            .await
            .ok()
            .and_then(|i| i.id)
            .unwrap_or_default(),
    };
    ContainerRecord {
        service: attrs.get(SERVICE_LABEL).cloned().unwrap_or_default(),
        name: attrs.get("name").cloned().unwrap_or_default(),
        id: id.to_string(),
        image,
        image_id,
        one_off: attrs.get(ONEOFF_LABEL).is_some_and(|v| v == "True"),
        mem_limit_bytes: inspected
            .and_then(|i| i.host_config)
            .and_then(|h| h.memory)
            .and_then(|m| u64::try_from(m).ok())
            .filter(|m| *m > 0),
        oom_killed: false,
    }
}
