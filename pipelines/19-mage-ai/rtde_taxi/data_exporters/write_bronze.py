"""Bronze as Parquet on the run's data volume, where rtde counts it."""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

if "data_exporter" not in globals():
    from mage_ai.data_preparation.decorators import data_exporter

BRONZE_DIR = Path(os.environ.get("RTDE_BRONZE_DIR", "/data/bronze"))
SCHEMA = pa.schema([("partition", pa.int32()), ("offset", pa.int64()), ("payload", pa.string())])


@data_exporter
def write_bronze(bronze, *args, **kwargs):
    BRONZE_DIR.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(bronze, schema=SCHEMA, preserve_index=False)
    pq.write_table(table, BRONZE_DIR / "part-0.parquet", compression="snappy")
    print(f"write_bronze: {table.num_rows} rows")
