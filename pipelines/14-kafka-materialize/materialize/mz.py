#!/usr/bin/env python3
"""Deploy the Materialize pipeline's SQL and wait for it, from the dbt runner's container.

    mz.py deploy --oracle /data/oracle.json [--bootstrap broker:9092]
    mz.py wait   --oracle /data/oracle.json [--timeout 600]
    mz.py gold   --oracle /data/oracle.json

`deploy` runs sql/*.sql in DEPLOY_ORDER, with the generation window taken from the oracle.
`wait` polls until the source has ingested every event the generator sent (the topic's end)
and the dead-letter sink has committed every dead letter to its topic, then prints
`consumed=N`, `bronze_rows=N`, `silver_rows=N` and `dead_letters=N` counted in the views
(Materialize answers each SELECT at one consistent timestamp, so no flush is needed). `gold`
compares the Gold views dbt built inside Materialize with the oracle and prints
`gold_lists=N` and `gold_lists_equal=N`.

The connection comes from the same RTDE_PG_* variables as dbt's profile. Only psycopg2 is
needed (dbt-postgres installs it), so the dbt runner image runs this unchanged.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"

# Creation order: each statement reads only what the ones before it created.
DEPLOY_ORDER = [
    "connection.sql",
    "source.sql",
    "progress.sql",
    "messages.sql",
    "bronze.sql",
    "silver.sql",
    "dead_letters.sql",
    "dlq_sink.sql",
]
# The transforms in plain SQL that PostgreSQL runs too (the rest is Materialize's own DDL);
# the local test runs exactly these on PostgreSQL.
PORTABLE = ["progress.sql", "messages.sql", "bronze.sql", "silver.sql", "dead_letters.sql"]

# psql's `:'name'` variable syntax: a quoted literal of the variable's value.
VARIABLE = re.compile(r":'([a-z_]+)'")

# What the dead-letter sink has written, from Materialize's own statistics.
SINK_COMMITTED = """
select coalesce(sum(s.messages_committed), 0)
from mz_internal.mz_sink_statistics as s
join mz_catalog.mz_sinks as k on k.id = s.id
where k.name = 'taxi_raw_trips_dlq'
"""


def window_of(oracle):
    window = oracle["window"]
    return {"window_start": window["start"], "window_end": window["end"]}


def render(text, variables):
    """Fills in `:'name'` as psql -v would: a single-quoted literal, quotes doubled."""

    def literal(match):
        name = match.group(1)
        if name not in variables:
            raise KeyError(f"the SQL uses :'{name}' but no value was given for it")
        return "'" + str(variables[name]).replace("'", "''") + "'"

    return VARIABLE.sub(literal, text)


def read_sql(name, variables):
    return render((SQL_DIR / name).read_text(), variables)


def read_oracle(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        sys.exit(f"cannot read the oracle {path}: {err}")


def connection_settings():
    """Materialize's address and login, from the variables dbt's profile reads."""
    return {
        "host": os.environ.get("RTDE_PG_HOST", "materialized"),
        "port": os.environ.get("RTDE_PG_PORT", "6875"),
        "user": os.environ.get("RTDE_PG_USER", "materialize"),
        "password": os.environ.get("RTDE_PG_PASSWORD", ""),
        "dbname": os.environ.get("RTDE_PG_DATABASE", "materialize"),
    }


def connect():
    import psycopg2

    settings = connection_settings()
    try:
        connection = psycopg2.connect(**settings)
    except psycopg2.Error as err:
        sys.exit(f"cannot connect to Materialize at {settings['host']}:{settings['port']}: {err}")
    # Materialize runs DDL outside transactions, one statement at a time; so does this script.
    connection.autocommit = True
    return connection


def scalar(cursor, query):
    cursor.execute(query)
    return cursor.fetchone()[0]


def deploy(args):
    variables = {**window_of(read_oracle(args.oracle)), "bootstrap": args.bootstrap}
    with connect() as connection, connection.cursor() as cursor:
        for name in DEPLOY_ORDER:
            started = time.monotonic()
            cursor.execute(read_sql(name, variables))
            print(f"{name}: done in {time.monotonic() - started:.2f} s", flush=True)


def poll(what, current, target, deadline, timeout):
    """Waits with a growing pause until current() reaches target, or exits at the deadline."""
    pause = 0.1
    while True:
        value = current() or 0
        if value >= target:
            return value
        if time.monotonic() >= deadline:
            sys.exit(f"{what}: {value} of {target} within {timeout} s")
        print(f"{what}: {value} of {target}", flush=True)
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, 2.0)


def wait(args):
    events = read_oracle(args.oracle)["events"]
    deadline = time.monotonic() + args.timeout
    with connect() as connection, connection.cursor() as cursor:
        consumed = poll(
            "messages the source ingested",
            lambda: scalar(cursor, "select messages from taxi_raw_trips_consumed"),
            events, deadline, args.timeout,
        )
        dead_letters = scalar(cursor, "select count(*) from dead_letters")
        poll(
            "dead letters the sink committed",
            lambda: scalar(cursor, SINK_COMMITTED),
            dead_letters, deadline, args.timeout,
        )
        print(f"consumed={consumed}")
        print(f"bronze_rows={scalar(cursor, 'select count(*) from bronze_trips')}")
        print(f"silver_rows={scalar(cursor, 'select count(*) from silver_trips')}")
        print(f"dead_letters={dead_letters}")


def gold(args):
    oracle = read_oracle(args.oracle)
    dsn = " ".join(
        f"{key}={value}"
        for key, value in connection_settings().items()
        if value
    )
    exported = subprocess.run(
        [sys.executable, args.export_gold, "--postgres", dsn,
         "--schema", os.environ.get("RTDE_PG_SCHEMA", "gold")],
        check=True, capture_output=True, text=True,
    )
    built = json.loads(exported.stdout)
    equal = [name for name, rows in oracle["gold"].items() if built.get(name) == rows]
    for name in sorted(set(oracle["gold"]) - set(equal)):
        print(f"Gold list {name!r} differs from the oracle", file=sys.stderr)
    print(f"gold_lists={len(oracle['gold'])}")
    print(f"gold_lists_equal={len(equal)}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("deploy", "wait", "gold"):
        command = commands.add_parser(name)
        command.add_argument("--oracle", required=True, help="the generator's oracle JSON")
    commands.choices["deploy"].add_argument("--bootstrap", default="broker:9092")
    commands.choices["wait"].add_argument(
        "--timeout", type=float, default=600, help="seconds to wait for the topic's end"
    )
    commands.choices["gold"].add_argument(
        "--export-gold", default="/dbt/scripts/export_gold.py", help="shared/dbt's export_gold.py"
    )
    args = parser.parse_args(argv)
    {"deploy": deploy, "wait": wait, "gold": gold}[args.command](args)


if __name__ == "__main__":
    main(sys.argv[1:])
