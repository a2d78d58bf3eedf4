#!/bin/sh
# The CDC stacks' PostgreSQL: a cluster made on first start in $PGDATA, trust authentication
# (a benchmark's private network, never published), wal_level=logical for Debezium's slot,
# and the server in the foreground so the container's stop is its fast shutdown.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth=trust --no-sync >/dev/null
  echo "host all all all trust" >> "$PGDATA/pg_hba.conf"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c wal_level=logical \
  -c max_replication_slots=4 -c max_wal_senders=4 "$@"
