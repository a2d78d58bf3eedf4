#!/usr/bin/env python3
"""Deploy the RisingWave pipeline's SQL and wait for it, from the dbt runner's container.

    rw.py deploy --oracle /data/oracle.json [--bootstrap broker:9092]
    rw.py deploy --window START/END           (a sustained load: before the oracle exists)
    rw.py wait   --oracle /data/oracle.json [--timeout 600]
    rw.py gold   --oracle /data/oracle.json

`deploy` runs sql/*.sql in DEPLOY_ORDER, with the generation window taken from the oracle.
`wait` polls until the source has consumed every event the generator sent (the topic's end),
then makes RisingWave commit what it has processed (FLUSH) and prints `consumed=N`,
`bronze_rows=N` and `silver_rows=N` counted in the materialized views. `gold` compares the
Gold tables dbt built inside RisingWave with the oracle and prints `gold_lists=N` and
`gold_lists_equal=N`.

The connection comes from the same RTDE_PG_* variables as dbt's `postgres` target. Only
psycopg2 is needed (dbt-postgres installs it), so the dbt runner image runs this unchanged.
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
    "functions.sql",
    "source.sql",
    "progress.sql",
    "bronze.sql",
    "silver.sql",
    "dead_letters.sql",
    "dlq_sink.sql",
]
# The transforms in plain SQL that PostgreSQL runs too (the rest is RisingWave's own DDL);
# the local test runs exactly these on PostgreSQL.
PORTABLE = ["progress.sql", "bronze.sql", "silver.sql", "dead_letters.sql"]

# psql's `:'name'` variable syntax: a quoted literal of the variable's value.
VARIABLE = re.compile(r":'([a-z_]+)'")


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
    """RisingWave's address and login, from the variables dbt's `postgres` target reads."""
    return {
        "host": os.environ.get("RTDE_PG_HOST", "risingwave"),
        "port": os.environ.get("RTDE_PG_PORT", "4566"),
        "user": os.environ.get("RTDE_PG_USER", "root"),
        "password": os.environ.get("RTDE_PG_PASSWORD", ""),
        "dbname": os.environ.get("RTDE_PG_DATABASE", "dev"),
    }


def connect():
    import psycopg2

    settings = connection_settings()
    try:
        connection = psycopg2.connect(**settings)
    except psycopg2.Error as err:
        sys.exit(f"cannot connect to RisingWave at {settings['host']}:{settings['port']}: {err}")
    # RisingWave runs DDL outside transactions; so does this script.
    connection.autocommit = True
    return connection


def scalar(cursor, query):
    cursor.execute(query)
    return cursor.fetchone()[0]


def deploy(args):
    if args.window:
        # Under a sustained load the views are deployed before the oracle is written.
        start, end = args.window.split("/")
        window = {"window_start": start, "window_end": end}
    elif args.oracle:
        window = window_of(read_oracle(args.oracle))
    else:
        sys.exit("deploy needs --oracle or --window START/END")
    variables = {**window, "bootstrap": args.bootstrap}
    with connect() as connection, connection.cursor() as cursor:
        for name in DEPLOY_ORDER:
            started = time.monotonic()
            cursor.execute(read_sql(name, variables))
            print(f"{name}: done in {time.monotonic() - started:.2f} s", flush=True)


def wait(args):
    events = read_oracle(args.oracle)["events"]
    deadline = time.monotonic() + args.timeout
    pause = 0.1
    with connect() as connection, connection.cursor() as cursor:
        while True:
            consumed = scalar(cursor, "select messages from taxi_raw_trips_consumed")
            consumed = consumed or 0
            if consumed >= events:
                break
            if time.monotonic() >= deadline:
                sys.exit(
                    f"the source consumed {consumed} of {events} messages within "
                    f"{args.timeout} s: RisingWave has not reached the topic's end"
                )
            print(f"consumed {consumed} of {events} messages", flush=True)
            time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
            pause = min(pause * 1.5, 2.0)
        # FLUSH returns once the epoch holding those messages is committed everywhere: every
        # materialized view has processed them, and the dead-letter sink has delivered its
        # messages to the broker. Batch reads afterwards see one consistent snapshot.
        cursor.execute("flush")
        print(f"consumed={consumed}")
        print(f"bronze_rows={scalar(cursor, 'select count(*) from bronze_trips')}")
        print(f"silver_rows={scalar(cursor, 'select count(*) from silver_trips')}")


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
        command.add_argument("--oracle", required=name != "deploy", help="the generator's oracle JSON")
    commands.choices["deploy"].add_argument("--bootstrap", default="broker:9092")
    commands.choices["deploy"].add_argument(
        "--window", help="START/END instead of the oracle's window (a sustained load)"
    )
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
