"""Silver as Parquet on the run's data volume, typed as dbt reads it (decimal(10,2) money)."""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from silver_parquet import SILVER_SCHEMA

if "data_exporter" not in globals():
    from mage_ai.data_preparation.decorators import data_exporter

SILVER_DIR = Path(os.environ.get("RTDE_SILVER_DIR", "/data/silver"))


@data_exporter
def write_silver(silver, *args, **kwargs):
    SILVER_DIR.mkdir(parents=True, exist_ok=True)
    columns = [
        pa.array(silver[field.name].tolist(), type=pa.string()).cast(field.type)
        if pa.types.is_decimal(field.type)
        else pa.Array.from_pandas(silver[field.name], type=field.type)
        for field in SILVER_SCHEMA
    ]
    table = pa.Table.from_arrays(columns, schema=SILVER_SCHEMA)
    pq.write_table(table, SILVER_DIR / "part-0.parquet", compression="snappy")
    print(f"write_silver: {table.num_rows} rows")
