"""What the Spark jobs share: their settings and the oracle's window (the table formats and
their sessions are tables.py).

Settings come from the environment (shared/compose/spark.yaml sets them), so the jobs hold
no address or credential of their own; the defaults are the compose stack's.
"""

import json
import os
import signal
import sys
from pathlib import Path


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def read_window(oracle: Path) -> tuple[str, str]:
    """The generation window `[start, end)` of the run: RTDE_WINDOW (`start/end`) when set,
    as under a sustained load, where the oracle is written only when the load ends;
    otherwise the generator's oracle."""
    if window := os.environ.get("RTDE_WINDOW"):
        start, sep, end = window.partition("/")
        if not (sep and start and end):
            sys.exit(f"RTDE_WINDOW={window!r} is not START/END")
        return start, end
    try:
        window = json.loads(oracle.read_text())["window"]
        return window["start"], window["end"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        sys.exit(f"cannot read window.start/window.end from the oracle {oracle}: {err}")


def run_until_signalled(spark, queries, poll_s: float = 1.0) -> None:
    """Lets `spark`'s continuous `queries` run until SIGINT or SIGTERM, then stops them; exits non-zero
    if one of them fails first.

    The handler only records the signal: the main thread is most often inside a py4j call,
    which Python resumes after the handler (PEP 475), and `awaitAnyTermination` returns
    within `poll_s` to look at it. A query is stopped between micro-batches or interrupted
    in one: a batch's offsets are logged before it runs and its commit after, so the next
    run of the same query redoes an interrupted batch, and Iceberg's streaming sink skips a
    batch it has already committed.
    """
    stop = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda received, _frame: stop.append(received))
    print(f"rtde-spark: {len(queries)} continuous queries running", flush=True)
    while not stop:
        # Raises the failure of a query that failed (the stage fails with its text).
        spark.streams.awaitAnyTermination(poll_s)
        ended = [q.name or q.id for q in queries if not q.isActive]
        if ended and not stop:
            sys.exit(f"the continuous queries {ended} ended before the stop signal")
    for query in queries:
        query.stop()
    print(f"rtde-spark: stopped {len(queries)} queries on {signal.Signals(stop[0]).name}", flush=True)
