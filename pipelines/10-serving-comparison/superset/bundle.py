#!/usr/bin/env python3
"""Zip P10's Superset assets (assets/) into the bundle `superset import-dashboards` reads.

    bundle.py --out dashboard.zip

Superset imports a zip holding one folder with metadata.yaml, databases/, datasets/, charts/
and dashboards/ (its export format); the files are kept unzipped in the repository so that
they can be read and diffed. The database's password is not among them: it is put into the
bundle's database file from RTDE_CLICKHOUSE_PASSWORD (`rtde`, the stack's local default,
when unset), as Superset asks for the password of a database it imports.
"""

import argparse
import json
import os
import sys
import zipfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
FOLDER = "p10_dashboard"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="the zip file to write")
    parser.add_argument("--assets", type=Path, default=ASSETS, help="the folder to bundle")
    args = parser.parse_args(argv)
    password = os.environ.get("RTDE_CLICKHOUSE_PASSWORD", "rtde")
    files = sorted(path for path in args.assets.rglob("*.yaml") if path.is_file())
    if not (args.assets / "metadata.yaml").is_file():
        sys.exit(f"{args.assets} has no metadata.yaml: not a Superset export")
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            relative = path.relative_to(args.assets)
            text = path.read_text()
            if relative.parts[0] == "databases":
                # A JSON string is a YAML string: quoted and escaped whatever the password.
                text += f"password: {json.dumps(password)}\n"
            bundle.writestr(f"{FOLDER}/{relative}", text)
    print(f"bundled {len(files)} files into {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
