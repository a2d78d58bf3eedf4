#!/bin/sh
# P16's Pinot tables, run inside the controller: the zone dimension table (schema, table,
# its one segment from the zone CSV) and the real-time table taxi_trips, which starts
# consuming taxi.raw_trips from its first offset as soon as it exists.
set -eu
here=$(dirname "$0")
admin=/opt/pinot/bin/pinot-admin.sh
for table in taxi_zones taxi_trips; do
  "$admin" AddTable -controllerHost pinot-controller -controllerPort 9000 \
    -schemaFile "$here/$table.schema.json" -tableConfigFile "$here/$table.table.json" -exec
done
"$admin" LaunchDataIngestionJob -jobSpecFile "$here/taxi_zones.job.yaml"
echo "pinot_tables=2"
