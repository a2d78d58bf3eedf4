#!/usr/bin/env bash
# Starts or stops the PostgreSQL server that the generator's integration tests write to:
# a throw-away cluster under /tmp/rtde-pg, on 127.0.0.1:54329, trust authentication, with
# wal_level=logical for the CDC test (tests/engine_debezium.rs: Debezium's replication slot).
#
#   tests/support/postgres.sh start   # idempotent; prints the URL for RTDE_TEST_POSTGRES
#   tests/support/postgres.sh stop    # idempotent
#
# Needs the PostgreSQL server binaries (Debian: apt-get install postgresql) with initdb and
# pg_ctl on PATH or under /usr/lib/postgresql/*/bin. PostgreSQL refuses to run as root, so
# as root the server runs as the `postgres` user (created by the Debian package).
set -euo pipefail

base=/tmp/rtde-pg
data=$base/data
port=${RTDE_PG_PORT:-54329}
url="postgres://postgres@127.0.0.1:$port/postgres"

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    echo "postgres.sh: $1 not found; install the PostgreSQL server (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

# Waits until the server accepts connections, with a deadline.
wait_ready() {
  local deadline=$((SECONDS + 30))
  until pg_isready -q -h 127.0.0.1 -p "$port"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "postgres.sh: PostgreSQL did not accept connections on 127.0.0.1:$port within 30 s" >&2
      cat "$base/server.log" >&2
      exit 1
    fi
    pg_isready -q -h 127.0.0.1 -p "$port" -t 1 || true
  done
}

start() {
  local initdb pg_ctl options
  initdb=$(find_bin initdb)
  pg_ctl=$(find_bin pg_ctl)
  options="-c listen_addresses=127.0.0.1 -p $port -k $base -c wal_level=logical"
  mkdir -p "$base"
  if [ "$(id -u)" = 0 ]; then chown postgres "$base"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$initdb -D $data -U postgres --auth=trust --no-sync" >"$base/initdb.log" 2>&1 \
      || { cat "$base/initdb.log" >&2; exit 1; }
  fi
  if ! as_owner "$pg_ctl -D $data status" >/dev/null 2>&1; then
    as_owner "$pg_ctl -D $data -l $base/server.log -o '$options' start" >/dev/null \
      || { cat "$base/server.log" >&2; exit 1; }
  fi
  wait_ready
  # A server started by an older version of this script runs without logical decoding: the
  # setting needs a restart.
  if [ "$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc 'show wal_level')" != logical ]; then
    as_owner "$pg_ctl -D $data -l $base/server.log -o '$options' -m fast -w restart" >/dev/null \
      || { cat "$base/server.log" >&2; exit 1; }
    wait_ready
  fi
  echo "$url"
}

stop() {
  if [ -f "$data/PG_VERSION" ]; then
    local pg_ctl
    pg_ctl=$(find_bin pg_ctl)
    if as_owner "$pg_ctl -D $data status" >/dev/null 2>&1; then
      as_owner "$pg_ctl -D $data -m fast -w stop" >/dev/null
    fi
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
