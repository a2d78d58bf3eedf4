//! Every container that ran in a project, one-offs included.
//!
//! `compose run --rm` containers are gone by the time a stage ends, so listing containers at
//! the end would miss them. Docker's event stream announces each container as it is created;
//! the watcher records its service, image, image id and memory limit then, and the run
//! record names every container that ran. The same subscription carries the engine's `oom`
//! events, so a container the kernel killed for exceeding its limit is known even when it
//! is gone (the engine's own event history is a short ring buffer, shared with every other
//! project on the machine: asking it later can miss the kill).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use crate::engine::docker::{ContainerEvent, Engine, ProjectEvents};
use crate::results::record::ContainerRecord;

type Seen = Arc<Mutex<BTreeMap<String, ContainerRecord>>>;
/// Container ids the OOM killer hit, with the engine's time of the event.
type Killed = Arc<Mutex<Vec<(DateTime<Utc>, String)>>>;

pub struct ContainerWatch {
    seen: Seen,
    killed: Killed,
    task: JoinHandle<()>,
    engine: Engine,
    project: String,
}

impl ContainerWatch {
    /// Start watching before `up`, so no container is created unseen: `events` is the
    /// project's one subscription, which the sampler reads too.
    pub fn start(engine: &Engine, events: &ProjectEvents) -> ContainerWatch {
        let seen: Seen = Arc::default();
        let killed: Killed = Arc::default();
        let project = events.project().to_string();
        let mut events = events.reader();
        let (watch_engine, watch_seen, watch_killed) =
            (engine.clone(), seen.clone(), killed.clone());
        let task = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                match event.action.as_str() {
                    "oom" => {
                        let at = match event.time_ns {
                            0 => Utc::now(),
                            ns => DateTime::from_timestamp_nanos(ns),
                        };
                        watch_killed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((at, event.id));
                    }
                    "create" => {
                        let record = describe(&watch_engine, &event).await;
                        watch_seen
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(event.id, record);
                    }
                    _ => {}
                }
            }
        });
        ContainerWatch {
            seen,
            killed,
            task,
            engine: engine.clone(),
            project,
        }
    }

    /// The containers the OOM killer hit since `since` (engine time), as recorded when they
    /// were created: service, name and memory limit.
    pub fn oom_kills(&self, since: DateTime<Utc>) -> Vec<ContainerRecord> {
        let ids: Vec<String> = self
            .killed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(at, _)| *at >= since)
            .map(|(_, id)| id.clone())
            .collect();
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<ContainerRecord> = Vec::new();
        for id in ids {
            if let Some(record) = seen.get(&id)
                && !out.iter().any(|r| r.id == id)
            {
                out.push(record.clone());
            }
        }
        out
    }

    /// Records a kill known from the engine's State.OOMKilled rather than its `oom` event,
    /// so the run's container list says so too.
    pub fn note_oom_kill(&self, id: &str) {
        let mut killed = self.killed.lock().unwrap_or_else(|e| e.into_inner());
        if !killed.iter().any(|(_, known)| known == id) {
            killed.push((Utc::now(), id.to_string()));
        }
    }

    /// Stop watching and return every container seen, plus any still listed (in case an
    /// event was missed), in service order.
    pub async fn finish(self) -> Vec<ContainerRecord> {
        self.task.abort();
        let mut seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()));
        for (_, id) in self.killed.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            if let Some(record) = seen.get_mut(id) {
                record.oom_killed = true;
            }
        }
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

async fn describe(engine: &Engine, event: &ContainerEvent) -> ContainerRecord {
    let image = event.attributes.get("image").cloned().unwrap_or_default();
    let details = engine.container_details(&event.id).await;
    let image_id = match details.as_ref().and_then(|d| d.image_id.clone()) {
        Some(image_id) => image_id,
        None => engine.image_id(&image).await.unwrap_or_default(),
    };
    ContainerRecord {
        service: event.service().to_string(),
        name: event.name().unwrap_or_default().to_string(),
        id: event.id.clone(),
        image,
        image_id,
        one_off: event.one_off(),
        mem_limit_bytes: details.and_then(|d| d.mem_limit_bytes),
        oom_killed: false,
    }
}
