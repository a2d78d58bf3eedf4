#!/usr/bin/env python3
"""Summarise the tests of one dbt invocation from its run_results.json.

    dbt_summary.py target/run_results.json

prints, one `name=value` per line (what a manifest's capture regexes read):

    dbt_pass=N         tests that passed (data tests and unit tests)
    dbt_tests=M        tests that ran or were skipped
    dbt_total=M        the same number, under the name the harness issue uses
    dbt_data_tests=D   of which data tests
    dbt_unit_tests=U   of which unit tests
    dbt_not_passed=F   tests that failed, errored, warned or were skipped

A warning counts as not passed: every test in the project is severity error, so a warning
means someone downgraded a test. Models, seeds and hooks are not tests and are not counted;
a model that fails shows up as its tests being skipped.
"""

import json
import sys
from pathlib import Path


def summarise(results):
    tests = [r for r in results if r["unique_id"].split(".", 1)[0] in ("test", "unit_test")]
    passed = sum(1 for r in tests if r["status"] == "pass")
    data_tests = sum(1 for r in tests if r["unique_id"].startswith("test."))
    return {
        "dbt_pass": passed,
        "dbt_tests": len(tests),
        "dbt_total": len(tests),
        "dbt_data_tests": data_tests,
        "dbt_unit_tests": len(tests) - data_tests,
        "dbt_not_passed": len(tests) - passed,
    }


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: dbt_summary.py PATH/TO/run_results.json")
    path = Path(argv[0])
    try:
        results = json.loads(path.read_text())["results"]
    except (OSError, ValueError, KeyError) as err:
        sys.exit(f"cannot read dbt results from {path}: {err} (did dbt run with this target path?)")
    for name, value in summarise(results).items():
        print(f"{name}={value}")


if __name__ == "__main__":
    main(sys.argv[1:])
