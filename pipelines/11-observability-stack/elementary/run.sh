#!/bin/sh
# The `elementary` stage, in the dbt runner: `dbt deps` of P11's Elementary project (the
# canonical project as a local package, Elementary's dbt package from dbt Hub), `dbt build`
# of it with the run's vars (dbt_build.sh), then Elementary's test results counted from the
# table its hooks fill (elementary_results.py): elementary_tests=N, elementary_tests_passed=M.
#
#   run.sh true|false        the manifest's `elementary` variable
#
# `false` (where dbt Hub cannot be reached, such as the rtde machines) runs nothing and says
# so; the stage's check then compares 0 with 0. RTDE_DBT_VARS says where Silver is, as for
# P01's dbt stage.
set -eu
here=$(dirname "$0")
case "${1:-}" in
  false)
    echo "elementary: off (--var elementary=false): Elementary's dbt package was not" \
      "installed, no test was recorded"
    echo "elementary_tests=0"
    echo "elementary_tests_passed=0"
    exit 0 ;;
  true) ;;
  *)
    echo "usage: $0 true|false (the pipeline's elementary variable)" >&2
    exit 2 ;;
esac
project=/data/elementary/project
rm -rf "$project"
mkdir -p "$project"
cp "$here/dbt_project.yml" "$here/packages.yml" "$project/"
dbt deps --project-dir "$project" --profiles-dir /dbt
status=0
RTDE_DBT_PROJECT_DIR="$project" RTDE_DBT_OUT_DIR=/data/elementary \
  /dbt/scripts/dbt_build.sh || status=$?
python "$here/elementary_results.py" "$RTDE_DBT_DUCKDB_PATH"
exit "$status"
