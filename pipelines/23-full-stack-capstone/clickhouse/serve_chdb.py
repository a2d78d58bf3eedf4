#!/usr/bin/env python3
"""serve.sh on chDB (ClickHouse's engine in process), where no ClickHouse server can run.

    serve_chdb.py --gold GOLD.json --oracle ORACLE.json

Loads the two documents as serve.sh does (one `json String` row each, in `gold_doc` and
`oracle_doc` of the database `rtde`), runs serve.sql statement by statement (split as
shared/serving/serve.py splits ClickHouse SQL), and prints its last answer:
`serving_lists=N` and `serving_lists_equal=M`.
"""

import argparse
import sys
from pathlib import Path

from chdb import session

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "shared/serving"))
from serve import statements  # noqa: E402 (found through the path just set)


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
        answer = db.query(statement)
    print(str(answer).replace("\t", "\n"), end="")


if __name__ == "__main__":
    main()
