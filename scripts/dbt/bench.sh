#!/usr/bin/env bash
# Benchmark of the canonical dbt project on DuckDB at scale (not a timed test): generate
# DBT_BENCH_EVENTS events, build the reference Silver, run `dbt build`, and print how long each
# step took. It also fails if any dbt test fails or Gold differs from the oracle, so a figure is
# only ever reported for a correct run. Figures go to docs/performance.md (section "dbt").
#
#   scripts/dbt/bench.sh            # via `make bench-dbt`
#
# Environment: DBT_BENCH_EVENTS (1000000), DBT_BENCH_SEED (42), DBT_BENCH_DIR (a new temp dir),
# RTDE (target/release/rtde, built if missing), VENV (.venv at the repo root).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
events=${DBT_BENCH_EVENTS:-1000000}
seed=${DBT_BENCH_SEED:-42}
venv=${VENV:-$root/.venv}
rtde=${RTDE:-$root/target/release/rtde}
work=${DBT_BENCH_DIR:-$(mktemp -d -t rtde-bench-dbt-XXXXXX)}

for tool in "$venv/bin/python" "$venv/bin/dbt"; do
    if [[ ! -x $tool ]]; then
        echo "bench-dbt: $tool is missing: python3 -m venv .venv && .venv/bin/pip install -r shared/dbt/requirements.txt" >&2
        exit 3
    fi
done
if [[ ! -x $rtde ]]; then
    (cd "$root" && cargo build --release --bin rtde)
fi

# Seconds since the epoch with nanoseconds; differences of two give a step's wall time.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$work"
project=$work/dbt
rm -rf "$project"
cp -r "$root/shared/dbt" "$project"
rm -rf "$project/target" "$project/logs"

t0=$(now)
"$rtde" generate --events "$events" --seed "$seed" \
    --sink "parquet:$work/bronze.parquet" --oracle-out "$work/oracle.json"
"$rtde" generate --seeds "$project/seeds"
t1=$(now)
"$venv/bin/python" "$root/shared/dbt/scripts/reference_silver.py" \
    --bronze "parquet:$work/bronze.parquet" --oracle "$work/oracle.json" --out "$work/silver" --check
t2=$(now)
vars=$("$venv/bin/python" -c '
import json, sys
oracle = json.load(open(sys.argv[1]))
print(json.dumps({"silver_path": sys.argv[2], "oracle_path": sys.argv[1],
                  "window_start": oracle["window"]["start"], "window_end": oracle["window"]["end"]}))
' "$work/oracle.json" "$work/silver/silver.parquet")
RTDE_DBT_DUCKDB_PATH=$work/gold.duckdb DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    "$venv/bin/dbt" build --project-dir "$project" --profiles-dir "$project" --vars "$vars" \
    > "$work/dbt-build.log" || { tail -40 "$work/dbt-build.log"; echo "bench-dbt: dbt build failed (log: $work/dbt-build.log)" >&2; exit 1; }
t3=$(now)

summary=$("$venv/bin/python" "$root/shared/dbt/scripts/dbt_summary.py" "$project/target/run_results.json")
"$venv/bin/python" "$root/shared/dbt/scripts/export_gold.py" --duckdb "$work/gold.duckdb" > "$work/gold.json"
"$venv/bin/python" -c '
import json, sys
gold, oracle = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["gold"]
sys.exit(0 if gold == oracle else "bench-dbt: Gold differs from the oracle")
' "$work/gold.json" "$work/oracle.json"

silver_rows=$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["silver_rows"])' "$work/oracle.json")
echo "events=$events seed=$seed silver_rows=$silver_rows"
echo "generate_s=$(elapsed "$t0" "$t1")"
echo "reference_silver_s=$(elapsed "$t1" "$t2")"
echo "dbt_build_s=$(elapsed "$t2" "$t3")"
echo "$summary"
echo "work_dir=$work"
