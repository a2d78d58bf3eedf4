#!/usr/bin/env python3
"""Serve the four comparison queries from a real-time OLAP engine and check them.

    serve.py wait  --engine ENGINE --url URL --table T --oracle ORACLE.json \
        [--deduplicated | --silver] [--timeout 600]
    serve.py load  --engine clickhouse|chdb --url URL --sql FILE [--var NAME=VALUE ...]
    serve.py query --engine ENGINE --url URL --queries DIR --oracle ORACLE.json [--repeat 5]

ENGINE is pinot, druid, clickhouse or chdb.

`wait` polls `SELECT COUNT(*) FROM T` until the engine holds the oracle's Bronze rows (its
ingestion has reached the topic's end; with --deduplicated, for a table that keeps one row per
trip_id, Bronze less the re-sent duplicates; with --silver, for a table loaded from Silver or
dbt's fact table, the oracle's Silver rows), printing `served_rows=N` and
`served_rows_expected=N`. `load` runs a ClickHouse SQL file statement by statement (split
on `;` at line ends, as `clickhouse-client --multiquery` reads it), each `:'name'` filled in
from --var. `query` renders DIR/{daily,borough,payment_type,
hourly}.sql with the generation window from the oracle (`:'window_start'`, `:'window_end'`,
as psql's variables) and each `:name` for which DIR/name.sql exists replaced by that file
(psql's unquoted variables: the canonical Silver rules in the engine's SQL, written once for
the four queries), runs each one `--repeat` times and prints, per query, `NAME_cold_ms`
(the first run after ingestion) and `NAME_warm_ms` (the median of the others), then
`serving_lists=N` and `serving_lists_equal=N`: the answers in the oracle's shape, compared
with its Gold list by list.

Each query returns rows of (key, trips, revenue in dollars); revenue becomes integer cents by
rounding, which is exact for sums of two-decimal amounts held as doubles at this size (an
error below half a cent would need ~10^13 rows). Only the standard library: it runs in the dbt
runner's image. Pinot is asked through its broker's /query/sql, Druid through its broker's
/druid/v2/sql, ClickHouse through its HTTP interface (URL is http://HOST:8123; the user,
password and database from RTDE_CLICKHOUSE_USER, RTDE_CLICKHOUSE_PASSWORD and
RTDE_CLICKHOUSE_DATABASE, `rtde` each by default). chDB is ClickHouse's engine in process, for
the tests where no ClickHouse server can run: URL is the folder of its session (kept between
calls), and the `chdb` package is imported only for that engine.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

LISTS = {"daily": "date", "borough": "borough", "payment_type": "payment_type", "hourly": "hour"}
INTEGER_KEYS = {"payment_type", "hour"}
VARIABLE = re.compile(r":'([a-z_]+)'")
# psql's unquoted `:name`; `::` (a cast) and `:'name'` are not one.
FRAGMENT = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def without_comments(text):
    return "\n".join(line.split("--", 1)[0].rstrip() for line in text.splitlines()).strip()


def read_query(folder, name, window):
    """One comparison query as it is sent: its fragments put in, the window filled in."""
    folder = Path(folder)

    def fragment(match):
        path = folder / f"{match.group(1)}.sql"
        return without_comments(path.read_text()) if path.exists() else match.group(0)

    return render(FRAGMENT.sub(fragment, (folder / f"{name}.sql").read_text()), window)


def render(text, variables):
    """Fills in `:'name'` as psql -v would: a single-quoted literal, quotes doubled."""

    def literal(match):
        name = match.group(1)
        if name not in variables:
            raise KeyError(f"the SQL uses :'{name}' but no value was given for it")
        return "'" + str(variables[name]).replace("'", "''") + "'"

    return VARIABLE.sub(literal, text)


def statements(sql):
    """A ClickHouse SQL file's statements: split on `;` at line ends, comment lines dropped."""
    text = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip().rstrip(";") for part in (text + "\n").split(";\n") if part.strip()]


def send(request, refused):
    """The answer's bytes; an HTTP error status becomes RuntimeError(refused(status, body))."""
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        raise RuntimeError(refused(err.code, err.read().decode(errors="replace")))


def post(url, body, headers=None):
    """POSTs `body` (JSON, or bytes as they are) and returns the JSON answer."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = headers or {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers)
    return json.loads(send(request, lambda status, body: f"{url} answered {status}: {body}"))


def clickhouse(url, sql):
    """One statement through ClickHouse's HTTP interface; the rows of its answer."""
    params = {
        "database": os.environ.get("RTDE_CLICKHOUSE_DATABASE", "rtde"),
        "default_format": "JSONCompact",
        # Numbers as JSON numbers, not the quoted strings ClickHouse gives 64-bit integers.
        "output_format_json_quote_64bit_integers": "0",
    }
    headers = {
        "X-ClickHouse-User": os.environ.get("RTDE_CLICKHOUSE_USER", "rtde"),
        "X-ClickHouse-Key": os.environ.get("RTDE_CLICKHOUSE_PASSWORD", "rtde"),
    }
    request = urllib.request.Request(
        f"{url}/?{urllib.parse.urlencode(params)}", data=sql.encode(), headers=headers
    )
    text = send(
        request, lambda _status, body: f"ClickHouse refused the statement: {body}\n{sql}"
    )
    return json.loads(text)["data"] if text.strip() else []


CHDB_SESSIONS = {}


def chdb(path, sql):
    """One statement on chDB, in the session kept in the folder `path`; its rows."""
    if path not in CHDB_SESSIONS:
        from chdb import session  # only this engine needs it (the repo's .venv has it)

        CHDB_SESSIONS[path] = session.Session(path)
    try:
        text = CHDB_SESSIONS[path].query(sql, "JSONCompact").bytes()
    except RuntimeError as err:  # chDB's ChdbError is one
        raise RuntimeError(f"chDB refused the statement: {err}\n{sql}")
    return json.loads(text)["data"] if text.strip() else []


def ask(engine, url, sql):
    """The rows of one query, as lists of values."""
    if engine == "clickhouse":
        return clickhouse(url, sql)
    if engine == "chdb":
        return chdb(url, sql)
    if engine == "pinot":
        # Null handling on: passenger_count IS NOT NULL must see the nulls that were sent
        # (the schema keeps them, enableColumnBasedNullHandling).
        answer = post(f"{url}/query/sql", {"sql": sql, "queryOptions": "enableNullHandling=true"})
        if answer.get("exceptions"):
            raise RuntimeError(f"Pinot refused the query: {answer['exceptions']}\n{sql}")
        return answer["resultTable"]["rows"]
    if engine == "druid":
        # Exact distinct counts; every answer computed, not read from the broker's cache.
        context = {"useApproximateCountDistinct": False, "useCache": False, "populateCache": False}
        return post(f"{url}/druid/v2/sql", {"query": sql, "resultFormat": "array", "context": context})
    raise ValueError(f"unknown engine {engine}")


def oracle_rows(name, rows):
    """(key, trips, revenue) rows as the oracle writes the list: sorted by key, cents."""
    key = LISTS[name]
    shaped = []
    for value, trips, revenue in rows:
        cents = (Decimal(str(revenue)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        shaped.append({
            key: int(value) if key in INTEGER_KEYS else str(value),
            "trips": int(trips),
            "revenue_cents": int(cents),
        })
    return sorted(shaped, key=lambda row: row[key])


def wait(args):
    oracle = json.loads(Path(args.oracle).read_text())
    expected = oracle["bronze_rows"]
    if args.deduplicated:
        expected -= oracle["categories"]["duplicate"]
    if args.silver:
        expected = oracle["silver_rows"]
    deadline = time.monotonic() + args.timeout
    pause = 0.2
    while True:
        try:
            rows = ask(args.engine, args.url, f"SELECT COUNT(*) FROM {args.table}")
            held = int(rows[0][0]) if rows else 0
        except (OSError, RuntimeError) as err:
            held, why = 0, err
        else:
            why = None
        if held >= expected:
            print(f"served_rows={held}")
            print(f"served_rows_expected={expected}")
            return
        if time.monotonic() >= deadline:
            sys.exit(f"{args.table} holds {held} of {expected} rows after {args.timeout} s"
                     + (f" (last error: {why})" if why else ""))
        print(f"{args.table}: {held} of {expected} rows" + (f" ({why})" if why else ""),
              flush=True)
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, 3.0)


def load(args):
    variables = dict(var.split("=", 1) for var in args.var)
    for statement in statements(Path(args.sql).read_text()):
        ask(args.engine, args.url, render(statement, variables))


def query(args):
    oracle = json.loads(Path(args.oracle).read_text())
    window = {"window_start": oracle["window"]["start"], "window_end": oracle["window"]["end"]}
    equal = 0
    if args.engine == "chdb":
        chdb(args.url, "SELECT 1")  # the session opened (the library loaded) before any timing
    for name in LISTS:
        sql = read_query(args.queries, name, window)
        times, rows = [], None
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows = ask(args.engine, args.url, sql)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name}_cold_ms={times[0]:.1f}")
        print(f"{name}_warm_ms={statistics.median(times[1:]):.1f}")
        if oracle_rows(name, rows) == oracle["gold"][name]:
            equal += 1
        else:
            print(f"Gold list {name!r} differs from the oracle", file=sys.stderr)
    print(f"serving_lists={len(LISTS)}")
    print(f"serving_lists_equal={equal}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("wait", "load", "query"):
        command = commands.add_parser(name)
        command.add_argument(
            "--engine", required=True, choices=["pinot", "druid", "clickhouse", "chdb"]
        )
        command.add_argument(
            "--url", required=True,
            help="the engine's broker or server, http://HOST:PORT (chdb: its session's folder)",
        )
    commands.choices["wait"].add_argument("--table", required=True)
    commands.choices["wait"].add_argument("--oracle", required=True)
    rows = commands.choices["wait"].add_mutually_exclusive_group()
    rows.add_argument(
        "--deduplicated", action="store_true", help="the table keeps one row per trip_id"
    )
    rows.add_argument(
        "--silver", action="store_true", help="the table holds Silver's rows (dbt's fact table)"
    )
    commands.choices["wait"].add_argument("--timeout", type=float, default=600)
    commands.choices["load"].add_argument("--sql", required=True, help="the SQL file to run")
    commands.choices["load"].add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE",
        help="a value for :'NAME' in the file (psql's -v)",
    )
    commands.choices["query"].add_argument("--queries", required=True, help="folder of NAME.sql")
    commands.choices["query"].add_argument("--oracle", required=True)
    commands.choices["query"].add_argument(
        "--repeat", type=int, default=5, help="runs per query: one cold, the rest warm (>= 2)"
    )
    args = parser.parse_args(argv)
    if args.command == "query" and args.repeat < 2:
        parser.error("--repeat must be at least 2: one cold run and one warm")
    if args.command == "load" and args.engine not in ("clickhouse", "chdb"):
        parser.error("load runs ClickHouse SQL: --engine clickhouse or chdb")
    {"wait": wait, "load": load, "query": query}[args.command](args)


if __name__ == "__main__":
    main(sys.argv[1:])
