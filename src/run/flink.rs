//! The `flink_job` probe: the Flink jobs a stage submitted, watched to their end through the
//! JobManager's REST API (`/jobs/overview`), failing the stage at once when one fails.
//!
//! It lives in rtde, as a probe kind, rather than as a watcher script in the Flink images:
//! every Flink pipeline (P01, P04 and those built on them) and both Flink images (the public
//! one, with Flink's own SQL client, and the one built from PyPI) then end a job the same way,
//! under the manifest's deadline, with the JSON read by a parser (the public image has no
//! `jq` or Python to read it with) and the logic unit-tested here. A stage submits its job
//! detached (`table.dml-sync` false); both SQL clients then print `Job ID: <32 hex digits>`,
//! and the probe watches exactly those jobs, not others the session cluster may hold.
//!
//! The REST API is asked from inside the JobManager's container (`curl` through Docker's exec
//! API; both images have curl, which their health check uses) rather than from the host: the
//! port is published on a fixed host port that concurrent runs would share, and Docker
//! Desktop cannot route to a container's address.
//!
//! It only reads what Flink answers; it never cancels or submits a job.

use std::collections::BTreeSet;

use regex::Regex;
use serde::Deserialize;

/// Flink's REST port inside the JobManager's container (`rest.port`, default 8081; both
/// images keep it, shared/compose/flink.yaml).
pub const REST_URL: &str = "http://localhost:8081";

/// What one look at the jobs says.
#[derive(Debug, PartialEq)]
pub enum JobsState {
    /// Every watched job has FINISHED: `(name, job id, seconds)` of each.
    Finished(Vec<(String, String, f64)>),
    /// Some job is not at its end yet: why, for the probe's last-result line.
    Running(String),
    /// A watched job ended without finishing (FAILED or CANCELED): its id, name and state.
    Failed {
        jid: String,
        name: String,
        state: String,
    },
}

#[derive(Debug, Deserialize)]
struct Overview {
    jobs: Vec<JobOverview>,
}

#[derive(Debug, Deserialize)]
struct JobOverview {
    jid: String,
    name: String,
    state: String,
    /// Milliseconds the job ran (or has run so far).
    #[serde(default)]
    duration: Option<i64>,
}

/// The job ids a SQL client printed for the jobs it submitted (`Job ID: …`, the line of both
/// Flink's SQL client and shared/flink/local/RunSql.java), in order, each once.
pub fn submitted_jobs(output: &str) -> Vec<String> {
    let re = Regex::new(r"Job ID: ([0-9a-f]{32})\b").expect("a valid regex");
    let mut seen = BTreeSet::new();
    re.captures_iter(output)
        .map(|c| c[1].to_string())
        .filter(|jid| seen.insert(jid.clone()))
        .collect()
}

/// Reads `/jobs/overview` for the watched jobs. A job the JobManager does not list yet is
/// still starting (the submission returns before the dispatcher shows it).
pub fn state(overview: &str, watched: &[String]) -> Result<JobsState, String> {
    let overview: Overview = serde_json::from_str(overview)
        .map_err(|e| format!("/jobs/overview is not the JSON Flink answers: {e}"))?;
    let mut finished = Vec::new();
    let mut waiting = Vec::new();
    for jid in watched {
        let Some(job) = overview.jobs.iter().find(|j| &j.jid == jid) else {
            waiting.push(format!("{jid} not listed yet"));
            continue;
        };
        match job.state.as_str() {
            "FINISHED" => finished.push((
                job.name.clone(),
                job.jid.clone(),
                job.duration.unwrap_or(0) as f64 / 1000.0,
            )),
            "FAILED" | "CANCELED" => {
                return Ok(JobsState::Failed {
                    jid: job.jid.clone(),
                    name: job.name.clone(),
                    state: job.state.clone(),
                });
            }
            other => waiting.push(format!("`{}` ({}) is {other}", job.name, job.jid)),
        }
    }
    Ok(if waiting.is_empty() {
        JobsState::Finished(finished)
    } else {
        JobsState::Running(waiting.join("; "))
    })
}

#[derive(Debug, Deserialize)]
struct Exceptions {
    /// Flink 1.x; removed in 2.0, which keeps only the history.
    #[serde(rename = "root-exception", default)]
    root_exception: Option<String>,
    #[serde(rename = "exceptionHistory", default)]
    history: Option<History>,
}

#[derive(Debug, Deserialize)]
struct History {
    #[serde(default)]
    entries: Vec<HistoryEntry>,
}

#[derive(Debug, Deserialize)]
struct HistoryEntry {
    #[serde(rename = "exceptionName", default)]
    name: Option<String>,
    #[serde(default)]
    stacktrace: Option<String>,
}

/// The JobManager's text of a failed job's exception (`/jobs/<id>/exceptions`): the root
/// cause's whole stack trace, newest first; `None` when Flink recorded none (a cancelled job).
pub fn exception_text(exceptions: &str) -> Result<Option<String>, String> {
    let e: Exceptions = serde_json::from_str(exceptions)
        .map_err(|e| format!("/jobs/<id>/exceptions is not the JSON Flink answers: {e}"))?;
    if let Some(root) = e.root_exception.filter(|r| !r.trim().is_empty()) {
        return Ok(Some(root));
    }
    Ok(e.history
        .and_then(|h| h.entries.into_iter().next())
        .and_then(|entry| entry.stacktrace.or(entry.name))
        .filter(|t| !t.trim().is_empty()))
}

/// One line for the stage's error out of a stack trace: its first line, and the deepest
/// `Caused by:` (where Java puts the reason, e.g. `java.lang.ArithmeticException: / by zero`).
pub fn summary(stacktrace: &str) -> String {
    let first = stacktrace.lines().next().unwrap_or("").trim();
    let cause = stacktrace
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("Caused by: "));
    match cause {
        Some(cause) if cause != first => format!("{first} … caused by {cause}"),
        _ => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef";
    const B: &str = "fedcba9876543210fedcba9876543210";

    fn overview(jobs: &[(&str, &str)]) -> String {
        let jobs: Vec<String> = jobs
            .iter()
            .map(|(jid, state)| {
                format!(
                    r#"{{"jid":"{jid}","name":"job {}","start-time":1,"end-time":-1,"duration":2500,"state":"{state}","tasks":{{}}}}"#,
                    &jid[..1]
                )
            })
            .collect();
        format!(r#"{{"jobs":[{}]}}"#, jobs.join(","))
    }

    #[test]
    fn the_job_ids_both_sql_clients_print_are_read_once_each() {
        let out = format!(
            "[INFO] SQL update statement has been successfully submitted to the cluster:\n\
             Job ID: {A}\n\nJob ID: {B}\nJob ID: {A}\nJob ID: 1234\n"
        );
        assert_eq!(submitted_jobs(&out), [A, B]);
        assert!(submitted_jobs("no job here").is_empty());
    }

    #[test]
    fn only_the_watched_jobs_decide_and_every_one_must_finish() {
        let watched = vec![A.to_string()];
        // Another job of the cluster failed: not this stage's.
        let done = state(&overview(&[(A, "FINISHED"), (B, "FAILED")]), &watched).unwrap();
        assert_eq!(
            done,
            JobsState::Finished(vec![("job 0".into(), A.into(), 2.5)])
        );
        let both = vec![A.to_string(), B.to_string()];
        let running = state(&overview(&[(A, "FINISHED"), (B, "RUNNING")]), &both).unwrap();
        assert!(
            matches!(&running, JobsState::Running(why) if why.contains("is RUNNING")),
            "{running:?}"
        );
        let unlisted = state(&overview(&[]), &watched).unwrap();
        assert!(
            matches!(&unlisted, JobsState::Running(why) if why.contains("not listed yet")),
            "{unlisted:?}"
        );
    }

    #[test]
    fn a_failed_or_cancelled_job_is_an_end_at_once() {
        let both = vec![A.to_string(), B.to_string()];
        for end in ["FAILED", "CANCELED"] {
            let s = state(&overview(&[(A, "RUNNING"), (B, end)]), &both).unwrap();
            assert_eq!(
                s,
                JobsState::Failed {
                    jid: B.into(),
                    name: "job f".into(),
                    state: end.into()
                }
            );
        }
        assert!(state("<html>", &both).is_err());
    }

    #[test]
    fn the_exception_is_the_root_cause_of_flink_2_or_of_flink_1() {
        let v2 = r#"{"exceptionHistory":{"entries":[{"exceptionName":"org.apache.flink.runtime.JobException","stacktrace":"org.apache.flink.runtime.JobException: Recovery is suppressed\n\tat x\nCaused by: java.lang.ArithmeticException: / by zero\n\tat y","timestamp":1,"taskName":"t"}],"truncated":false}}"#;
        let text = exception_text(v2).unwrap().unwrap();
        assert!(text.contains("/ by zero"), "{text}");
        assert_eq!(
            summary(&text),
            "org.apache.flink.runtime.JobException: Recovery is suppressed … caused by \
             java.lang.ArithmeticException: / by zero"
        );
        let v1 = r#"{"root-exception":"java.io.FileNotFoundException: /nowhere","timestamp":1,"all-exceptions":[],"truncated":false,"exceptionHistory":{"entries":[]}}"#;
        let text = exception_text(v1).unwrap().unwrap();
        assert_eq!(summary(&text), "java.io.FileNotFoundException: /nowhere");
        assert_eq!(
            exception_text(r#"{"exceptionHistory":{"entries":[]}}"#).unwrap(),
            None
        );
    }
}
