"""P20's Bytewax dataflow: Kafka → canonical Silver rules → Parquet, dead letters → Kafka.

    taxi.raw_trips ──parse──┬── not a JSON object ─────────────▶ taxi.raw_trips.dlq (unchanged)
                            └── Silver rules ─ dedup on trip_id ─▶ /data/silver/part-<worker>.parquet

The source reads every partition from the beginning to the end it finds (`tail=False`), so
the dataflow is a job that finishes when the topic's backlog is processed: rtde times that
as the processing stage, with no sleep and no guess. Run it with

    python -m bytewax.run flow:flow -w 2

Under a sustained load (`rtde bench p20 --rate R --duration D`, RTDE_SUSTAINED=1) the
dataflow runs continuously instead: the source follows the topic (`tail=True`), each batch
becomes its own Parquet file, written beside Silver and renamed into it once complete (so
rtde's freshness probe, counting footers, sees rows the moment they are readable), and the
generation window comes from RTDE_WINDOW (`start/end`), since the oracle is written only
when the load ends. rtde stops it with SIGINT once Silver holds the oracle's count.

Configuration (environment): RTDE_BROKERS (default broker:9092), RTDE_TOPIC
(taxi.raw_trips), RTDE_DLQ_TOPIC (taxi.raw_trips.dlq), RTDE_ORACLE (/data/oracle.json, for
the generation window), RTDE_SILVER_DIR (/data/silver).
"""

import os
from pathlib import Path

import bytewax.operators as op
import pyarrow as pa
import pyarrow.parquet as pq
from bytewax.connectors.kafka import KafkaSinkMessage
from bytewax.connectors.kafka import operators as kop
from bytewax.dataflow import Dataflow
from bytewax.outputs import DynamicSink, StatelessSinkPartition

from silver_parquet import SILVER_SCHEMA
from silver_rules import Window, parse, silver_row

BROKERS = os.environ.get("RTDE_BROKERS", "broker:9092").split(",")
TOPIC = os.environ.get("RTDE_TOPIC", "taxi.raw_trips")
DLQ_TOPIC = os.environ.get("RTDE_DLQ_TOPIC", "taxi.raw_trips.dlq")
ORACLE = os.environ.get("RTDE_ORACLE", "/data/oracle.json")
SILVER_DIR = Path(os.environ.get("RTDE_SILVER_DIR", "/data/silver"))
SUSTAINED = os.environ.get("RTDE_SUSTAINED") == "1"


class _ParquetPartition(StatelessSinkPartition):
    """One Parquet file per worker; each batch Bytewax hands over becomes a row group."""

    def __init__(self, path: Path):
        # Opened at once, so a worker that receives no rows still leaves a valid empty file.
        self._writer = pq.ParquetWriter(path, SILVER_SCHEMA, compression="snappy")

    def write_batch(self, items):
        if items:
            self._writer.write_table(pa.Table.from_pylist(items, schema=SILVER_SCHEMA))

    def close(self):
        self._writer.close()


class _RollingParquetPartition(StatelessSinkPartition):
    """Sustained mode: one Parquet file per batch, renamed into Silver once its footer is
    written, so a reader never sees a file being written."""

    def __init__(self, directory: Path, staging: Path, worker_index: int):
        self._directory = directory
        self._staging = staging
        self._prefix = f"part-{worker_index}"
        self._files = 0

    def write_batch(self, items):
        if not items:
            return
        name = f"{self._prefix}-{self._files:06d}.parquet"
        staged = self._staging / name
        pq.write_table(pa.Table.from_pylist(items, schema=SILVER_SCHEMA), staged, compression="snappy")
        os.replace(staged, self._directory / name)
        self._files += 1


class ParquetSink(DynamicSink):
    def __init__(self, directory: Path):
        self._directory = directory

    def build(self, step_id, worker_index, worker_count):
        self._directory.mkdir(parents=True, exist_ok=True)
        if SUSTAINED:
            # Beside Silver, on the same volume: a rename, not a copy.
            staging = self._directory.parent / f".{self._directory.name}-staging"
            staging.mkdir(parents=True, exist_ok=True)
            return _RollingParquetPartition(self._directory, staging, worker_index)
        return _ParquetPartition(self._directory / f"part-{worker_index}.parquet")


def _raise(error):
    raise RuntimeError(f"reading {TOPIC}: {error.err}")


def _first_copy(seen, row):
    """Keeps the first row of each trip_id: a re-sent duplicate is its original, byte for byte."""
    return True, (None if seen else row)


window = Window.from_text(os.environ["RTDE_WINDOW"]) if SUSTAINED else Window.from_oracle(ORACLE)
flow = Dataflow("p20_silver")
messages = kop.input("raw_trips", flow, brokers=BROKERS, topics=[TOPIC], tail=SUSTAINED)
op.inspect("kafka_errors", messages.errs, lambda _step, error: _raise(error))

parsed = op.map("parse", messages.oks, lambda msg: (msg, parse(msg.value)))
split = op.branch("is_json_object", parsed, lambda pair: pair[1] is not None)

dead_letters = op.map("dead_letter", split.falses, lambda pair: KafkaSinkMessage(pair[0].key, pair[0].value))
kop.output("dlq", dead_letters, brokers=BROKERS, topic=DLQ_TOPIC)

kept = op.filter_map("silver_rules", split.trues, lambda pair: silver_row(pair[1], window))
by_trip = op.key_on("by_trip_id", kept, lambda row: row["trip_id"])
first = op.filter_map("dedup", op.stateful_map("first_copy", by_trip, _first_copy), lambda kv: kv[1])
op.output("silver", first, ParquetSink(SILVER_DIR))
