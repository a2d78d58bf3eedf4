//! A run's stages under a sustained load (`rtde bench ID --rate R --duration D`).
//!
//! The order, for a pipeline whose manifest declares `sustained:`:
//! 1. the stages before `generate` (topics), as in batch mode;
//! 2. the continuous processor: a `run` processor is a one-off container that stays up
//!    until stopped; an `exec` or `host` processor starts a streaming job and returns;
//! 3. the probe (`rtde probe` in the probe service), counting Silver at a fixed interval;
//!    the load starts once it has reported its first poll;
//! 4. the generate stage, paced (`--rate R`, R·D events);
//! 5. the drain: until the probe sees the oracle's Silver count, within `drain_timeout`;
//! 6. the processor stopped (its signal or its stop stage), the probe stopped;
//! 7. the remaining stages but the one the processor replaces (Silver count, dead
//!    letters, dbt): the same correctness checks as a batch run, on exactly the events sent.
//!
//! Freshness is computed from the polls, the generator's pacing line and the oracle's
//! row-to-event map (`freshness::latency`), and goes into `run.json` (`freshness`) and its
//! metrics. This is a phase of the runner (an `impl Harness`), not of the freshness model:
//! it drives the runner's stages, so it lives beside them in `run/`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::watch;

use super::StageContext;
use super::log::StageLog;
use super::runner::{Harness, StageRun};
use super::stage;
use crate::engine::docker::Backoff;
use crate::error::Error;
use crate::freshness::latency::{self, Freshness, Load};
use crate::freshness::pacing::{self, LoadSpec, MAX_BEHIND, Pacing};
use crate::freshness::probe::{self, Poll};
use crate::freshness::record::FreshnessRecord;
use crate::manifest::{Action, Command, Pipeline, Stage, Stop, Sustained, Template};
use crate::output::Event;
use crate::results::record::{CheckRecord, RunStatus, StageRecord, StageStatus};

/// How long the probe may take to report its first poll (a one-off container starting).
const PROBE_READY: Duration = Duration::from_secs(60);
/// How long a signalled processor may take to exit before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(60);

/// The stages' outcome, as the runner's stage loop would have left it.
pub struct Outcome {
    pub stages: Vec<StageRecord>,
    pub metrics: BTreeMap<String, f64>,
    pub status: RunStatus,
    pub error: Option<String>,
    pub freshness: Option<FreshnessRecord>,
    /// Checks of this mode (the load was applied, Silver drained), beside the manifest's.
    pub checks: Vec<CheckRecord>,
}

/// The index of the stage that generates the events: the one made from the `generate`
/// definition, or named `generate`.
pub fn generate_stage(pipeline: &Pipeline) -> Option<usize> {
    pipeline
        .stages
        .iter()
        .position(|s| s.uses.as_deref() == Some("generate"))
        .or_else(|| pipeline.stages.iter().position(|s| s.name == "generate"))
}

/// Whether `pipeline` can run under a sustained load with the command line's variables
/// `overrides`; the reason when it cannot.
pub fn check_pipeline<'p>(
    pipeline: &'p Pipeline,
    overrides: &BTreeMap<String, String>,
) -> Result<&'p Sustained> {
    let Some(sustained) = &pipeline.sustained else {
        bail!(Error::InvalidInput(format!(
            "{} declares no `sustained:` section, so it cannot run under --rate; see docs/manifest.md (\"Sustained load\")",
            pipeline.id
        )));
    };
    let Some(i) = generate_stage(pipeline) else {
        bail!(Error::InvalidInput(format!(
            "{} has no generate stage (`use: generate` or a stage named generate) for --rate to pace",
            pipeline.id
        )));
    };
    let generate = &pipeline.stages[i];
    if !matches!(&generate.action, Action::Run(sc) | Action::Exec(sc) if matches!(sc.command, Some(Command::Argv(_))))
    {
        bail!(Error::InvalidInput(format!(
            "{}'s stage `{}` must run `rtde generate` with its command as a list, so --rate can be added",
            pipeline.id, generate.name
        )));
    }
    for (name, wanted) in &sustained.requires {
        let value = overrides.get(name).or_else(|| pipeline.variables.get(name));
        if value != Some(wanted) {
            bail!(Error::InvalidInput(format!(
                "{}'s sustained mode needs `{name}` = `{wanted}` (it is `{}`); add --var {name}={wanted}",
                pipeline.id,
                value.map_or("unset", String::as_str)
            )));
        }
    }
    Ok(sustained)
}

/// The generate stage with `--rate R` appended to its argument vector.
fn paced(stage: &Stage, rate: f64) -> Stage {
    let mut paced = stage.clone();
    if let Action::Run(sc) | Action::Exec(sc) = &mut paced.action
        && let Some(Command::Argv(argv)) = &mut sc.command
    {
        let loc = stage.origin.clone();
        argv.push(Template::new("--rate", loc.clone()));
        argv.push(Template::new(format!("{rate}"), loc));
    }
    paced
}

/// The probe: `compose run` of the probe service, its polls parsed as they arrive.
struct ProbeProcess {
    child: tokio::process::Child,
    polls: Arc<Mutex<Vec<Poll>>>,
    latest: watch::Receiver<u64>,
    reader: tokio::task::JoinHandle<()>,
}

impl ProbeProcess {
    fn start(
        ctx: &StageContext<'_>,
        sustained: &Sustained,
        interval: Duration,
        log: PathBuf,
    ) -> Result<ProbeProcess> {
        let mut sub: Vec<String> = ["run", "--rm", "-T", &sustained.probe_service, "probe"]
            .map(String::from)
            .into();
        sub.extend(["--silver".into(), sustained.silver.clone()]);
        if let Some(q) = &sustained.query {
            sub.extend(["--query".into(), q.clone()]);
        }
        sub.extend([
            "--interval".into(),
            format!("{}ms", interval.as_millis().max(1)),
        ]);
        let (mut cmd, _) = ctx.project.command(ctx.profiles, &sub);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn().context("starting the freshness probe")?;
        let polls = Arc::new(Mutex::new(Vec::new()));
        let (tx, latest) = watch::channel(0u64);
        let stdout = child.stdout.take().context("the probe's stdout")?;
        let stderr = child.stderr.take().context("the probe's stderr")?;
        let mut file =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let shared = Arc::clone(&polls);
        let reader = tokio::spawn(async move {
            use std::io::Write;
            let mut out = BufReader::new(stdout).lines();
            let mut err = BufReader::new(stderr).lines();
            let (mut out_open, mut err_open) = (true, true);
            while out_open || err_open {
                let line = tokio::select! {
                    l = out.next_line(), if out_open => l.ok().flatten().or_else(|| { out_open = false; None }),
                    l = err.next_line(), if err_open => l.ok().flatten().or_else(|| { err_open = false; None }),
                };
                let Some(line) = line else { continue };
                let _ = writeln!(file, "{line}");
                if let Some(poll) = probe::parse_line(&line) {
                    shared.lock().expect("probe polls").push(poll);
                    let _ = tx.send(poll.rows);
                }
            }
        });
        Ok(ProbeProcess {
            child,
            polls,
            latest,
            reader,
        })
    }

    /// Waits for a poll that satisfies `done`, at most `timeout`; false when it timed out or
    /// the probe ended.
    async fn wait_for(&mut self, timeout: Duration, done: impl Fn(u64, usize) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let count = self.polls.lock().expect("probe polls").len();
            if count > 0 && done(*self.latest.borrow(), count) {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.latest.changed()).await {
                Ok(Ok(())) => {}
                _ => return false,
            }
        }
    }

    async fn stop(mut self, h: &Harness, project: &str, service: &str) -> Vec<Poll> {
        signal_one_offs(h, project, service, "SIGKILL").await;
        let _ = tokio::time::timeout(STOP_GRACE, self.child.wait()).await;
        let _ = self.child.start_kill();
        let _ = self.reader.await;
        self.polls.lock().expect("probe polls").clone()
    }
}

/// Whether a one-off container of `service` runs, within [`PROBE_READY`]; false as soon as
/// the processor ended.
async fn processor_running(
    h: &Harness,
    project: &str,
    service: &str,
    ended: &watch::Receiver<bool>,
) -> bool {
    let deadline = tokio::time::Instant::now() + PROBE_READY;
    let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(1), deadline);
    loop {
        if *ended.borrow() {
            return false;
        }
        let containers = h
            .engine
            .project_containers(project)
            .await
            .unwrap_or_default();
        if containers
            .iter()
            .any(|c| c.service == service && c.one_off && c.running)
        {
            return true;
        }
        if !backoff.pause().await {
            return false;
        }
    }
}

/// Sends the stop signal to a `run` processor and waits for it to end; one that ignores the
/// signal is killed after [`STOP_GRACE`].
async fn stop_processor(
    h: &Harness,
    project: &str,
    service: &str,
    sustained: &Sustained,
    seq: &mut Sequence,
    ended: &mut watch::Receiver<bool>,
) {
    let Stop::Signal(signal) = &sustained.stop else {
        return;
    };
    seq.stopped = true;
    signal_one_offs(h, project, service, signal).await;
    // The processor's future (joined by the caller) ends when its container does.
    if tokio::time::timeout(STOP_GRACE, ended.wait_for(|e| *e))
        .await
        .is_err()
    {
        signal_one_offs(h, project, service, "SIGKILL").await;
    }
}

/// Sends `signal` to the running one-off containers of `service`.
async fn signal_one_offs(h: &Harness, project: &str, service: &str, signal: &str) -> usize {
    let Ok(containers) = h.engine.project_containers(project).await else {
        return 0;
    };
    let mut sent = 0;
    for c in containers
        .iter()
        .filter(|c| c.service == service && c.one_off && c.running)
    {
        if h.engine.kill_container(&c.id, signal).await.is_ok() {
            sent += 1;
        }
    }
    sent
}

/// One line on the run's freshness, for the console.
fn summary(id: &str, load: &LoadSpec, f: &Freshness, pacing: Option<&Pacing>) -> String {
    let s = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2} s"));
    let verdict = if pacing.is_none_or(|p| !p.valid) {
        "INVALID: the generator did not keep its schedule".to_string()
    } else if f.sustained {
        "sustained".to_string()
    } else if f.drain_s.is_none() {
        "not sustained: Silver never reached the oracle's count".to_string()
    } else {
        format!(
            "not sustained: the lag grew {:+.3} s per second",
            f.lag_slope.unwrap_or(f64::NAN)
        )
    };
    format!(
        "{id} freshness at {} events/s (achieved {}): p50 {} p95 {} p99 {} max {}, drain {}, lag slope {}; {verdict}",
        load.rate,
        pacing.map_or("-".to_string(), |p| format!("{:.0}", p.achieved_rate)),
        s(f.p50_s),
        s(f.p95_s),
        s(f.p99_s),
        s(f.max_s),
        s(f.drain_s),
        f.lag_slope
            .map_or("-".to_string(), |v| format!("{v:+.3} s/s")),
    )
}

fn passed(record: &StageRecord) -> bool {
    record.status == StageStatus::Passed
}

impl Harness {
    /// The run's stages under `load`. `sustained` is the pipeline's section (checked by
    /// [`check_pipeline`] before the stack came up).
    pub(super) async fn sustained_stages(
        &self,
        run: &StageRun<'_>,
        pipeline: &Pipeline,
        sustained: &Sustained,
        load: &LoadSpec,
    ) -> Result<Outcome> {
        let total = pipeline.stages.len() + 1;
        let generate_at = generate_stage(pipeline).context("checked before the run")?;
        let mut out = Outcome {
            stages: Vec::new(),
            metrics: BTreeMap::new(),
            status: RunStatus::Passed,
            error: None,
            freshness: None,
            checks: Vec::new(),
        };
        let fail = |out: &mut Outcome, record: &StageRecord| {
            out.status = if record.status == StageStatus::Interrupted {
                RunStatus::Interrupted
            } else {
                RunStatus::Failed
            };
            out.error.clone_from(&record.error);
        };
        let log_rel = |i: usize, name: &str| format!("stages/{:02}-{name}.log", i + 1);

        // 1. Before the load.
        for (i, st) in pipeline.stages[..generate_at].iter().enumerate() {
            if st.name == sustained.replaces {
                continue;
            }
            let record = self
                .stage(&pipeline.id, run, st, (i, total), log_rel(i, &st.name))
                .await?;
            out.metrics.extend(record.metrics.clone());
            let ok = passed(&record);
            if !ok {
                fail(&mut out, &record);
            }
            out.stages.push(record);
            if !ok {
                return Ok(out);
            }
        }

        // 2. The probe, polling before anything else starts (it also makes the project's
        // network and volumes when no service is up, so the processor's `compose run` does not
        // race it for them).
        let probe_log = run
            .dir
            .join(format!("stages/{:02}-probe.log", generate_at + 1));
        let mut probe = ProbeProcess::start(&run.ctx, sustained, load.probe_interval, probe_log)?;
        if !probe.wait_for(PROBE_READY, |_, n| n > 0).await {
            let _ = probe
                .stop(self, &run.ctx.project.name, &sustained.probe_service)
                .await;
            out.status = RunStatus::Failed;
            out.error = Some(format!(
                "the freshness probe (`rtde probe` in service `{}`) reported no poll within {} s; see stages/{:02}-probe.log",
                sustained.probe_service,
                PROBE_READY.as_secs(),
                generate_at + 1
            ));
            return Ok(out);
        }

        // 3. The continuous processor.
        let processor = &sustained.processor;
        let proc_rel = format!("stages/{:02}-{}.log", generate_at + 1, processor.name);
        // Stopped by a signal, the processor is the `run` container itself, up until stopped;
        // stopped by a stage, it is a job the processor stage starts and returns from.
        let background = matches!(sustained.stop, Stop::Signal(_));
        let proc_started = run.clock.elapsed();
        let mut proc_log = StageLog::create(&run.dir.join(&proc_rel))?;
        self.reporter.event(Event::Phase {
            pipeline: pipeline.id.clone(),
            phase: format!(
                "sustained load: {} events/s for {:.0} s ({} events), processor `{}`",
                load.rate,
                load.duration.as_secs_f64(),
                load.events(),
                processor.name
            ),
        });
        let (ended_tx, mut ended_rx) = watch::channel(false);
        let proc_future = async {
            let outcome = stage::execute(processor, &run.ctx, &mut proc_log).await;
            let _ = ended_tx.send(true);
            outcome
        };
        let mut proc_outcome = None;
        let (proc_result, seq) = {
            tokio::pin!(proc_future);
            if !background {
                // An exec or host processor starts its job and returns: wait for it.
                let o = (&mut proc_future).await;
                proc_outcome = Some(o);
            }
            let seq = sequence(
                self,
                run,
                pipeline,
                sustained,
                load,
                (generate_at, total),
                probe,
                &mut ended_rx,
                background,
                proc_outcome.as_ref().map(|o| o.status),
            );
            if background {
                let (o, seq) = tokio::join!(proc_future, seq);
                (Some(o), seq)
            } else {
                (proc_outcome.take(), seq.await)
            }
        };
        let proc_ended = run.clock.elapsed();
        let seq = seq?;
        let mut proc_outcome = proc_result.expect("the processor ran");
        // A `run` processor is stopped by its signal: how it exits then is not a failure; an
        // exit before the stop is.
        if background && seq.stopped && proc_outcome.status != StageStatus::Interrupted {
            proc_outcome.status = StageStatus::Passed;
            proc_outcome.error = None;
        }
        let proc_record = StageRecord {
            name: processor.name.clone(),
            category: processor.category.as_str().into(),
            action: processor.action.kind().into(),
            started_offset_s: proc_started.as_secs_f64(),
            ended_offset_s: proc_ended.as_secs_f64(),
            duration_s: (proc_ended - proc_started).as_secs_f64(),
            exit_code: proc_outcome.exit_code,
            status: proc_outcome.status,
            metrics: proc_outcome.metrics,
            log: proc_rel,
            error: proc_outcome.error,
            oom_kills: Vec::new(),
            tasks: proc_outcome.tasks,
        };
        let proc_ok = passed(&proc_record);
        if !proc_ok {
            fail(&mut out, &proc_record);
        }
        out.stages.push(proc_record);
        for record in seq.records {
            out.metrics.extend(record.metrics.clone());
            if out.status == RunStatus::Passed && !passed(&record) {
                fail(&mut out, &record);
            }
            out.stages.push(record);
        }
        if out.status == RunStatus::Passed
            && let Some(e) = seq.error
        {
            out.status = RunStatus::Failed;
            out.error = Some(e);
        }
        out.checks = seq.checks;
        if let Some(f) = seq.freshness {
            out.metrics.extend(f.metrics());
            out.freshness = Some(f);
        }
        if out.status != RunStatus::Passed {
            return Ok(out);
        }

        // 7. After the load: the correctness stages, as in batch mode.
        for (i, st) in pipeline.stages.iter().enumerate().skip(generate_at + 1) {
            if st.name == sustained.replaces {
                continue;
            }
            let record = self
                .stage(
                    &pipeline.id,
                    run,
                    st,
                    (i + 1, total),
                    log_rel(i + 1, &st.name),
                )
                .await?;
            out.metrics.extend(record.metrics.clone());
            let ok = passed(&record);
            if !ok {
                fail(&mut out, &record);
            }
            out.stages.push(record);
            if !ok {
                break;
            }
        }
        Ok(out)
    }
}

/// What happened around the processor: the probe, the load, the drain, the stop.
struct Sequence {
    records: Vec<StageRecord>,
    freshness: Option<FreshnessRecord>,
    checks: Vec<CheckRecord>,
    /// The processor was stopped by rtde (so its exit then is not a failure).
    stopped: bool,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn sequence(
    h: &Harness,
    run: &StageRun<'_>,
    pipeline: &Pipeline,
    sustained: &Sustained,
    load: &LoadSpec,
    (generate_at, total): (usize, usize),
    mut probe: ProbeProcess,
    processor_ended: &mut watch::Receiver<bool>,
    background: bool,
    started: Option<StageStatus>,
) -> Result<Sequence> {
    let mut seq = Sequence {
        records: Vec::new(),
        freshness: None,
        checks: Vec::new(),
        stopped: false,
        error: None,
    };
    let project = run.ctx.project.name.clone();
    let processor_service = match &sustained.processor.action {
        Action::Run(sc) => sc.service.clone(),
        _ => String::new(),
    };
    if started.is_some_and(|s| s != StageStatus::Passed) {
        // The processor's job did not start: nothing to measure.
        let _ = probe.stop(h, &project, &sustained.probe_service).await;
        return Ok(seq);
    }
    // A `run` processor's container up before the load (what it does before it reads is
    // the warm-up's part of the run).
    if background && !processor_running(h, &project, &processor_service, processor_ended).await {
        seq.error = Some(format!(
            "the processor `{}` had no running container within {} s; see its log",
            sustained.processor.name,
            PROBE_READY.as_secs()
        ));
        stop_processor(
            h,
            &project,
            &processor_service,
            sustained,
            &mut seq,
            processor_ended,
        )
        .await;
        let _ = probe.stop(h, &project, &sustained.probe_service).await;
        return Ok(seq);
    }

    // 4. The load.
    let generate = paced(&pipeline.stages[generate_at], load.rate);
    let gen_rel = format!("stages/{:02}-{}.log", generate_at + 2, generate.name);
    let record = h
        .stage(
            &pipeline.id,
            run,
            &generate,
            (generate_at + 1, total),
            gen_rel.clone(),
        )
        .await?;
    let generated = passed(&record);
    let oracle_rows = record.metrics.get("oracle_silver_rows").copied();
    seq.records.push(record);
    let pacing = std::fs::read_to_string(run.dir.join(&gen_rel))
        .ok()
        .and_then(|text| pacing::parse_pacing(&text));

    // 5. The drain: Silver reaches the oracle's count, or the deadline passes, or the
    // processor ended on its own.
    let mut drained = false;
    if generated && let Some(target) = oracle_rows {
        let target = target as u64;
        let processor_gone = async {
            if background {
                let _ = processor_ended.wait_for(|ended| *ended).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            d = probe.wait_for(sustained.drain_timeout, |rows, _| rows >= target) => drained = d,
            () = processor_gone => {
                seq.error = Some(format!(
                    "the processor `{}` exited before Silver was drained; see its log",
                    sustained.processor.name
                ));
            }
        }
    }

    // 6. Stop the processor, then the probe.
    match &sustained.stop {
        Stop::Signal(_) => {
            stop_processor(
                h,
                &project,
                &processor_service,
                sustained,
                &mut seq,
                processor_ended,
            )
            .await;
        }
        Stop::Stage(stop) => {
            seq.stopped = true;
            let rel = format!("stages/{:02}-{}.log", generate_at + 2, stop.name);
            let record = h
                .stage(&pipeline.id, run, stop, (generate_at + 1, total), rel)
                .await?;
            seq.records.push(record);
        }
    }
    let polls = probe.stop(h, &project, &sustained.probe_service).await;

    // Freshness, from the polls, the pacing and the oracle's map.
    let seed: u64 = run
        .ctx
        .vars
        .get("seed")
        .and_then(|s| s.parse().ok())
        .unwrap_or(42);
    let events = pacing.as_ref().map_or(load.events(), |p| p.events);
    let silver = crate::generate::silver_events(seed, events)?;
    if let Some(target) = oracle_rows
        && target as u64 != silver.len() as u64
    {
        seq.error = Some(format!(
            "the generator's oracle counts {target} Silver rows but rtde's map of the same events has {}: the generate stage must use the default window and dirty rates",
            silver.len()
        ));
    }
    let schedule = Load {
        t0_unix_ms: pacing.as_ref().map_or(0.0, |p| p.t0_unix_ms),
        rate: load.rate,
        events,
    };
    let freshness = latency::compute(schedule, &silver, &polls);
    let valid = pacing.as_ref().is_some_and(|p| p.valid);
    seq.checks.push(CheckRecord {
        name: format!(
            "the generator kept its schedule (at most {:.0} % behind)",
            MAX_BEHIND * 100.0
        ),
        metric: "load_valid".into(),
        expected: "= 1".into(),
        actual: Some(f64::from(u8::from(valid))),
        passed: valid,
    });
    seq.checks.push(CheckRecord {
        name: "Silver drained to the oracle's count after the load".into(),
        metric: "silver_rows_probed".into(),
        expected: format!("= {}", silver.len()),
        actual: Some(freshness.rows_seen as f64),
        passed: drained || freshness.rows_seen == silver.len() as u64,
    });
    h.reporter.event(Event::Note(summary(
        &pipeline.id,
        load,
        &freshness,
        pacing.as_ref(),
    )));
    seq.freshness = Some(FreshnessRecord {
        rate: load.rate,
        duration_s: load.duration.as_secs_f64(),
        probe_interval_ms: load.probe_interval.as_secs_f64() * 1000.0,
        pacing,
        valid,
        freshness,
    });
    Ok(seq)
}
