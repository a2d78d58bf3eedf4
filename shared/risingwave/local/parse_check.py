#!/usr/bin/env python3
"""Parse the RisingWave pipeline's SQL with sqlglot's RisingWave dialect.

    parse_check.py --oracle ORACLE.json [FILE.sql ...]

With no files, checks every file rw.py deploys (rw.DEPLOY_ORDER), rendered as rw.py renders
them. Each file must hold exactly one statement that sqlglot parses into a syntax tree (not
an opaque `Command`, which is how sqlglot passes over what it does not understand), and must
not use a type RisingWave's binder rejects although the parser accepts it: numeric or decimal
with a precision or scale (RisingWave's numeric has neither). Prints `statements_parsed=N`;
exits 1 naming every problem.

This is as far as the SQL can be checked without a RisingWave server: sqlglot knows
RisingWave's grammar (CREATE SOURCE … FORMAT … ENCODE, CREATE SINK), not its catalog or its
connectors' options.
"""

import argparse
import json
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import rw  # noqa: E402


def problems_of(name, text):
    try:
        statements = [s for s in sqlglot.parse(text, dialect="risingwave") if s is not None]
    except sqlglot.errors.ParseError as err:
        return [f"{name}: does not parse as RisingWave SQL: {err}"]
    if len(statements) != 1:
        return [f"{name}: holds {len(statements)} statements, expected exactly one"]
    statement = statements[0]
    if isinstance(statement, exp.Command):
        return [f"{name}: sqlglot parsed it only as an opaque command: {text[:80]!r}"]
    problems = []
    for data_type in statement.find_all(exp.DataType):
        if data_type.this == exp.DataType.Type.DECIMAL and data_type.expressions:
            problems.append(
                f"{name}: {data_type.sql(dialect='risingwave')}: RisingWave's numeric takes no "
                "precision or scale"
            )
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", required=True, type=Path, help="the generator's oracle JSON")
    parser.add_argument("files", nargs="*", type=Path, help="SQL files (default: rw.py's)")
    args = parser.parse_args(argv)
    variables = {**rw.window_of(json.loads(args.oracle.read_text())), "bootstrap": "broker:9092"}
    if args.files:
        sources = [(str(f), rw.render(f.read_text(), variables)) for f in args.files]
    else:
        sources = [(n, rw.read_sql(n, variables)) for n in rw.DEPLOY_ORDER]
    per_file = [problems_of(name, text) for name, text in sources]
    problems = [p for found in per_file for p in found]
    print(f"statements_parsed={sum(1 for found in per_file if not found)}")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main(sys.argv[1:])
