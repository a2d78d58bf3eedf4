#!/usr/bin/env python3
"""Run serve.py against a stand-in for Pinot's or Druid's broker or ClickHouse's server, for the tests.

    stand_in.py --engine pinot|druid --oracle ORACLE.json [--tamper LIST] -- SERVE_ARGS...
    stand_in.py --engine clickhouse --chdb SESSION_DIR -- SERVE_ARGS...

A stand-in, not the engine (neither can run here: no image registry): an HTTP server on
127.0.0.1 that speaks the engine's query protocol as serve.py uses it (Pinot: POST
/query/sql with `sql` and `queryOptions`, answering `resultTable.rows`; Druid: POST
/druid/v2/sql with `query`, `resultFormat: array` and `context`, answering an array of
arrays), refusing any other request shape with 400. It answers `SELECT COUNT(*)` with the
rows the engine would hold (Bronze, less the duplicates for Pinot's dedup) and each
comparison query, told apart by its key's alias, with the oracle's own Gold list as
(key, trips, revenue in dollars as a double); --tamper LIST adds one trip to that list's
first row. serve.py then runs with `{url}` in SERVE_ARGS replaced by the stand-in's URL; its
output and exit code are passed on.

What this checks is serve.py: the requests, the conversion of answers into the oracle's
shape, the comparison, the timings. Whether the engines answer the queries so is what an
end-to-end run on a machine with a registry checks.

For ClickHouse the stand-in speaks its HTTP interface as serve.py uses it (POST / with the
statement as the body, `database`, `default_format=JSONCompact` and
`output_format_json_quote_64bit_integers=0` as parameters, the user and password as
X-ClickHouse-User / X-ClickHouse-Key, which must be the stack's local defaults, `rtde`) and
answers by running the statement on chDB, ClickHouse's engine, in the session kept in
SESSION_DIR (a table loaded there by `serve.py load --engine chdb`).
"""

import argparse
import json
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path

# The key's alias in each query; the payment-type query selects its column unaliased.
ALIASES = {"pickup_date": "daily", "borough": "borough", "pickup_hour": "hourly"}
KEYS = {"daily": "date", "borough": "borough", "payment_type": "payment_type", "hourly": "hour"}
PATHS = {"pinot": "/query/sql", "druid": "/druid/v2/sql", "clickhouse": "/"}
CLICKHOUSE_PARAMS = {
    "database": ["rtde"],
    "default_format": ["JSONCompact"],
    "output_format_json_quote_64bit_integers": ["0"],
}


def answer_rows(engine, oracle, tamper, sql):
    if "GROUP BY" not in sql.upper():
        held = oracle["bronze_rows"]
        if engine == "pinot":
            held -= oracle["categories"]["duplicate"]
        return [[held]]
    name = next((n for alias, n in ALIASES.items() if f"AS {alias}" in sql), "payment_type")
    rows = []
    for i, row in enumerate(oracle["gold"][name]):
        trips = row["trips"] + (1 if name == tamper and i == 0 else 0)
        rows.append([row[KEYS[name]], trips, row["revenue_cents"] / 100])
    # The engine's order is not the oracle's: serve.py must sort.
    return list(reversed(rows))


def clickhouse_handler(session_dir):
    sessions = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, data):
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            from chdb import session  # only the ClickHouse stand-in needs it

            path, _, query = self.path.partition("?")
            sql = self.rfile.read(int(self.headers["Content-Length"])).decode()
            ok = (path == PATHS["clickhouse"]
                  and urllib.parse.parse_qs(query) == CLICKHOUSE_PARAMS
                  and self.headers.get("X-ClickHouse-User") == "rtde"
                  and self.headers.get("X-ClickHouse-Key") == "rtde")
            if not ok:
                return self.reply(400, b"not the request shape serve.py is to send")
            if "db" not in sessions:
                sessions["db"] = session.Session(str(session_dir))
            try:
                answer = sessions["db"].query(sql, "JSONCompact").bytes()
            except RuntimeError as err:
                return self.reply(500, str(err).encode())
            self.reply(200, answer)

    return Handler


def handler(engine, oracle, tamper):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if engine == "pinot":
                ok = self.path == PATHS[engine] and set(body) == {"sql", "queryOptions"}
                sql = body.get("sql", "")
            else:
                ok = (self.path == PATHS[engine] and set(body) == {"query", "resultFormat", "context"}
                      and body["resultFormat"] == "array")
                sql = body.get("query", "")
            if not ok:
                self.send_response(400)
                self.end_headers()
                self.wfile.write(b"not the request shape the engine takes")
                return
            rows = answer_rows(engine, oracle, tamper, sql)
            reply = {"resultTable": {"rows": rows}, "exceptions": []} if engine == "pinot" else rows
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main(argv):
    if "--" not in argv:
        sys.exit("usage: stand_in.py --engine E (--oracle O [--tamper LIST] | --chdb DIR) "
                 "-- SERVE_ARGS...")
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", required=True, choices=sorted(PATHS))
    parser.add_argument("--oracle", type=Path, help="Pinot and Druid: the answers")
    parser.add_argument("--tamper", choices=sorted(KEYS))
    parser.add_argument("--chdb", type=Path, help="ClickHouse: the chDB session that answers")
    args = parser.parse_args(argv[:split])
    if args.engine == "clickhouse":
        if not args.chdb:
            parser.error("the ClickHouse stand-in answers from chDB: give --chdb")
        # One thread: chDB's session is asked one statement at a time.
        server = HTTPServer(("127.0.0.1", 0), clickhouse_handler(args.chdb))
    else:
        if not args.oracle:
            parser.error(f"the {args.engine} stand-in answers from the oracle: give --oracle")
        oracle = json.loads(args.oracle.read_text())
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler(args.engine, oracle, args.tamper))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    serve = Path(__file__).resolve().parent.parent / "serve.py"
    command = [sys.executable, str(serve)] + [a.replace("{url}", url) for a in argv[split + 1:]]
    done = subprocess.run(command)
    server.shutdown()
    sys.exit(done.returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
