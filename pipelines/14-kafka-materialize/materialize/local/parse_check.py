#!/usr/bin/env python3
"""Check the Materialize pipeline's SQL as far as it can be checked without a server.

    parse_check.py [FILE.sql ...]

With no files, checks every file mz.py deploys (mz.DEPLOY_ORDER), rendered as mz.py renders
them with the generator's default window. Each file must hold exactly one statement, and:

- a transform (mz.PORTABLE) must parse in sqlglot's Materialize dialect into a real syntax
  tree (not an opaque `Command`, sqlglot's way of passing over what it does not understand),
  and may read only relations created by the files before it in DEPLOY_ORDER;
- Materialize's own DDL (the connection, the source, the sink), which sqlglot reads only as
  an opaque command, must match the shape of Materialize's documented grammar for it
  (CONNECTION_SHAPES below), naming the topics and relations the pipeline uses.

Prints `statements_checked=N`; exits 1 naming every problem.
"""

import argparse
import re
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mz  # noqa: E402

WINDOW = {"window_start": "2024-01-01T00:00:00", "window_end": "2024-02-01T00:00:00"}

# Materialize's grammar for the statements sqlglot does not know (CREATE CONNECTION … TO KAFKA,
# CREATE SOURCE … FROM KAFKA, CREATE SINK … INTO KAFKA), restricted to what this pipeline
# needs: the object each creates, what it reads and where it writes.
WS = r"\s+"
CONNECTION_SHAPES = {
    "connection.sql": re.compile(
        r"CREATE CONNECTION kafka_connection TO KAFKA \(\s*BROKER '[^']+'"
        r"\s*,\s*SECURITY PROTOCOL = 'PLAINTEXT'\s*\)\s*;?\s*$".replace(" ", WS)
    ),
    "source.sql": re.compile(
        r"CREATE SOURCE taxi_raw_trips FROM KAFKA CONNECTION kafka_connection"
        r" \(\s*TOPIC 'taxi\.raw_trips'\s*\) FORMAT BYTES"
        r" INCLUDE PARTITION AS kafka_partition\s*, OFFSET AS kafka_offset"
        r" ENVELOPE NONE\s*;?\s*$".replace(" ", WS)
    ),
    "dlq_sink.sql": re.compile(
        r"CREATE SINK taxi_raw_trips_dlq FROM dead_letters"
        r" INTO KAFKA CONNECTION kafka_connection \(\s*TOPIC 'taxi\.raw_trips\.dlq'\s*\)"
        r" KEY \(\s*source_partition\s*,\s*source_offset\s*\) NOT ENFORCED"
        r" FORMAT JSON ENVELOPE UPSERT\s*;?\s*$".replace(" ", WS)
    ),
}
# What each Materialize-only statement creates, for the order check of the transforms.
CREATES = {"connection.sql": "kafka_connection", "source.sql": "taxi_raw_trips"}


def without_comments(text):
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines()).strip()


def problems_of(name, text, created):
    """The problems of one file; adds what it creates to `created`."""
    if name in CONNECTION_SHAPES:
        if not CONNECTION_SHAPES[name].match(without_comments(text)):
            return [f"{name}: not the shape of Materialize's grammar for it: {text[-200:]!r}"]
        if name in CREATES:
            created.add(CREATES[name])
        return []
    try:
        statements = [s for s in sqlglot.parse(text, dialect="materialize") if s is not None]
    except sqlglot.errors.ParseError as err:
        return [f"{name}: does not parse as Materialize SQL: {err}"]
    if len(statements) != 1:
        return [f"{name}: holds {len(statements)} statements, expected exactly one"]
    statement = statements[0]
    if not isinstance(statement, exp.Create):
        return [f"{name}: sqlglot did not read a CREATE statement: {text[:80]!r}"]
    ctes = {cte.alias for cte in statement.find_all(exp.CTE)}
    target = statement.this.name
    read = {t.name for t in statement.find_all(exp.Table)} - ctes - {target}
    missing = sorted(read - created)
    created.add(target)
    if missing:
        return [f"{name}: reads {missing}, which no file before it in DEPLOY_ORDER creates"]
    return []


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="SQL files (default: mz.py's)")
    args = parser.parse_args(argv)
    variables = {**WINDOW, "bootstrap": "broker:9092"}
    if args.files:
        sources = [(f.name, mz.render(f.read_text(), variables)) for f in args.files]
    else:
        sources = [(n, mz.read_sql(n, variables)) for n in mz.DEPLOY_ORDER]
    created = set(CREATES.values()) if args.files else set()
    per_file = [problems_of(name, text, created) for name, text in sources]
    problems = [p for found in per_file for p in found]
    print(f"statements_checked={sum(1 for found in per_file if not found)}")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main(sys.argv[1:])
