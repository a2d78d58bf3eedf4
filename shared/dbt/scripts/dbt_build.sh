#!/bin/sh
# `dbt build` of the canonical project inside the dbt runner (shared/compose/dbt.yaml), then
# the counts rtde captures (dbt_pass=N, dbt_total=N).
#
# The generation window comes from the run's oracle (/data/oracle.json), never from a
# constant. Where Silver lives comes from RTDE_DBT_VARS, a JSON object of dbt vars merged
# over the default (Parquet Silver at /data/silver/silver.parquet), e.g.
#   RTDE_DBT_VARS='{"silver_source": "iceberg", "silver_iceberg_path": "s3://warehouse/silver/trips"}'
# The project is mounted read-only: dbt's target and logs go to the run's data volume.
# RTDE_DBT_PROJECT_DIR (default /dbt) builds another project that has the canonical one as a
# package (P11's Elementary project), with its target and logs under RTDE_DBT_OUT_DIR
# (default /data/dbt).
# Arguments are passed on to `dbt build` (e.g. `--exclude tag:oracle` on an adapter that
# cannot read the oracle file from SQL).
set -eu
vars=$(python - <<'PY'
import json
import os

oracle = json.load(open("/data/oracle.json"))
dbt_vars = {
    "silver_path": "/data/silver/silver.parquet",
    "oracle_path": "/data/oracle.json",
    "window_start": oracle["window"]["start"],
    "window_end": oracle["window"]["end"],
}
dbt_vars.update(json.loads(os.environ.get("RTDE_DBT_VARS") or "{}"))
print(json.dumps(dbt_vars))
PY
)
project=${RTDE_DBT_PROJECT_DIR:-/dbt}
out=${RTDE_DBT_OUT_DIR:-/data/dbt}
mkdir -p "$out"
status=0
dbt build --project-dir "$project" --profiles-dir /dbt \
  --target-path "$out/target" --log-path "$out/logs" --vars "$vars" "$@" || status=$?
python /dbt/scripts/dbt_summary.py "$out/target/run_results.json"
exit "$status"
