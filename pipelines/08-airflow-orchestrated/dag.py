"""P08's Airflow DAG: P01's processing steps as Airflow tasks.

Airflow's DAG processor parses this file at startup (it is the only file of the DAGs folder)
and the scheduler runs each run of `p01` that rtde's stage triggers through Airflow's REST
API (run_dag.py); the LocalExecutor runs each task in a process of its own. The DAG has no
schedule: it runs only when triggered, with the run's `storage` and `broker` as params.

The tasks are P01's own steps (shared/orchestrate/p01_steps.py: `docker exec` into the
stack's JobManager and dbt runner), so P08 does P01's work with Airflow deciding when each
step runs and recording its start, end and state. What a task prints goes to its Airflow
log, which run_dag.py prints into the stage log for rtde's captures.
"""

from airflow.sdk import Param, dag, get_current_context, task

import p01_steps

# No task is retried: each run must do the whole work, and a failure must show as a failed
# run, not be hidden by a retry (P01 does not retry either).
STEP = {"retries": 0}


def param(name):
    return get_current_context()["params"][name]


@task(task_id="submit_flink_job", **STEP)
def submit_flink_job() -> str:
    return p01_steps.submit_flink_job(p01_steps.Stack(), param("storage"), param("broker"))


@task(task_id="wait_flink_job", **STEP)
def wait_flink_job(job_id: str) -> None:
    p01_steps.wait_flink_job(job_id, float(param("flink_timeout_s")))


@task(task_id="silver_count", **STEP)
def silver_count() -> dict:
    return p01_steps.count_silver(p01_steps.Stack(), param("storage"))


@task(task_id="dbt_build", **STEP)
def dbt_build() -> None:
    p01_steps.dbt_build(p01_steps.Stack(), param("storage"))


@dag(
    dag_id="p01",
    schedule=None,
    catchup=False,
    max_active_runs=1,
    tags=["rtde"],
    params={
        "storage": Param("iceberg", enum=["iceberg", "files"]),
        "broker": Param("kafka", type="string"),
        "flink_timeout_s": Param(840, type="number"),
    },
)
def p01():
    """P01's Bronze/Silver job, its Silver count and the dbt build, in that order."""
    job = submit_flink_job()
    waited = wait_flink_job(job)
    counted = silver_count()
    waited >> counted >> dbt_build()


p01()
