#!/usr/bin/env python3
"""Parse the serving pipelines' comparison queries, as serve.py sends them, with sqlglot.

    check_queries.py --engine pinot|druid --queries DIR [--dashboard GRAFANA.json]

Each of the four queries (serve.LISTS), rendered by serve.read_query with the generator's
default window, must leave no `:name` fragment or `:'name'` variable unfilled, parse into
exactly one SELECT (sqlglot's Druid dialect for Druid; sqlglot has no Pinot dialect, so
Pinot's Calcite SQL is read with sqlglot's default dialect) and select three columns: the
key, trips and revenue. With --dashboard, every panel's query must be the same query with
Grafana's constants `${window_start}` and `${window_end}` for the window. Prints
`queries_parsed=N` (and `panels_matching=N`); exits 1 naming every problem.
"""

import argparse
import json
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import serve  # noqa: E402  (the queries are checked as the script that sends them renders them)

WINDOW = {"window_start": "2024-01-01T00:00:00", "window_end": "2024-02-01T00:00:00"}
GRAFANA_WINDOW = {"window_start": "${window_start}", "window_end": "${window_end}"}
DIALECT = {"pinot": None, "druid": "druid"}


def problems_of(engine, name, sql):
    if serve.FRAGMENT.search(serve.without_comments(sql)) or ":'" in sql:
        return [f"{name}: a fragment or variable is left unfilled:\n{sql}"]
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=DIALECT[engine]) if s is not None]
    except sqlglot.errors.ParseError as err:
        return [f"{name}: does not parse: {err}"]
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        return [f"{name}: not exactly one SELECT"]
    if len(statements[0].expressions) != 3:
        return [f"{name}: selects {len(statements[0].expressions)} columns, not key, trips, revenue"]
    return []


def panel_queries(dashboard):
    return {
        panel["title"]: target["builder"]["query"]
        for panel in dashboard["panels"]
        for target in panel["targets"]
    }


def code(sql):
    """The SQL without its comment lines and surrounding space: what a panel may differ by."""
    return serve.without_comments(sql)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", required=True, choices=sorted(DIALECT))
    parser.add_argument("--queries", required=True, type=Path)
    parser.add_argument("--dashboard", type=Path)
    args = parser.parse_args(argv)
    problems, parsed = [], 0
    for name in serve.LISTS:
        found = problems_of(args.engine, name, serve.read_query(args.queries, name, WINDOW))
        problems += found
        parsed += not found
    print(f"queries_parsed={parsed}")
    if args.dashboard:
        panels = panel_queries(json.loads(args.dashboard.read_text()))
        expected = {code(serve.read_query(args.queries, n, GRAFANA_WINDOW)) for n in serve.LISTS}
        matching = sum(1 for sql in panels.values() if code(sql) in expected)
        if matching != len(expected) or len(panels) != len(expected):
            problems.append(
                f"{len(panels)} panels, {matching} of them the comparison queries "
                f"({len(expected)}): each panel must show one comparison query"
            )
        print(f"panels_matching={matching}")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main(sys.argv[1:])
