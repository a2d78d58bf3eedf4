"""P09's Dagster definitions: P01's steps as assets, the dbt project's models as dbt assets.

The webserver and the daemon load this file at startup (workspace.yaml). rtde launches one
run of the job `p01` through the webserver's GraphQL API (run_job.py); the daemon dequeues
it and runs its steps:

- `silver/trips`: P01's Flink SQL job, submitted in the stack's JobManager and watched to
  FINISHED (shared/orchestrate/p01_steps.py, `docker exec` through the Docker socket). Its
  key is the dbt project's source `silver.trips`, so Dagster orders the dbt models after it.
- `silver_count`: P01's Silver count in the JobManager (`bronze_rows`, `silver_rows`).
- `rtde_dbt_models`: every model, seed and test of the canonical dbt project (shared/dbt) as
  Dagster assets through dagster-dbt, built by one `dbt build` in the run's process with
  P01's profile target and vars; the test counts (`dbt_pass`, `dbt_total`) from its
  run_results.json.

Counts are logged as `name=value` lines, which run_job.py prints from the run's event log
for rtde's captures.
"""

import json
import os
import subprocess
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

import p01_steps

DBT_DIR = Path(os.environ.get("RTDE_DBT_DIR", "/dbt"))
# Where `dbt parse` wrote the manifest at the container's start (the project is read-only).
PARSED = Path(os.environ.get("RTDE_DBT_PARSED", "/opt/dagster/dbt-parsed"))
# The run's dbt target (run_results.json, compiled SQL) on the run's data volume, as P01's.
DBT_TARGET = "/data/dbt/target"

project = DbtProject(project_dir=DBT_DIR, target_path=PARSED, profiles_dir=DBT_DIR)


class P01Stack(dg.ConfigurableResource):
    """The run's P01 variables, given once in the run config by run_job.py."""

    storage: str
    broker: str
    flink_timeout_s: float = 840.0


@dg.asset(key=["silver", "trips"], group_name="p01", description="P01's Flink SQL job")
def bronze_silver(context: dg.AssetExecutionContext, p01: P01Stack) -> dg.MaterializeResult:
    stack = p01_steps.Stack()
    job_id = p01_steps.submit_flink_job(stack, p01.storage, p01.broker)
    context.log.info(f"Flink job {job_id} submitted")
    p01_steps.wait_flink_job(job_id, p01.flink_timeout_s)
    context.log.info(f"Flink job {job_id} FINISHED")
    return dg.MaterializeResult(metadata={"flink_job_id": job_id})


@dg.asset(deps=[bronze_silver], group_name="p01", description="P01's Silver count")
def silver_count(context: dg.AssetExecutionContext, p01: P01Stack) -> dg.MaterializeResult:
    counts = p01_steps.count_silver(p01_steps.Stack(), p01.storage)
    for name, value in counts.items():
        context.log.info(f"{name}={value}")
    return dg.MaterializeResult(metadata=counts)


def dbt_vars(storage):
    """P01's dbt vars: the window from the run's oracle (as dbt_build.sh) and where Silver
    is (flink_silver_vars.sh: the Iceberg metadata file, or the Silver files as Parquet)."""
    oracle = json.loads(Path("/data/oracle.json").read_text())
    where = subprocess.run(
        ["sh", str(DBT_DIR / "scripts/flink_silver_vars.sh"), storage],
        check=True, capture_output=True, text=True,
    ).stdout
    return {
        "oracle_path": "/data/oracle.json",
        "window_start": oracle["window"]["start"],
        "window_end": oracle["window"]["end"],
        **json.loads(where),
    }


@dbt_assets(manifest=project.manifest_path, project=project, name="rtde_dbt_models")
def rtde_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, p01: P01Stack):
    args = ["build", "--vars", json.dumps(dbt_vars(p01.storage))]
    # dbt_build.sh makes the folder of the DuckDB file too.
    Path("/data/dbt").mkdir(exist_ok=True)
    try:
        yield from dbt.cli(args, context=context, target_path=Path(DBT_TARGET)).stream()
    finally:
        summary = subprocess.run(
            ["python", str(DBT_DIR / "scripts/dbt_summary.py"), f"{DBT_TARGET}/run_results.json"],
            capture_output=True, text=True,
        )
        for line in (summary.stdout + summary.stderr).splitlines():
            context.log.info(line)


p01 = dg.define_asset_job("p01", selection=dg.AssetSelection.all())

defs = dg.Definitions(
    assets=[bronze_silver, silver_count, rtde_dbt_models],
    jobs=[p01],
    resources={
        "dbt": DbtCliResource(project_dir=project, profiles_dir=str(DBT_DIR)),
        "p01": P01Stack.configure_at_launch(),
    },
)
