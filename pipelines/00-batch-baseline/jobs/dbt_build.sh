#!/bin/sh
# dbt build of the canonical project on this run's Silver, with the generation window from
# the oracle, then the counts rtde captures (dbt_pass=N, dbt_total=N). The project is
# mounted read-only: dbt's target and logs go to the run's data volume.
set -eu
vars=$(python - <<'PY'
import json
oracle = json.load(open("/data/oracle.json"))
print(json.dumps({
    "silver_path": "/data/silver/silver.parquet",
    "oracle_path": "/data/oracle.json",
    "window_start": oracle["window"]["start"],
    "window_end": oracle["window"]["end"],
}))
PY
)
mkdir -p /data/dbt
status=0
dbt build --project-dir /dbt --profiles-dir /dbt \
  --target-path /data/dbt/target --log-path /data/dbt/logs --vars "$vars" || status=$?
python /dbt/scripts/dbt_summary.py /data/dbt/target/run_results.json
exit "$status"
