//! `until` probes: a condition polled with a growing interval until it holds or its deadline
//! passes. This is how a manifest waits for "consumer offsets reached" or "job finished"
//! instead of sleeping for a guessed number of seconds. A probe may also learn that its
//! condition can never hold (a Flink job that FAILED): it then ends at once, not at its
//! deadline.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use super::context::{StageContext, service_container};
use super::flink::{self, JobsState};
use super::log::StageLog;
use crate::engine::docker::Backoff;
use crate::manifest::{Probe, ProbeKind, duration};

/// One HTTP request may not take longer than this, so a hung endpoint cannot eat the
/// probe's whole deadline in one poll.
const HTTP_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a probe did not hold.
#[derive(Debug)]
pub enum ProbeError {
    Interrupted,
    /// The deadline passed; the last attempt's result.
    Deadline(String),
    /// The condition can never hold (the stage fails, it did not time out).
    Failed(String),
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Interrupted => f.write_str("interrupted while waiting for the probe"),
            ProbeError::Deadline(why) | ProbeError::Failed(why) => f.write_str(why),
        }
    }
}

/// One attempt's result.
enum Attempt {
    Held,
    /// Not yet, and why not.
    Pending(String),
    /// Never: stop polling.
    Failed(String),
}

impl From<String> for Attempt {
    fn from(why: String) -> Attempt {
        Attempt::Pending(why)
    }
}

impl From<&str> for Attempt {
    fn from(why: &str) -> Attempt {
        Attempt::Pending(why.to_string())
    }
}

pub async fn wait(
    probe: &Probe,
    ctx: &StageContext<'_>,
    log: &mut StageLog,
) -> Result<(), ProbeError> {
    let mut backoff = Backoff::new(
        probe.interval,
        probe.max_interval,
        Instant::now() + probe.timeout,
    );
    // What the stage's action printed (a Flink job's id), before the probe writes its notes.
    let output = log.text().to_string();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let result = tokio::select! {
            r = check(probe, ctx, &output, log) => r,
            () = ctx.cancel.cancelled() => return Err(ProbeError::Interrupted),
        };
        let last = match result {
            Attempt::Held => {
                let _ = log.note(&format!("probe held after {attempts} attempt(s)"));
                return Ok(());
            }
            Attempt::Failed(why) => return Err(ProbeError::Failed(why)),
            Attempt::Pending(why) => {
                tracing::debug!("probe attempt {attempts}: {why}");
                why
            }
        };
        let paused = tokio::select! {
            p = backoff.pause() => p,
            () = ctx.cancel.cancelled() => return Err(ProbeError::Interrupted),
        };
        if !paused {
            return Err(ProbeError::Deadline(format!(
                "probe did not hold within {} ({attempts} attempts); last result: {last}",
                duration::format(probe.timeout)
            )));
        }
    }
}

/// Run `argv` in the service's running container: its exit code and output.
async fn exec_in(
    ctx: &StageContext<'_>,
    service: &str,
    argv: &[String],
) -> Result<(i64, String), String> {
    let container = service_container(ctx.engine, &ctx.project.name, service)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let mut output = Vec::new();
    let code = ctx
        .engine
        .exec(&container, argv, &[], &mut |b| output.extend_from_slice(b))
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok((code, String::from_utf8_lossy(&output).into_owned()))
}

/// One attempt. `output` is what the stage's action printed.
async fn check(probe: &Probe, ctx: &StageContext<'_>, output: &str, log: &mut StageLog) -> Attempt {
    match &probe.kind {
        ProbeKind::Exec(sc) => {
            let argv = match sc.command.as_ref() {
                Some(c) => match c.render(ctx.vars) {
                    Ok(argv) => argv,
                    Err(e) => return e.into(),
                },
                None => return "exec probe without a command".into(),
            };
            match exec_in(ctx, &sc.service, &argv).await {
                Ok((0, _)) => Attempt::Held,
                Ok((code, text)) => format!("exit code {code}: {}", text.trim()).into(),
                Err(e) => e.into(),
            }
        }
        ProbeKind::Http {
            url,
            status,
            contains,
        } => {
            let url = match url.render(ctx.vars) {
                Ok(url) => url,
                Err(e) => return e.into(),
            };
            let (code, body) =
                match tokio::time::timeout(HTTP_ATTEMPT_TIMEOUT, crate::http::get(&url)).await {
                    Err(_) => return format!("no answer from {url} within 5s").into(),
                    Ok(Err(e)) => return e.into(),
                    Ok(Ok(answer)) => answer,
                };
            if let Some(want) = status
                && code != *want
            {
                return format!("status {code}, want {want}").into();
            }
            if status.is_none() && !(200..300).contains(&code) {
                return format!("status {code}, want 2xx").into();
            }
            match contains {
                Some(text) if !body.contains(text.as_str()) => {
                    format!("body does not contain `{text}`").into()
                }
                _ => Attempt::Held,
            }
        }
        ProbeKind::Log { service, regex, .. } => {
            let containers = match ctx.engine.project_containers(&ctx.project.name).await {
                Ok(c) => c,
                Err(e) => return format!("{e:#}").into(),
            };
            for c in containers.iter().filter(|c| &c.service == service) {
                match ctx.engine.logs(&c.id).await {
                    Ok(logs) if regex.is_match(&logs) => return Attempt::Held,
                    Ok(_) => {}
                    Err(e) => return format!("{e:#}").into(),
                }
            }
            format!("no log line of `{service}` matches `{}`", regex.as_str()).into()
        }
        ProbeKind::Healthy { service, .. } => {
            let containers = match ctx.engine.project_containers(&ctx.project.name).await {
                Ok(c) => c,
                Err(e) => return format!("{e:#}").into(),
            };
            match containers
                .iter()
                .find(|c| &c.service == service && !c.one_off)
            {
                Some(c) if c.health.as_deref() == Some("healthy") => Attempt::Held,
                Some(c) => format!(
                    "`{service}` is {}",
                    c.health.as_deref().unwrap_or("without a healthcheck")
                )
                .into(),
                None => format!("`{service}` has no container").into(),
            }
        }
        ProbeKind::FlinkJob { service, .. } => flink_job(ctx, service, output, log).await,
    }
}

/// The `flink_job` probe's attempt (src/run/flink.rs says why it works this way).
async fn flink_job(
    ctx: &StageContext<'_>,
    service: &str,
    output: &str,
    log: &mut StageLog,
) -> Attempt {
    let watched = flink::submitted_jobs(output);
    if watched.is_empty() {
        return Attempt::Failed(
            "the stage's action printed no `Job ID: …` line, so there is no Flink job to watch; \
             submit it detached (`SET 'table.dml-sync' = 'false'`), as Flink's SQL client then \
             prints its id"
                .to_string(),
        );
    }
    let get = |path: &str| {
        vec![
            "curl".to_string(),
            "-fsS".to_string(),
            format!("{}{path}", flink::REST_URL),
        ]
    };
    let overview = match exec_in(ctx, service, &get("/jobs/overview")).await {
        Ok((0, body)) => body,
        Ok((code, text)) => {
            return format!(
                "asking {service}'s /jobs/overview: curl exit code {code}: {}",
                text.trim()
            )
            .into();
        }
        Err(e) => return e.into(),
    };
    match flink::state(&overview, &watched) {
        Err(e) => e.into(),
        Ok(JobsState::Running(why)) => why.into(),
        Ok(JobsState::Finished(jobs)) => {
            for (name, jid, seconds) in jobs {
                let _ = log.note(&format!(
                    "Flink job `{name}` ({jid}) FINISHED; flink_job_seconds={seconds:.1}"
                ));
            }
            Attempt::Held
        }
        Ok(JobsState::Failed { jid, name, state }) => {
            let said = match exec_in(
                ctx,
                service,
                &get(&format!("/jobs/{jid}/exceptions?maxExceptions=1")),
            )
            .await
            {
                Ok((0, body)) => flink::exception_text(&body),
                Ok((code, text)) => Err(format!("curl exit code {code}: {}", text.trim())),
                Err(e) => Err(e),
            };
            let why = match said {
                Ok(Some(trace)) => {
                    let _ = log.note(&format!(
                        "the JobManager's exception of Flink job `{name}` ({jid}):"
                    ));
                    let _ = log.line(&trace);
                    format!(
                        "Flink job `{name}` ({jid}) is {state}: {}; the stage log has the JobManager's exception",
                        flink::summary(&trace)
                    )
                }
                Ok(None) => format!(
                    "Flink job `{name}` ({jid}) is {state}; the JobManager recorded no exception"
                ),
                Err(e) => format!(
                    "Flink job `{name}` ({jid}) is {state}; reading its exception from {service} failed: {e}"
                ),
            };
            Attempt::Failed(why)
        }
    }
}
