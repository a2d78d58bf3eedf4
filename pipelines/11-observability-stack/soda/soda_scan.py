"""Runs P11's Soda checks (SodaCL, `checks/*.yml`) on the DuckDB file dbt built, with the
oracle's counts as Soda variables, and prints what the `soda` stage captures:

    soda_checks=N  soda_checks_passed=M  soda_checks_warned=W  soda_checks_failed=F

and one `soda_check OUTCOME NAME` line per check before them. Exits 1 when a check did not
pass or Soda logged an error (a check it could not evaluate counts as not passed), 0 otherwise.

    python soda_scan.py --duckdb /data/dbt/rtde.duckdb --oracle /data/oracle.json \
        --checks /opt/rtde/soda/checks

The file is opened read-only by this script's DuckDB and handed to Soda (`add_duckdb_connection`),
so dbt's file is never written. Soda's usage telemetry is switched off before Soda is imported:
Soda reads that setting once, at import, from the config file named here.
"""

import argparse
import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path


def oracle_variables(oracle: dict) -> dict[str, str]:
    """The Soda variables the checks compare with: the oracle's counts and window."""
    gold = oracle["gold"]
    start = datetime.fromisoformat(oracle["window"]["start"])
    end = datetime.fromisoformat(oracle["window"]["end"])
    return {
        "silver_rows": oracle["silver_rows"],
        "revenue_cents": sum(day["revenue_cents"] for day in gold["daily"]),
        "gold_days": len(gold["daily"]),
        "gold_hours": len(gold["hourly"]),
        "gold_boroughs": len(gold["borough"]),
        "gold_payment_types": len(gold["payment_type"]),
        "window_days": (end - start).days,
        "window_start": oracle["window"]["start"],
        "window_end": oracle["window"]["end"],
    }


def quiet_soda(home: Path) -> None:
    """No calls home: a benchmark sends nothing, and the stack may have no internet."""
    config = home / "config.yml"
    config.write_text("send_anonymous_usage_stats: false\n")
    from soda.common.config_helper import ConfigHelper

    ConfigHelper.get_instance(str(config))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", required=True, help="the DuckDB file dbt built")
    parser.add_argument("--oracle", required=True, help="the generator's oracle JSON")
    parser.add_argument("--checks", required=True, help="folder of SodaCL files (*.yml)")
    args = parser.parse_args()

    variables = oracle_variables(json.loads(Path(args.oracle).read_text()))
    check_files = sorted(Path(args.checks).glob("*.yml"))
    if not check_files:
        print(f"no SodaCL files (*.yml) in {args.checks}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="rtde-soda-") as home:
        quiet_soda(Path(home))
        import duckdb
        from soda.scan import Scan

        connection = duckdb.connect(args.duckdb, read_only=True)
        scan = Scan()
        scan.set_scan_definition_name("rtde_p11")
        scan.add_duckdb_connection(connection, data_source_name="rtde")
        scan.set_data_source_name("rtde")
        scan.add_variables({name: str(value) for name, value in variables.items()})
        for path in check_files:
            scan.add_sodacl_yaml_file(str(path))
        scan.execute()
        connection.close()

    checks = scan.get_scan_results()["checks"]
    outcomes = [check.get("outcome") or "not_evaluated" for check in checks]
    for check, outcome in zip(checks, outcomes):
        print(f"soda_check {outcome} {check['table']}: {check['name']}")
    if scan.has_error_logs():
        print(scan.get_error_logs_text(), file=sys.stderr)
    passed = outcomes.count("pass")
    print(f"soda_checks={len(checks)}")
    print(f"soda_checks_passed={passed}")
    print(f"soda_checks_warned={outcomes.count('warn')}")
    print(f"soda_checks_failed={len(checks) - passed - outcomes.count('warn')}")
    return 0 if checks and passed == len(checks) and not scan.has_error_logs() else 1


if __name__ == "__main__":
    sys.exit(main())
