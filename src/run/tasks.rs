//! An orchestrator's own account of the tasks a stage ran: lines `rtde-task {json}` in the
//! stage's output, recorded as the stage's `tasks` in run.json. It must not judge them: a
//! failed task fails the stage through the stage's exit code, as any other failure does.
//!
//! A stage that triggers a run through an orchestrator (Mage, Prefect, Dagster, Airflow)
//! asks the orchestrator's API for the run's tasks when the run has ended and prints one
//! line per task, so rtde records when the orchestrator says each task started and ended
//! and in what state, beside the stage's own time measured from outside.

use anyhow::{Context, Result};

pub use crate::results::record::TaskRecord;

/// What starts a task line; the rest of the line is one JSON object.
pub const MARKER: &str = "rtde-task ";

/// Every task line of a stage's output, in order. A line with the marker that is not a task
/// is an error naming the line: the script that printed it is broken, and a task record that
/// silently goes missing would make the orchestrator look cheaper than it is.
pub fn parse(output: &str) -> Result<Vec<TaskRecord>> {
    output
        .lines()
        .filter_map(|line| line.trim_end_matches('\r').strip_prefix(MARKER))
        .map(|json| {
            let mut task: TaskRecord = serde_json::from_str(json).with_context(|| {
                format!(
                    "task line `{MARKER}{json}` is not {{\"name\", \"state\", \"started_at\", \
                     \"ended_at\"}} with RFC 3339 times"
                )
            })?;
            if let (Some(start), Some(end)) = (task.started_at, task.ended_at) {
                task.duration_s = Some((end - start).as_seconds_f64());
            }
            Ok(task)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_lines_are_read_in_order_with_their_durations() {
        let out = "starting\n\
            rtde-task {\"name\": \"load\", \"state\": \"completed\", \"started_at\": \"2026-12-02T01:00:00Z\", \"ended_at\": \"2026-12-02T01:00:02.5+00:00\"}\n\
            noise rtde-task {not at the start}\n\
            rtde-task {\"name\": \"silver\", \"state\": \"failed\", \"started_at\": \"2026-12-02T01:00:03Z\"}\r\n";
        let tasks = parse(out).unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0].name, "load");
        assert_eq!(tasks[0].duration_s, Some(2.5));
        assert_eq!(tasks[1].state, "failed");
        assert_eq!(tasks[1].ended_at, None);
        assert_eq!(tasks[1].duration_s, None);
    }

    #[test]
    fn a_broken_task_line_is_an_error_that_quotes_it() {
        let err = parse("rtde-task {\"name\": \"x\"}\n").unwrap_err();
        assert!(
            format!("{err:#}").contains("rtde-task {\"name\": \"x\"}"),
            "{err:#}"
        );
        assert!(
            parse("rtde-task {\"name\": \"x\", \"state\": \"ok\", \"started_at\": \"yesterday\"}")
                .is_err()
        );
    }

    #[test]
    fn output_without_task_lines_has_no_tasks() {
        assert!(parse("silver_rows=10\n").unwrap().is_empty());
    }
}
