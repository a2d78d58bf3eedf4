#!/usr/bin/env python3
"""serve.sh on chDB (ClickHouse's engine in process), where no ClickHouse server can run.

    serve_chdb.py --gold GOLD.json --oracle ORACLE.json

Loads the two documents as serve.sh does (one `json String` row each, in `gold_doc` and
`oracle_doc` of the database `rtde`), runs serve.sql statement by statement, and prints its
last answer: `serving_lists=N` and `serving_lists_equal=M`.
"""

import argparse
from pathlib import Path

from chdb import session

HERE = Path(__file__).resolve().parent


def statements(sql):
    """serve.sql's statements: split on `;` at line ends, comment lines dropped."""
    text = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in text.split(";\n") if part.strip().rstrip(";")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", required=True, type=Path)
    parser.add_argument("--oracle", required=True, type=Path)
    args = parser.parse_args()
    db = session.Session()
    db.query("CREATE DATABASE IF NOT EXISTS rtde")
    db.query("USE rtde")
    for doc, path in (("gold", args.gold), ("oracle", args.oracle)):
        db.query(f"CREATE TABLE {doc}_doc ENGINE = Memory AS SELECT json "
                 f"FROM file('{path.resolve()}', 'JSONAsString', 'json String')")
    answer = None
    for statement in statements((HERE / "serve.sql").read_text()):
        answer = db.query(statement.rstrip(";"))
    print(str(answer).replace("\t", "\n"), end="")


if __name__ == "__main__":
    main()
