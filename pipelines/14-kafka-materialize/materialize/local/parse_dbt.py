#!/usr/bin/env python3
"""Parse the canonical dbt project, compiled for the `materialize` target, as Materialize SQL.

    parse_dbt.py TARGET/compiled

Every compiled model and data test (one statement per file) must parse in sqlglot's
Materialize dialect into a real syntax tree (not an opaque `Command`). Prints
`models_parsed=N` and `tests_parsed=N`; exits 1 naming every problem.

Compile with `dbt compile --target materialize --no-populate-cache`, which needs no server.
"""

import argparse
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp


def problems_of(name, text):
    try:
        statements = [s for s in sqlglot.parse(text, dialect="materialize") if s is not None]
    except sqlglot.errors.ParseError as err:
        return [f"{name}: does not parse as Materialize SQL: {err}"]
    if len(statements) != 1:
        return [f"{name}: holds {len(statements)} statements, expected exactly one"]
    if isinstance(statements[0], exp.Command):
        return [f"{name}: sqlglot parsed it only as an opaque command: {text[:80]!r}"]
    return []


def kind_of(path):
    """dbt writes a model to models/…/NAME.sql, a generic test to models/…/SCHEMA.yml/NAME.sql
    and a singular test to tests/NAME.sql."""
    if path.parent.name.endswith(".yml") or "tests" in path.parts:
        return "tests"
    return "models"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiled", type=Path, help="dbt's target/compiled directory")
    args = parser.parse_args(argv)
    files = sorted(args.compiled.rglob("*.sql"))
    if not files:
        sys.exit(f"no compiled SQL under {args.compiled}: run dbt compile first")
    per_file = {f: problems_of(str(f.relative_to(args.compiled)), f.read_text()) for f in files}
    problems = [p for found in per_file.values() for p in found]
    for kind in ("models", "tests"):
        parsed = sum(1 for f, found in per_file.items() if kind_of(f) == kind and not found)
        print(f"{kind}_parsed={parsed}")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main(sys.argv[1:])
