#!/usr/bin/env python3
"""Ask an Iceberg REST catalog where a table's current metadata file is, as dbt vars.

    iceberg_metadata.py --catalog http://catalog:8181/catalog --warehouse warehouse --table taxi.silver_trips

prints {"silver_source": "iceberg", "silver_iceberg_path": "s3://…/metadata/000…json"} for
`RTDE_DBT_VARS`. A REST catalog (Lakekeeper) chooses where a table lives and writes no
version-hint file, so DuckDB's iceberg_scan needs the metadata file the catalog names; the
legacy dbt-duckdb adapter cannot attach a REST catalog from a profile. Two requests of the
Iceberg REST protocol: GET /v1/config (the warehouse's prefix), then GET the table.
Standard library only, so it runs in any image with Python.
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def metadata_location(catalog, warehouse, table):
    namespace, _, name = table.rpartition(".")
    if not namespace or not name:
        raise ValueError(f"--table must be NAMESPACE.TABLE, got {table!r}")
    config = get(f"{catalog}/v1/config?{urllib.parse.urlencode({'warehouse': warehouse})}")
    prefix = {**config.get("defaults", {}), **config.get("overrides", {})}.get("prefix")
    base = f"{catalog}/v1/{urllib.parse.quote(prefix, safe='')}" if prefix else f"{catalog}/v1"
    # A multi-level namespace is sent joined by the unit separator (0x1F), as the spec says.
    path_ns = urllib.parse.quote("\x1f".join(namespace.split(".")), safe="")
    loaded = get(f"{base}/namespaces/{path_ns}/tables/{urllib.parse.quote(name, safe='')}")
    return loaded["metadata-location"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, help="the catalog's REST URI")
    parser.add_argument("--warehouse", required=True, help="the warehouse name")
    parser.add_argument("--table", required=True, help="NAMESPACE.TABLE")
    args = parser.parse_args(argv)
    try:
        location = metadata_location(args.catalog.rstrip("/"), args.warehouse, args.table)
    except (urllib.error.URLError, KeyError, ValueError) as error:
        print(f"iceberg_metadata.py: cannot locate {args.table} in {args.catalog}: {error}",
              file=sys.stderr)
        return 1
    print(json.dumps({"silver_source": "iceberg", "silver_iceberg_path": location}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
