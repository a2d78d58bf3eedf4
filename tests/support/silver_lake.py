#!/usr/bin/env python3
"""Write a Silver Parquet file as a real Iceberg or Delta table, and compare such a table with it.

    silver_lake.py iceberg --silver silver.parquet --warehouse DIR [--commits N]
    silver_lake.py delta   --silver silver.parquet --table DIR     [--commits N]
    silver_lake.py compare --silver silver.parquet --relation SQL --extension-dir DIR

Stands in for a lake engine's Silver (Flink or Spark writing Iceberg, Spark writing Delta)
when tests/dbt_project.rs checks the dbt project's `iceberg` and `delta` sources. The rows are
appended in N commits (default 3), because an engine commits many small snapshots, not one:
the reader must see the union of every commit, not just the last.

iceberg writes through pyiceberg's SQL catalog (a SQLite file in the warehouse) and prints
`metadata=URI`, the table's current metadata file (what a catalog points at), and `root=PATH`,
the table's folder, where it also writes `metadata/version-hint.text` as a Hadoop catalog
would, so that `iceberg_scan` can be given the folder. delta writes through delta-rs and prints
`table=PATH`, the table's root. The Arrow types of the Parquet file are kept: decimal(10,2)
money, timestamps in microseconds without a zone (Iceberg `timestamp`, Delta `timestamp_ntz`).

compare reads the relation (e.g. `delta_scan('…')`) with DuckDB and the extensions of DIR only
(downloads off) and prints `rows_differing=N` (rows on one side only, counting duplicates) and
`same_types=1` or `0` (the column names and types DuckDB sees on both sides).
"""

import argparse
import sys
from pathlib import Path


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["iceberg", "delta", "compare"])
    parser.add_argument("--silver", required=True, type=Path, help="the Silver Parquet file")
    parser.add_argument("--warehouse", type=Path, help="iceberg: the warehouse folder")
    parser.add_argument("--table", type=Path, help="delta: the table's root folder")
    parser.add_argument("--commits", type=int, default=3, help="how many appends (default 3)")
    parser.add_argument("--relation", help="compare: DuckDB SQL for the lake table")
    parser.add_argument("--extension-dir", help="compare: DuckDB's extension directory")
    args = parser.parse_args(argv)
    needed = {
        "iceberg": ["warehouse"],
        "delta": ["table"],
        "compare": ["relation", "extension_dir"],
    }[args.action]
    for name in needed:
        if getattr(args, name) is None:
            parser.error(f"{args.action} needs --{name.replace('_', '-')}")
    if args.commits < 1:
        parser.error("--commits must be 1 or more")
    return args


def batches(table, commits):
    """The table cut into `commits` consecutive slices, every row in exactly one."""
    size = -(-table.num_rows // commits)
    return [table.slice(offset, size) for offset in range(0, table.num_rows, size)]


def write_iceberg(silver, warehouse, commits):
    from pyiceberg.catalog.sql import SqlCatalog

    warehouse = warehouse.resolve()
    warehouse.mkdir(parents=True, exist_ok=True)
    catalog = SqlCatalog(
        "rtde",
        uri=f"sqlite:///{warehouse / 'catalog.db'}",
        warehouse=warehouse.as_uri(),
    )
    catalog.create_namespace_if_not_exists("silver")
    table = catalog.create_table("silver.trips", schema=silver.schema)
    for batch in batches(silver, commits):
        table.append(batch)
    # The hint names the current metadata file without its suffix; DuckDB then finds
    # `<hint>.metadata.json`, one of the names it tries.
    metadata = Path(table.metadata_location.removeprefix("file://"))
    hint = metadata.name.removesuffix(".metadata.json")
    (metadata.parent / "version-hint.text").write_text(hint)
    print(f"metadata={table.metadata_location}")
    print(f"root={metadata.parent.parent}")


def write_delta(silver, root, commits):
    from deltalake import write_deltalake

    root = root.resolve()
    for batch in batches(silver, commits):
        write_deltalake(str(root), batch, mode="append")
    print(f"table={root}")


def compare(silver, relation, extension_dir):
    import duckdb

    con = duckdb.connect(
        config={"extension_directory": extension_dir, "autoinstall_known_extensions": False}
    )
    for name in ("avro", "iceberg", "delta"):
        con.load_extension(name)
    reference = "read_parquet(?)"
    rows = con.execute(
        f"select count(*) from ((from {relation} except all from {reference}) "
        f"union all (from {reference} except all from {relation}))",
        [str(silver), str(silver)],
    ).fetchone()[0]
    lake_types = con.execute(f"describe from {relation}").fetchall()
    reference_types = con.execute(f"describe from {reference}", [str(silver)]).fetchall()
    print(f"rows_differing={rows}")
    print(f"same_types={int(lake_types == reference_types)}")


def main(argv):
    args = parse_args(argv)
    if args.action == "compare":
        compare(args.silver, args.relation, args.extension_dir)
        return
    import pyarrow.parquet as pq

    silver = pq.read_table(args.silver)
    if silver.num_rows == 0:
        sys.exit(f"{args.silver} holds no rows: nothing to write")
    if args.action == "iceberg":
        write_iceberg(silver, args.warehouse, args.commits)
    else:
        write_delta(silver, args.table, args.commits)


if __name__ == "__main__":
    main(sys.argv[1:])
