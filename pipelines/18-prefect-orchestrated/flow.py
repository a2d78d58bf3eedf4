"""P18's Prefect flow: P01's processing steps as Prefect tasks, served by the worker.

The worker service runs this file at startup: `serve()` registers the deployment `p01/rtde`
with the Prefect server and then runs each flow run the server schedules for it. rtde's
stage creates one run through the server's API and waits for its end (run_flow.py).

The tasks are P01's own steps (shared/orchestrate/p01_steps.py: `docker exec` into the
stack's JobManager and dbt runner), so P18 does P01's work with Prefect deciding when each
step runs and recording its start, end and state. Prints go to Prefect's log (log_prints),
which run_flow.py prints into the stage log for rtde's captures.
"""

from prefect import flow, task
from prefect.cache_policies import NONE

import p01_steps

# No task is cached or retried: each run must do the whole work, and a failure must show as
# a failed run, not be hidden by a retry (P01 does not retry either).
STEP = {"cache_policy": NONE, "retries": 0}


@task(name="submit_flink_job", task_run_name="submit_flink_job", **STEP)
def submit_flink_job(storage: str, broker: str) -> str:
    return p01_steps.submit_flink_job(p01_steps.Stack(), storage, broker)


@task(name="wait_flink_job", task_run_name="wait_flink_job", **STEP)
def wait_flink_job(job_id: str, timeout_s: float) -> None:
    p01_steps.wait_flink_job(job_id, timeout_s)


@task(name="silver_count", task_run_name="silver_count", **STEP)
def silver_count(storage: str) -> dict:
    return p01_steps.count_silver(p01_steps.Stack(), storage)


@task(name="dbt_build", task_run_name="dbt_build", **STEP)
def dbt_build(storage: str) -> None:
    p01_steps.dbt_build(p01_steps.Stack(), storage)


@flow(name="p01", log_prints=True)
def p01(storage: str, broker: str, flink_timeout_s: float = 840.0) -> dict:
    """P01's Bronze/Silver job, its Silver count and the dbt build, in that order."""
    job_id = submit_flink_job(storage, broker)
    wait_flink_job(job_id, flink_timeout_s)
    counts = silver_count(storage)
    dbt_build(storage)
    # The last line of the flow's log, which run_flow.py waits for (its END_OF_LOG).
    print("rtde-flow-end")
    return counts


if __name__ == "__main__":
    p01.serve(name="rtde")
