//! Teardown on every path: success, failure, timeout, panic and signals.
//!
//! Layers, as testcontainers-rs does it: the runner tears down explicitly; a [`StackGuard`]
//! that is dropped without having torn down (an early return, a panic unwinding) runs
//! `compose down` synchronously from `Drop`; the first SIGINT/SIGTERM cancels the run so the
//! runner tears down cleanly, and a second one force-removes every active project through
//! the API and exits as soon as every run in flight has written its record (within
//! [`RECORD_DEADLINE`]).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

use crate::engine::compose::Project;
use crate::engine::docker::{Backoff, Engine};
use crate::exit;
use crate::output::{Event, Reporter};

/// The projects this process has up right now (for the forced path of a second signal).
#[derive(Clone, Default)]
pub struct ActiveProjects(Arc<Mutex<BTreeSet<String>>>);

impl ActiveProjects {
    fn insert(&self, name: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string());
    }

    fn remove(&self, name: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    fn snapshot(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

/// Set by a second signal. Its forced removal races the clean teardown already running
/// (whose `down` then fails, its containers gone), so whichever finishes first, the process
/// must end as interrupted: `main` and the runner ask this.
static FORCED: AtomicBool = AtomicBool::new(false);

/// Whether a second signal forced the stacks down.
pub fn forced() -> bool {
    FORCED.load(Ordering::SeqCst)
}

/// Runs that have started and not yet written their run.json.
static RECORDS_PENDING: AtomicUsize = AtomicUsize::new(0);

/// How long the forced path waits for the runs in flight to write their records. With the
/// stack removed under it, the clean path's `down` fails at once and the record follows in
/// milliseconds; the deadline only matters if the clean path is stuck elsewhere.
pub const RECORD_DEADLINE: Duration = Duration::from_secs(10);

/// Held by a run from its start until its run.json is written (or it gave up): a forced
/// exit waits for it, so even a double Ctrl-C leaves a record saying "interrupted".
pub struct PendingRecord(());

impl PendingRecord {
    pub fn new() -> PendingRecord {
        RECORDS_PENDING.fetch_add(1, Ordering::SeqCst);
        PendingRecord(())
    }
}

impl Default for PendingRecord {
    fn default() -> PendingRecord {
        PendingRecord::new()
    }
}

impl Drop for PendingRecord {
    fn drop(&mut self) {
        RECORDS_PENDING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wait, within [`RECORD_DEADLINE`], until no run has a record still to write.
async fn records_written() {
    let mut backoff = Backoff::new(
        Duration::from_millis(10),
        Duration::from_millis(200),
        tokio::time::Instant::now() + RECORD_DEADLINE,
    );
    while RECORDS_PENDING.load(Ordering::SeqCst) > 0 && backoff.pause().await {}
}

/// Install the SIGINT/SIGTERM handler; the token is cancelled on the first signal.
/// What it does is said through `reporter`, as every other line of a run is.
pub fn install_signal_handler(
    engine: Engine,
    active: ActiveProjects,
    reporter: Arc<dyn Reporter>,
) -> Result<CancellationToken> {
    let token = CancellationToken::new();
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let first = token.clone();
    tokio::spawn(async move {
        tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
        reporter.event(Event::Warning(
            "interrupted; tearing the stack down (press Ctrl-C again to force)".into(),
        ));
        first.cancel();
        tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
        FORCED.store(true, Ordering::SeqCst);
        reporter.event(Event::Warning(
            "forced: removing containers, networks and volumes now".into(),
        ));
        for project in active.snapshot() {
            if let Err(e) = engine.remove_project(&project).await {
                reporter.event(Event::Warning(format!(
                    "could not remove {project}: {e:#}; run `rtde clean`"
                )));
            }
        }
        records_written().await;
        std::process::exit(exit::INTERRUPTED);
    });
    Ok(token)
}

/// A stack that is up; it will come down.
pub struct StackGuard {
    project: Project,
    all_profiles: Vec<String>,
    active: ActiveProjects,
    /// Where a failed teardown from `Drop` is reported.
    reporter: Arc<dyn Reporter>,
    done: bool,
}

impl StackGuard {
    /// Register before `up`, so even a failing `up` that created half the stack is torn down.
    pub fn new(
        project: Project,
        all_profiles: Vec<String>,
        active: &ActiveProjects,
        reporter: Arc<dyn Reporter>,
    ) -> StackGuard {
        active.insert(&project.name);
        StackGuard {
            project,
            all_profiles,
            active: active.clone(),
            reporter,
            done: false,
        }
    }

    /// `down` with every profile, then check through the API that nothing with the
    /// project's label is left; a leak is an error.
    pub async fn teardown(mut self, engine: &Engine) -> Result<Duration> {
        let started = Instant::now();
        self.done = true;
        // The project stays registered until it is gone, so a second signal during this
        // (possibly slow) teardown still force-removes it.
        let down = self.project.down(&self.all_profiles).await;
        let left = engine.leftovers(&self.project.name).await;
        self.active.remove(&self.project.name);
        let left = left?;
        if !left.is_empty() {
            let removed = engine.remove_project(&self.project.name).await?;
            bail!(
                "teardown left resources of {} behind ({}); rtde removed them through the API{}",
                self.project.name,
                removed.describe(),
                down.err()
                    .map(|e| format!(" after `down` failed: {e:#}"))
                    .unwrap_or_default()
            );
        }
        down?;
        Ok(started.elapsed())
    }

    /// Leave the stack up on purpose (`--keep-up`).
    pub fn keep(mut self) {
        self.done = true;
        self.active.remove(&self.project.name);
    }
}

impl Drop for StackGuard {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.active.remove(&self.project.name);
        if let Err(e) = self.project.down_blocking(&self.all_profiles) {
            self.reporter.event(Event::Warning(format!(
                "teardown of {} failed: {e:#}; run `rtde clean`",
                self.project.name
            )));
        }
    }
}
