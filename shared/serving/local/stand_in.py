#!/usr/bin/env python3
"""Run serve.py against a stand-in for Pinot's or Druid's broker, for the tests.

    stand_in.py --engine pinot|druid --oracle ORACLE.json [--tamper LIST] -- SERVE_ARGS...

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
"""

import argparse
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The key's alias in each query; the payment-type query selects its column unaliased.
ALIASES = {"pickup_date": "daily", "borough": "borough", "pickup_hour": "hourly"}
KEYS = {"daily": "date", "borough": "borough", "payment_type": "payment_type", "hourly": "hour"}
PATHS = {"pinot": "/query/sql", "druid": "/druid/v2/sql"}


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
        sys.exit("usage: stand_in.py --engine E --oracle O [--tamper LIST] -- SERVE_ARGS...")
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", required=True, choices=sorted(PATHS))
    parser.add_argument("--oracle", required=True, type=Path)
    parser.add_argument("--tamper", choices=sorted(KEYS))
    args = parser.parse_args(argv[:split])
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
