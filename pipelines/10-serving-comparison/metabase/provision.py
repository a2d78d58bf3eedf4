#!/usr/bin/env python3
"""Provision P10's Metabase dashboard from dashboard.json through Metabase's REST API.

    provision.py --url http://metabase:3000 --dashboard dashboard.json [--queries DIR] \
        [--timeout 600]

Waits (polling, with a deadline) until /api/health answers ok; on a new Metabase, finishes
its setup with the admin from RTDE_METABASE_ADMIN_EMAIL / RTDE_METABASE_ADMIN_PASSWORD (local
defaults); logs in; adds the ClickHouse database (Metabase's built-in driver, the user and
password from RTDE_CLICKHOUSE_USER / RTDE_CLICKHOUSE_PASSWORD) unless one of that name is
there; creates one native-query card per entry of `cards`, its SQL the comparison query
DIR/NAME.sql (P10's clickhouse/ folder, what serve.py times), and the dashboard holding
them. Prints `metabase_cards=N` and `metabase_dashboard=ID`. Only the standard library: it
runs in the dbt runner's image.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Metabase:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.session = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.session:
            headers["X-Metabase-Session"] = self.session
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"{method} {path} answered {err.code}: "
                               f"{err.read().decode(errors='replace')}")
        return json.loads(text) if text.strip() else None


def wait_healthy(metabase, timeout):
    deadline = time.monotonic() + timeout
    pause = 1.0
    while True:
        try:
            if (metabase.call("GET", "/api/health") or {}).get("status") == "ok":
                return
            why = "not ok yet"
        except (OSError, RuntimeError) as err:
            why = err
        if time.monotonic() >= deadline:
            sys.exit(f"Metabase is not healthy after {timeout} s ({why})")
        print(f"waiting for Metabase: {why}", flush=True)
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, 5.0)


def log_in(metabase, email, password):
    token = (metabase.call("GET", "/api/session/properties") or {}).get("setup-token")
    if token:  # a new Metabase: its first user is created by the setup
        try:
            metabase.call("POST", "/api/setup", {
                "token": token,
                "user": {"email": email, "password": password, "first_name": "rtde",
                         "last_name": "admin", "site_name": "rtde"},
                "prefs": {"site_name": "rtde", "allow_tracking": False},
            })
        except RuntimeError as err:
            if "already" not in str(err).lower():
                raise
    metabase.session = metabase.call(
        "POST", "/api/session", {"username": email, "password": password})["id"]


def database_id(metabase, spec):
    answer = metabase.call("GET", "/api/database")
    listed = answer["data"] if isinstance(answer, dict) else answer
    for database in listed:
        if database["name"] == spec["name"]:
            return database["id"]
    details = dict(spec["details"], user=os.environ.get("RTDE_CLICKHOUSE_USER", "rtde"),
                   password=os.environ.get("RTDE_CLICKHOUSE_PASSWORD", "rtde"))
    return metabase.call("POST", "/api/database", {
        "name": spec["name"], "engine": spec["engine"], "details": details})["id"]


def card_body(card, database, queries):
    """The API's card for one entry of dashboard.json: a native query from DIR/NAME.sql."""
    sql = (queries / f"{card['query']}.sql").read_text()
    return {
        "name": card["name"],
        "display": card["display"],
        "dataset_query": {"type": "native", "database": database, "native": {"query": sql}},
        "visualization_settings": {
            "graph.dimensions": card["dimensions"],
            "graph.metrics": card["metrics"],
        },
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--dashboard", required=True, type=Path)
    parser.add_argument("--queries", type=Path, default=HERE.parent / "clickhouse")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    spec = json.loads(args.dashboard.read_text())
    metabase = Metabase(args.url)
    wait_healthy(metabase, args.timeout)
    log_in(metabase, os.environ.get("RTDE_METABASE_ADMIN_EMAIL", "admin@rtde.local"),
           os.environ.get("RTDE_METABASE_ADMIN_PASSWORD", "rtde-local-1"))
    database = database_id(metabase, spec["database"])
    dashboard = metabase.call("POST", "/api/dashboard", spec["dashboard"])["id"]
    dashcards = []
    for index, card in enumerate(spec["cards"]):
        created = metabase.call("POST", "/api/card", card_body(card, database, args.queries))
        dashcards.append({
            "id": -(index + 1), "card_id": created["id"], "row": card["row"],
            "col": card["col"], "size_x": card["size_x"], "size_y": card["size_y"],
        })
    metabase.call("PUT", f"/api/dashboard/{dashboard}", {"dashcards": dashcards})
    print(f"metabase_cards={len(dashcards)}")
    print(f"metabase_dashboard={dashboard}")


if __name__ == "__main__":
    main(sys.argv[1:])
