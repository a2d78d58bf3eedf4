#!/usr/bin/env python3
"""Set P17's Druid up from the dbt runner's container: the zone lookup, then the supervisor.

    setup.py --coordinator http://druid-coordinator:8081 --supervisor supervisor.json \
        --zones /dbt/seeds/taxi_zone_lookup.csv [--timeout 300]

The lookup `taxi_zone_borough` maps each zone id (as text) to its borough, from the dbt seed
taxi_zone_lookup.csv (the generator's own table); the borough query reads it with LOOKUP.
The supervisor (supervisor.json) starts Kafka indexing of taxi.raw_trips from its first
offset. Both are asked of the coordinator, which is the overlord too (druid/environment).
Each step waits, with a deadline, until Druid reports it done: the lookup loaded, the
supervisor RUNNING. Prints `druid_lookup_zones=N` and `druid_supervisor=ID`. Only the
standard library: it runs in the dbt runner's image.
"""

import argparse
import csv
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

LOOKUP = "taxi_zone_borough"


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"{method} {url} answered {err.code}: {err.read().decode(errors='replace')}")
    return json.loads(text) if text.strip() else None


def until(what, check, deadline):
    """Polls check() with a growing pause until it is true, or exits at the deadline."""
    pause = 0.2
    while True:
        try:
            done, state = check(), None
        except (OSError, RuntimeError) as err:
            done, state = False, err
        if done:
            return
        if time.monotonic() >= deadline:
            sys.exit(f"{what} not done before the deadline" + (f" (last error: {state})" if state else ""))
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, 3.0)


def boroughs(path):
    with open(path, newline="") as zones:
        return {row["LocationID"]: row["Borough"] for row in csv.DictReader(zones)}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coordinator", required=True)
    parser.add_argument("--supervisor", required=True, type=Path)
    parser.add_argument("--zones", required=True)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    lookups = f"{args.coordinator}/druid/coordinator/v1/lookups"

    def initialise():
        # An empty configuration first: Druid's lookup manager takes none until it has one.
        call("POST", f"{lookups}/config", {})
        return True

    until("the lookup configuration initialised", initialise, deadline)
    zones = boroughs(args.zones)
    call("POST", f"{lookups}/config/__default/{LOOKUP}", {
        "version": "v1",
        "lookupExtractorFactory": {"type": "map", "map": zones},
    })
    until(
        f"the lookup {LOOKUP} loaded",
        lambda: (call("GET", f"{lookups}/status/__default/{LOOKUP}") or {}).get("loaded") is True,
        deadline,
    )
    print(f"druid_lookup_zones={len(zones)}")

    spec = json.loads(args.supervisor.read_text())
    supervisor = call("POST", f"{args.coordinator}/druid/indexer/v1/supervisor", spec)["id"]
    until(
        f"the supervisor {supervisor} running",
        lambda: call("GET", f"{args.coordinator}/druid/indexer/v1/supervisor/{supervisor}/status")
        ["payload"]["state"] == "RUNNING",
        deadline,
    )
    print(f"druid_supervisor={supervisor}")


if __name__ == "__main__":
    main(sys.argv[1:])
