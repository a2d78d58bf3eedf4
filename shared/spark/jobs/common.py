"""What the Spark jobs share: their settings and the oracle's window (the table formats and
their sessions are tables.py).

Settings come from the environment (shared/compose/spark.yaml sets them), so the jobs hold
no address or credential of their own; the defaults are the compose stack's.
"""

import json
import os
import sys
from pathlib import Path


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def read_window(oracle: Path) -> tuple[str, str]:
    """The generation window `[start, end)` of the run, from the generator's oracle."""
    try:
        window = json.loads(oracle.read_text())["window"]
        return window["start"], window["end"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        sys.exit(f"cannot read window.start/window.end from the oracle {oracle}: {err}")
