#!/usr/bin/env python3
"""Parse the serving pipelines' comparison queries, as serve.py sends them, with sqlglot.

    check_queries.py --engine pinot|druid|clickhouse --queries DIR [--dashboard GRAFANA.json] \
        [--ddl LOAD.sql] [--metabase DASHBOARD.json] [--superset ASSETS_DIR]

Each of the four queries (serve.LISTS), rendered by serve.read_query with the generator's
default window, must leave no `:name` fragment or `:'name'` variable unfilled, parse into
exactly one SELECT (sqlglot's Druid dialect for Druid; sqlglot has no Pinot dialect, so
Pinot's Calcite SQL is read with sqlglot's default dialect) and select three columns: the
key, trips and revenue. With --dashboard, every panel's query must be the same query with
Grafana's constants `${window_start}` and `${window_end}` for the window.

For ClickHouse (P10), whose queries read a table that its own SQL creates: with --ddl, every
table and column a query reads is one the file's CREATE TABLE makes; with --metabase, every
card of the dashboard file is one comparison query (each once) and charts only columns that
query returns; with --superset (the import bundle's folder), the dataset is that table with
exactly its columns and types, and every chart's columns and metrics are the dataset's.
Prints `queries_parsed=N` (and `panels_matching=N`, `queries_on_ddl=N`, `metabase_cards=N`,
`superset_charts=N`); exits 1 naming every problem.
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
DIALECT = {"pinot": None, "druid": "druid", "clickhouse": "clickhouse"}


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


def created_table(ddl_path):
    """(name, {column: type}) of the CREATE TABLE in a ClickHouse SQL file."""
    for statement in serve.statements(ddl_path.read_text()):
        parsed = sqlglot.parse_one(serve.render(statement, {"fact_parquet": "x.parquet"}),
                                   dialect="clickhouse")
        if isinstance(parsed, exp.Create) and parsed.kind == "TABLE":
            schema = parsed.this
            columns = {c.name: c.args["kind"].sql(dialect="clickhouse")
                       for c in schema.expressions if isinstance(c, exp.ColumnDef)}
            return schema.this.name, columns
    sys.exit(f"{ddl_path} creates no table")


def ddl_problems(name, sql, table, columns):
    select = sqlglot.parse_one(sql, dialect="clickhouse")
    problems = [f"{name}: reads {t.name}, not {table}" for t in select.find_all(exp.Table)
                if t.name != table]
    aliases = {e.alias for e in select.expressions if e.alias}
    problems += [f"{name}: reads {c.name}, which {table} has not" for c in select.find_all(exp.Column)
                 if c.name not in columns and c.name not in aliases]
    return problems


def outputs(sql):
    return [e.alias_or_name for e in sqlglot.parse_one(sql, dialect="clickhouse").expressions]


def metabase_problems(dashboard, queries):
    problems = []
    if dashboard["database"]["engine"] != "clickhouse":
        problems.append(f"Metabase's database is {dashboard['database']['engine']}, not clickhouse")
    names = [card["query"] for card in dashboard["cards"]]
    if sorted(names) != sorted(serve.LISTS):
        problems.append(f"Metabase's cards show {names}, not each comparison query once")
    for card in dashboard["cards"]:
        if card["query"] not in serve.LISTS:
            continue
        returned = outputs(serve.read_query(queries, card["query"], WINDOW))
        problems += [f"Metabase card {card['name']!r} charts {column}, which "
                     f"{card['query']}.sql does not return ({returned})"
                     for column in card["dimensions"] + card["metrics"] if column not in returned]
    return problems


def superset_problems(assets, table, columns):
    import yaml  # only this check reads YAML (PyYAML is in the repo's .venv)

    datasets = [yaml.safe_load(p.read_text()) for p in sorted(assets.glob("datasets/*/*.yaml"))]
    charts = [yaml.safe_load(p.read_text()) for p in sorted(assets.glob("charts/*.yaml"))]
    problems = []
    if [d["table_name"] for d in datasets] != [table]:
        return [f"Superset's datasets are {[d['table_name'] for d in datasets]}, not [{table}]"]
    dataset = datasets[0]
    typed = {c["column_name"]: c["type"] for c in dataset["columns"]}
    # sqlglot writes some ClickHouse types in capitals (Date as DATE): compared in one case.
    if {k: v.upper() for k, v in typed.items()} != {k: v.upper() for k, v in columns.items()}:
        problems.append(f"Superset's dataset columns {typed} are not {table}'s {columns}")
    metrics = {m["metric_name"]: m["expression"] for m in dataset["metrics"]}
    for metric, expression in metrics.items():
        parsed = sqlglot.parse_one(expression, dialect="clickhouse")
        problems += [f"Superset metric {metric}: {c.name} is not a column of {table}"
                     for c in parsed.find_all(exp.Column) if c.name not in columns]
    for chart in charts:
        params = chart["params"]
        used = list(params.get("groupby", [])) + [params[k] for k in ("x_axis",) if k in params]
        problems += [f"Superset chart {chart['slice_name']!r}: {c} is not a column of {table}"
                     for c in used if c not in columns]
        wanted = list(params.get("metrics", [])) + [params[k] for k in ("metric",) if k in params]
        problems += [f"Superset chart {chart['slice_name']!r}: no metric {m} in the dataset"
                     for m in wanted if m not in metrics]
        if chart["dataset_uuid"] != dataset["uuid"]:
            problems.append(f"Superset chart {chart['slice_name']!r} is not on the dataset")
    return problems, len(charts)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", required=True, choices=sorted(DIALECT))
    parser.add_argument("--queries", required=True, type=Path)
    parser.add_argument("--dashboard", type=Path)
    parser.add_argument("--ddl", type=Path, help="the ClickHouse SQL that creates the table")
    parser.add_argument("--metabase", type=Path, help="a Metabase dashboard file (needs --ddl)")
    parser.add_argument("--superset", type=Path, help="a Superset bundle's folder (needs --ddl)")
    args = parser.parse_args(argv)
    if (args.metabase or args.superset) and not args.ddl:
        parser.error("--metabase and --superset check against the table: give --ddl")
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
    if args.ddl:
        table, columns = created_table(args.ddl)
        on_ddl = 0
        for name in serve.LISTS:
            found = ddl_problems(name, serve.read_query(args.queries, name, WINDOW), table, columns)
            problems += found
            on_ddl += not found
        print(f"queries_on_ddl={on_ddl}")
        if args.metabase:
            dashboard = json.loads(args.metabase.read_text())
            problems += metabase_problems(dashboard, args.queries)
            print(f"metabase_cards={len(dashboard['cards'])}")
        if args.superset:
            found, charts = superset_problems(args.superset, table, columns)
            problems += found
            print(f"superset_charts={charts}")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main(sys.argv[1:])
