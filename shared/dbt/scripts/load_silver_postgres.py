#!/usr/bin/env python3
"""Load a Silver Parquet file into a PostgreSQL-wire database as the relation dbt reads.

    load_silver_postgres.py --silver silver.parquet --dsn "host=… port=… user=… dbname=…" \
        [--schema public] [--table silver_trips]

Stands in for a PostgreSQL-wire engine's own Silver when the dbt project is checked on plain
PostgreSQL (rtde's integration test does this). The table is replaced; its column types are
the contract's (docs/data-contract.md §3), as an engine would declare them.
"""

import argparse
import io
import sys

import duckdb
import psycopg2
from psycopg2 import sql

COLUMNS = [
    ("trip_id", "varchar"),
    ("vendor_id", "integer"),
    ("pickup_datetime", "timestamp"),
    ("dropoff_datetime", "timestamp"),
    ("passenger_count", "bigint"),
    ("trip_distance", "double precision"),
    ("rate_code_id", "bigint"),
    ("store_and_fwd_flag", "varchar"),
    ("pickup_location_id", "integer"),
    ("dropoff_location_id", "integer"),
    ("payment_type", "bigint"),
] + [
    (money, "numeric(10,2)")
    for money in (
        "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount",
        "improvement_surcharge", "total_amount", "congestion_surcharge", "airport_fee",
        "cbd_congestion_fee",
    )
]


def copy_field(value):
    """One field in COPY's text format: \\N for null, with its special characters escaped."""
    if value is None:
        return "\\N"
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(char, escaped)
    return text


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silver", required=True, help="Silver Parquet file")
    parser.add_argument("--dsn", required=True, help="libpq connection string")
    parser.add_argument("--schema", default="public")
    parser.add_argument("--table", default="silver_trips")
    args = parser.parse_args(argv)

    names = ", ".join(name for name, _ in COLUMNS)
    try:
        rows = duckdb.execute(f"select {names} from read_parquet(?)", [args.silver]).fetchall()
    except duckdb.Error as err:
        sys.exit(f"cannot read Silver from {args.silver}: {err}")
    copy_text = io.StringIO()
    for row in rows:
        copy_text.write("\t".join(copy_field(value) for value in row) + "\n")
    copy_text.seek(0)

    try:
        con = psycopg2.connect(args.dsn)
    except psycopg2.Error as err:
        sys.exit(f"cannot connect to {args.dsn!r}: {err}")
    table = sql.Identifier(args.schema, args.table)
    with con, con.cursor() as cur:
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(args.schema)))
        cur.execute(sql.SQL("drop table if exists {}").format(table))
        cur.execute(
            sql.SQL("create table {} ({})").format(
                table,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in COLUMNS
                ),
            )
        )
        cur.copy_expert(sql.SQL("copy {} from stdin").format(table), copy_text)
    print(f"silver_rows={len(rows)}")


if __name__ == "__main__":
    main(sys.argv[1:])
