//! Executing one stage: its action (`exec`, `run` or `host`) under its timeout, then its
//! `until` probe under the probe's own deadline, then its captures.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use tokio::process::Command;

use super::context::{StageContext, service_container};
use super::log::StageLog;
use super::probe;
use super::process::{Ended, run_streamed};
use super::tasks::{self, TaskRecord};
use crate::manifest::{Action, Stage, Template, duration};
use crate::results::record::StageStatus;

pub struct StageOutcome {
    pub status: StageStatus,
    pub exit_code: Option<i64>,
    pub metrics: BTreeMap<String, f64>,
    pub error: Option<String>,
    /// The orchestrator's tasks the stage reported (`rtde-task` lines), whatever its status.
    pub tasks: Vec<TaskRecord>,
}

fn render_env(
    env: &[(String, Template)],
    vars: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>> {
    env.iter()
        .map(|(k, t)| {
            t.render(vars)
                .map(|v| (k.clone(), v))
                .map_err(|e| anyhow::anyhow!("environment {k}: {e}"))
        })
        .collect()
}

/// Run the stage's action; `Ok(Some(code))` when it ran to an exit code.
async fn action(stage: &Stage, ctx: &StageContext<'_>, log: &mut StageLog) -> Result<Option<i64>> {
    match &stage.action {
        Action::Exec(sc) => {
            let argv = sc
                .command
                .as_ref()
                .context("exec without a command")?
                .render(ctx.vars)
                .map_err(anyhow::Error::msg)?;
            let env: Vec<String> = render_env(&sc.environment, ctx.vars)?
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let container = service_container(ctx.engine, &ctx.project.name, &sc.service).await?;
            log.note(&format!("exec in {}: {argv:?}", sc.service))?;
            let code = ctx
                .engine
                .exec(&container, &argv, &env, &mut |bytes| {
                    let _ = log.chunk(bytes);
                })
                .await?;
            Ok(Some(code))
        }
        Action::Run(sc) => {
            // No `--rm`: a container removed on exit takes the engine's `oom` event with it
            // when that event is processed after the exit (the engine drops an event whose
            // container is gone), and its limit can no longer be read. The runner reads
            // what it needs once the stage has ended and removes the container then.
            let mut sub: Vec<String> = vec!["run".into(), "-T".into()];
            for (k, v) in render_env(&sc.environment, ctx.vars)? {
                sub.extend(["-e".into(), format!("{k}={v}")]);
            }
            sub.push(sc.service.clone());
            if let Some(cmd) = &sc.command {
                sub.extend(cmd.render(ctx.vars).map_err(anyhow::Error::msg)?);
            }
            let (cmd, args) = ctx.project.command(ctx.profiles, &sub);
            log.note(&format!("compose {}", args.join(" ")))?;
            exit_of(run_streamed(cmd, log, ctx.cancel.cancelled()).await?)
        }
        Action::Host {
            command,
            environment,
        } => {
            let argv = command.render(ctx.vars).map_err(anyhow::Error::msg)?;
            let mut cmd = Command::new(&argv[0]);
            cmd.args(&argv[1..]).current_dir(ctx.pipeline_dir);
            for (k, v) in ctx.vars {
                cmd.env(format!("RTDE_{}", k.to_uppercase()), v);
            }
            cmd.envs(render_env(environment, ctx.vars)?);
            log.note(&format!("host: {argv:?}"))?;
            exit_of(run_streamed(cmd, log, ctx.cancel.cancelled()).await?)
        }
    }
}

fn exit_of(ended: Ended) -> Result<Option<i64>> {
    Ok(match ended {
        Ended::Exited(code) => Some(code),
        Ended::Killed => None,
    })
}

/// Run one stage to an outcome. Errors inside (a missing container, a failed exec) become a
/// failed stage with the reason, not an abort of the run: teardown and the record follow.
/// The tasks an orchestrator reported are kept whatever the outcome: a failed run's tasks say
/// where it failed.
pub async fn execute(stage: &Stage, ctx: &StageContext<'_>, log: &mut StageLog) -> StageOutcome {
    let mut outcome = run_to_outcome(stage, ctx, log).await;
    match tasks::parse(log.text()) {
        Ok(tasks) => outcome.tasks = tasks,
        Err(e) => {
            let msg = format!("{e:#}");
            let _ = log.note(&msg);
            if outcome.status == StageStatus::Passed {
                outcome.status = StageStatus::Failed;
                outcome.metrics.clear();
                outcome.error = Some(msg);
            }
        }
    }
    outcome
}

async fn run_to_outcome(stage: &Stage, ctx: &StageContext<'_>, log: &mut StageLog) -> StageOutcome {
    let fail = |status, exit_code, error: String| StageOutcome {
        status,
        exit_code,
        metrics: BTreeMap::new(),
        error: Some(error),
        tasks: Vec::new(),
    };
    let ran = tokio::select! {
        r = tokio::time::timeout(stage.timeout, action(stage, ctx, log)) => r,
        () = ctx.cancel.cancelled() => {
            let _ = log.note("interrupted");
            return fail(StageStatus::Interrupted, None, "interrupted".into());
        }
    };
    let code = match ran {
        Err(_) => {
            let msg = format!(
                "stage `{}` timed out after {}; raise its `timeout:` if the work is expected to take longer",
                stage.name,
                duration::format(stage.timeout)
            );
            let _ = log.note(&msg);
            return fail(StageStatus::TimedOut, None, msg);
        }
        Ok(Err(e)) => {
            let msg = format!("{e:#}");
            let _ = log.note(&msg);
            return fail(StageStatus::Failed, None, msg);
        }
        Ok(Ok(None)) => {
            return fail(StageStatus::Interrupted, None, "interrupted".into());
        }
        Ok(Ok(Some(code))) => code,
    };
    if code != 0 {
        let msg = format!(
            "stage `{}` exited with code {code}; its log shows why",
            stage.name
        );
        let _ = log.note(&msg);
        return fail(StageStatus::Failed, Some(code), msg);
    }
    if let Some(p) = &stage.until
        && let Err(e) = probe::wait(p, ctx, log).await
    {
        let status = match &e {
            _ if ctx.cancel.is_cancelled() => StageStatus::Interrupted,
            probe::ProbeError::Interrupted => StageStatus::Interrupted,
            probe::ProbeError::Deadline(_) => StageStatus::TimedOut,
            probe::ProbeError::Failed(_) => StageStatus::Failed,
        };
        let msg = e.to_string();
        let _ = log.note(&msg);
        return fail(status, Some(code), msg);
    }
    match capture(stage, log.text()) {
        Ok(metrics) => StageOutcome {
            status: StageStatus::Passed,
            exit_code: Some(code),
            metrics,
            error: None,
            tasks: Vec::new(),
        },
        Err(e) => {
            let msg = format!("{e:#}");
            let _ = log.note(&msg);
            fail(StageStatus::Failed, Some(code), msg)
        }
    }
}

/// Apply the capture rules: the first group of the *last* match wins (progress lines come
/// before the final summary). A rule that never matches fails the stage: a metric the
/// manifest promises must not silently go missing.
pub fn capture(stage: &Stage, output: &str) -> Result<BTreeMap<String, f64>> {
    let mut metrics = BTreeMap::new();
    for rule in &stage.capture {
        let Some(caps) = rule.regex.captures_iter(output).last() else {
            bail!(
                "capture `{}`: regex `{}` matched nothing in the stage output",
                rule.metric,
                rule.regex.as_str()
            );
        };
        let raw = caps.get(1).map_or("", |m| m.as_str());
        let value: f64 = raw
            .replace([',', '_'], "")
            .trim()
            .parse()
            .with_context(|| format!("capture `{}`: `{raw}` is not a number", rule.metric))?;
        metrics.insert(rule.metric.clone(), value);
    }
    Ok(metrics)
}
