#!/usr/bin/env python3
"""Run the rtde Flink job locally on the generator's JSON lines, and compare its Silver.

    flink_local.py run --input TRIPS.jsonl --oracle ORACLE.json --out DIR [--source cdc]
    flink_local.py compare --flink DIR --reference SILVER.parquet --input TRIPS.jsonl

`run` composes the job exactly as the stack does (shared/flink/bin/job-sql.sh: the same
Bronze, Silver and dead-letter SQL), with file sinks and a file source in place of Kafka and
Iceberg, and runs it on a local Flink MiniCluster with RunSql.java and the Flink 2.0.1 jars of
the `apache-flink-libraries` package. It writes DIR/silver.parquet and prints `bronze_rows=N`,
`silver_rows=N`, `dead_letters=N`, `non_insert_changes=N` (Silver changelog records other
than inserts: must be 0), `flink_job_seconds=S` (submit to FINISHED) and `flink_run_seconds=S`
(with the JVM's start and the planning).

With `--source cdc` the input is Debezium's change events of the generator's PostgreSQL
table (shared/cdc/capture.py --sink jsonl:PATH), read with the `debezium-json` format as P12's
job reads its topic (source_cdc_files.sql and `transforms-cdc`: no dead letters, none can
reach the table); `dead_letters` is then 0.

`compare` prints `silver_missing=N` and `silver_extra=N` (reference rows Flink lacks, Flink
rows the reference lacks, every column compared) and `dead_letters_wrong=N` (dead letters
that are not exactly the input's non-JSON lines, either way).
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
FLINK = HERE.parent
SILVER_COLUMNS = (
    "trip_id, vendor_id, pickup_datetime, dropoff_datetime, passenger_count, trip_distance, "
    "rate_code_id, store_and_fwd_flag, pickup_location_id, dropoff_location_id, payment_type, "
    "fare_amount, extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, "
    "total_amount, congestion_surcharge, airport_fee, cbd_congestion_fee"
)


def flink_jars():
    spec = importlib.util.find_spec("pyflink")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the Flink jars are missing: pip install -r requirements-dev.txt "
                 "(apache-flink-libraries==2.0.1)")
    lib = Path(list(spec.submodule_search_locations)[0]) / "lib"
    if not list(lib.glob("flink-dist-*.jar")):
        sys.exit(f"no flink-dist jar in {lib}")
    return f"{lib}/*"


def run(args):
    args.out.mkdir(parents=True, exist_ok=True)
    flink_out = args.out / "flink"
    env = dict(os.environ, RTDE_FLINK_INPUT=str(args.input.resolve()),
               RTDE_FLINK_OUTPUT=str(flink_out.resolve()))
    if args.source == "cdc":
        env["RTDE_FLINK_BRONZE_FORMAT"] = "debezium-json"
        parts = [str(FLINK / "sql/source_cdc_files.sql"), "transforms-cdc"]
    else:
        parts = [str(FLINK / "sql/dead_letters_files.sql"), str(FLINK / "sql/source_files.sql"),
                 "transforms"]
    job = subprocess.run(
        ["sh", str(FLINK / "bin/job-sql.sh"), str(args.oracle), str(HERE / "settings.sql"),
         str(FLINK / "sql/sinks_files.sql"), *parts],
        env=env, check=True, capture_output=True, text=True).stdout
    script = args.out / "job.sql"
    script.write_text(job)

    started = time.monotonic()
    driver = subprocess.run(
        ["java", "-Xmx1g", "-cp", flink_jars(), str(HERE / "RunSql.java"), str(script)],
        capture_output=True, text=True)
    wall = time.monotonic() - started
    if driver.returncode != 0:
        sys.exit(f"the Flink job failed ({driver.returncode}):\n{driver.stdout}\n{driver.stderr}")

    con = duckdb.connect()
    part_files = lambda name: str(flink_out / name / "part-*")
    con.execute(f"""
        create table changes as
        select op, after from read_json('{part_files("silver")}', format = 'newline_delimited',
            columns = {{'op': 'varchar', 'after': 'json'}})""")
    silver_file = args.out / "silver.parquet"
    con.execute(f"""
        copy (
            select
                after->>'trip_id' as trip_id,
                cast(after->>'vendor_id' as integer) as vendor_id,
                cast(after->>'pickup_datetime' as timestamp) as pickup_datetime,
                cast(after->>'dropoff_datetime' as timestamp) as dropoff_datetime,
                cast(after->>'passenger_count' as bigint) as passenger_count,
                cast(after->>'trip_distance' as double) as trip_distance,
                cast(after->>'rate_code_id' as bigint) as rate_code_id,
                after->>'store_and_fwd_flag' as store_and_fwd_flag,
                cast(after->>'pickup_location_id' as integer) as pickup_location_id,
                cast(after->>'dropoff_location_id' as integer) as dropoff_location_id,
                cast(after->>'payment_type' as bigint) as payment_type,
                {", ".join(f"cast(after->>'{c}' as decimal(10, 2)) as {c}" for c in (
                    "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount",
                    "improvement_surcharge", "total_amount", "congestion_surcharge",
                    "airport_fee", "cbd_congestion_fee"))}
            from changes where op = 'c'
        ) to '{silver_file}' (format parquet)""")
    count = lambda sql: con.execute(sql).fetchone()[0]
    counts = {
        "bronze_rows": count(f"select count(*) from read_json('{part_files('bronze')}', "
                             "format = 'newline_delimited')"),
        "silver_rows": count(f"select count(*) from '{silver_file}'"),
        "dead_letters": 0 if args.source == "cdc" else count(
            f"select count(*) from read_json('{part_files('dead_letters')}', "
            "format = 'newline_delimited', columns = {'payload': 'varchar'})"),
        "non_insert_changes": count("select count(*) from changes where op <> 'c'"),
    }
    for name, value in counts.items():
        print(f"{name}={value}")
    # The job alone (RunSql's own line), and the whole run with JVM start and planning.
    print(next(line for line in driver.stdout.splitlines() if line.startswith("flink_job_")))
    print(f"flink_run_seconds={wall:.1f}")


def compare(args):
    con = duckdb.connect()
    flink = args.flink / "silver.parquet"
    diff = lambda a, b: con.execute(
        f"select count(*) from (select {SILVER_COLUMNS} from '{a}' "
        f"except all select {SILVER_COLUMNS} from '{b}')").fetchone()[0]
    print(f"silver_missing={diff(args.reference, flink)}")
    print(f"silver_extra={diff(flink, args.reference)}")
    if not (args.flink / "flink/dead_letters").exists():
        # A `--source cdc` run has no dead letters (nothing malformed reaches a table).
        return
    # The input's non-JSON lines, read as whole lines (a delimiter that never occurs).
    con.execute(f"""
        create table lines as select line from read_csv('{args.input}', header = false,
            delim = '\x01', quote = '', escape = '', columns = {{'line': 'varchar'}})""")
    con.execute(f"""
        create table letters as select payload from read_json(
            '{args.flink / "flink/dead_letters/part-*"}', format = 'newline_delimited',
            columns = {{'payload': 'varchar'}})""")
    wrong = con.execute("""
        select count(*) from (
            (select line from lines where not coalesce(json_valid(line), false)
                or json_type(line) <> 'OBJECT'
             except all select payload from letters)
            union all
            (select payload from letters
             except all select line from lines where not coalesce(json_valid(line), false)
                or json_type(line) <> 'OBJECT'))""").fetchone()[0]
    print(f"dead_letters_wrong={wrong}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the Flink job on a JSON-lines file")
    run_parser.add_argument("--input", required=True, type=Path)
    run_parser.add_argument("--oracle", required=True, type=Path)
    run_parser.add_argument("--out", required=True, type=Path)
    run_parser.add_argument("--source", choices=["kafka", "cdc"], default="kafka",
                            help="the generator's JSON lines (default) or change events")
    compare_parser = commands.add_parser("compare", help="compare Flink's Silver")
    compare_parser.add_argument("--flink", required=True, type=Path, help="run's --out")
    compare_parser.add_argument("--reference", required=True, type=Path)
    compare_parser.add_argument("--input", required=True, type=Path)
    args = parser.parse_args(argv)
    {"run": run, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main(sys.argv[1:])
