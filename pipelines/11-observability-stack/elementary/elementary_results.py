"""Counts the test results Elementary's dbt package recorded in the DuckDB file: the rows of
its `elementary_test_results` table (one per test run by the build, with its `status`: pass,
warn, fail or error). Prints `elementary_tests=N` and `elementary_tests_passed=M`.

    python elementary_results.py /data/dbt/rtde.duckdb
"""

import sys

import duckdb


def main() -> int:
    connection = duckdb.connect(sys.argv[1], read_only=True)
    schemas = connection.execute(
        "select table_schema from information_schema.tables "
        "where table_name = 'elementary_test_results'"
    ).fetchall()
    if len(schemas) != 1:
        print(f"expected one elementary_test_results table, found {len(schemas)}", file=sys.stderr)
        return 1
    total, passed = connection.execute(
        f'select count(*), count(*) filter (where status = \'pass\') '
        f'from "{schemas[0][0]}".elementary_test_results'
    ).fetchone()
    print(f"elementary_tests={total}")
    print(f"elementary_tests_passed={passed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
