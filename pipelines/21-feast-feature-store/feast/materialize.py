#!/usr/bin/env python3
"""P21: Silver → feature Parquet (offline store) → `feast apply` → `feast materialize` into the
SQLite online store → online features of sampled entities held to the oracle's Gold.

    materialize.py --silver parquet:GLOB|duckdb:FILE#TABLE --oracle ORACLE.json --work DIR [--sample N]
    materialize.py --compare-only --oracle ORACLE.json --work DIR [--sample N]

`--silver` is Silver's rows: Parquet files (the test: the reference Silver), or a table of a
DuckDB file (the stack: dbt's `fct_trips`, one row per Silver trip, whatever the storage
Silver was read from). Copies this feature repository into DIR (the registry and online store are made there),
computes from Silver with DuckDB the daily and payment-type trips and revenue (cents, exact:
Silver's money is DECIMAL), runs the `feast` CLI's `apply` and `materialize` over the
generation window, then reads the online store through the SDK (`get_online_features`) for
N days (spread over the window, default 10) and every payment type, and compares each value
with the oracle's. Prints `feast_entities_checked=N` and `feast_mismatches=M` (one per wrong
or missing value), and the seconds of apply, materialize and the online read.
`--compare-only` reads an online store made before in DIR and compares it with ORACLE
(the test's check that a wrong oracle value is found, without a second materialization).
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent


def feature_files(silver, data, end):
    con = duckdb.connect()
    kind, _, where = silver.partition(":")
    if kind == "parquet":
        con.execute(f"create view silver as select * from read_parquet('{where}')")
    elif kind == "duckdb":
        file, _, table = where.partition("#")
        con.execute(f"attach '{file}' as built (read_only)")
        con.execute(f"create view silver as select * from built.{table}")
    else:
        sys.exit(f"materialize.py: --silver {silver!r} is neither parquet:GLOB nor "
                 "duckdb:FILE#TABLE")
    con.execute(f"""
        copy (
            select strftime(pickup_datetime, '%Y-%m-%d') as pickup_date,
                   count(*)::bigint as trips,
                   (sum(total_amount) * 100)::bigint as revenue_cents,
                   date_trunc('day', min(pickup_datetime))::timestamp as event_timestamp
            from silver group by 1
        ) to '{data / "daily_demand.parquet"}' (format parquet)""")
    con.execute(f"""
        copy (
            select payment_type::bigint as payment_type,
                   count(*)::bigint as trips,
                   (sum(total_amount) * 100)::bigint as revenue_cents,
                   timestamp '{end}' - interval 1 second as event_timestamp
            from silver group by 1
        ) to '{data / "payment_demand.parquet"}' (format parquet)""")


def feast(work, *args):
    started = time.monotonic()
    done = subprocess.run([str(Path(sys.executable).with_name("feast")), *args], cwd=work,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"feast {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n"
                 f"{done.stderr}")
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silver")
    parser.add_argument("--compare-only", action="store_true")
    parser.add_argument("--oracle", required=True, type=Path)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--sample", type=int, default=10)
    args = parser.parse_args()

    oracle = json.loads(args.oracle.read_text())
    start, end = oracle["window"]["start"], oracle["window"]["end"]
    work = args.work
    if not args.compare_only:
        if not args.silver:
            parser.error("--silver is required unless --compare-only")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for name in ("feature_store.yaml", "features.py"):
            shutil.copy(HERE / name, work / name)
        (work / "data").mkdir()
        feature_files(args.silver, work / "data", end)
        apply_s = feast(work, "apply")
        # The window's bounds in ISO form; materialize takes [START, END] by event timestamp.
        materialize_s = feast(work, "materialize", start, end)
        print(f"feast_apply_seconds={apply_s:.1f}")
        print(f"feast_materialize_seconds={materialize_s:.1f}")

    from feast import FeatureStore

    store = FeatureStore(repo_path=str(work))
    daily = oracle["gold"]["daily"]
    step = max(1, len(daily) // max(1, args.sample))
    days = daily[::step][: args.sample]
    payments = oracle["gold"]["payment_type"]
    started = time.monotonic()
    got_days = store.get_online_features(
        features=["daily_demand:trips", "daily_demand:revenue_cents"],
        entity_rows=[{"pickup_date": d["date"]} for d in days]).to_dict()
    got_payments = store.get_online_features(
        features=["payment_demand:trips", "payment_demand:revenue_cents"],
        entity_rows=[{"payment_type": p["payment_type"]} for p in payments]).to_dict()
    online_s = time.monotonic() - started

    mismatches = 0
    for rows, got in ((days, got_days), (payments, got_payments)):
        for i, row in enumerate(rows):
            for feature, expected in (("trips", row["trips"]),
                                      ("revenue_cents", row["revenue_cents"])):
                value = got[feature][i]
                if value != expected:
                    mismatches += 1
                    print(f"mismatch: {row} {feature}: online {value}, oracle {expected}",
                          file=sys.stderr)
    print(f"feast_online_seconds={online_s:.2f}")
    print(f"feast_entities_checked={len(days) + len(payments)}")
    print(f"feast_mismatches={mismatches}")


if __name__ == "__main__":
    main()
