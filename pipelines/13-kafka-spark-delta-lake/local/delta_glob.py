#!/usr/bin/env python3
"""Why P13 reads Delta through its log: a Delta table after an overwrite, read by DuckDB's
delta_scan (the table's latest version) and by a Parquet glob (how the original P13's dbt
source read it).

    delta_glob.py --silver SILVER.parquet --table DIR --extension-dir DIR

Writes Silver's rows as a Delta table with delta-rs (PyPI `deltalake`; Spark's Delta jars are
on Maven Central, which this machine does not reach): two appends of half the rows each, as a
streaming job commits, then one overwrite with all of them, as a job rerun from scratch, a
schema change or a compaction rewrites a table. The overwrite's commit removes the earlier
files from the table, but they stay on storage until a VACUUM past the retention period (seven
days by default), so a glob over the folder still finds them.

Prints `silver_rows` (Silver's rows), `delta_scan_rows` (delta_scan with the extensions of
--extension-dir only, downloads off), `delta_scan_differing` (rows of delta_scan and Silver on
one side only, duplicates counted), `glob_rows` (DuckDB's read_parquet over every Parquet
file of the folder), `removed_rows` (the rows of the files the log marks removed) and
`versions` (the table's version count).
"""

import argparse
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silver", required=True, type=Path)
    parser.add_argument("--table", required=True, type=Path)
    parser.add_argument("--extension-dir", required=True)
    args = parser.parse_args()
    silver = pq.read_table(args.silver)
    root = args.table.resolve()
    shutil.rmtree(root, ignore_errors=True)

    half = silver.num_rows // 2
    write_deltalake(str(root), silver.slice(0, half), mode="append")
    write_deltalake(str(root), silver.slice(half), mode="append")
    write_deltalake(str(root), silver, mode="overwrite")

    table = DeltaTable(str(root))
    live = {Path(path).name for path in table.file_uris()}
    removed = [path for path in root.glob("*.parquet") if path.name not in live]

    con = duckdb.connect(
        config={"extension_directory": args.extension_dir, "autoinstall_known_extensions": False}
    )
    con.execute("set enable_progress_bar = false")
    con.load_extension("delta")
    scan = f"delta_scan('{root}')"
    glob = f"read_parquet('{root}/*.parquet')"
    reference = f"read_parquet('{args.silver}')"

    def count(relation):
        return con.sql(f"select count(*) from {relation}").fetchone()[0]

    differing = count(
        f"((from {scan} except all from {reference}) union all "
        f"(from {reference} except all from {scan}))"
    )
    print(f"silver_rows={silver.num_rows}")
    print(f"delta_scan_rows={count(scan)}")
    print(f"delta_scan_differing={differing}")
    print(f"glob_rows={count(glob)}")
    print(f"removed_rows={sum(pq.ParquetFile(path).metadata.num_rows for path in removed)}")
    print(f"versions={table.version() + 1}")


if __name__ == "__main__":
    main()
