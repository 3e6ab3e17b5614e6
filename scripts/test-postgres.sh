#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the PostgreSQL half of the tests, on 127.0.0.1, and
# prints the URL to test against: export SCOREMAP_TEST_DATABASE_URL="$(bash scripts/test-postgres.sh)".
# Installs Debian's postgresql when it is missing (needs root and apt). Its data lives in
# /tmp/scoremap-test-pg (PGDATA), fsync off: test data only. `bash scripts/test-postgres.sh stop` stops it.
set -euo pipefail

PORT="${SCOREMAP_TEST_PG_PORT:-54329}"
DATA="${SCOREMAP_TEST_PG_DATA:-/tmp/scoremap-test-pg}"
URL="postgres://scoremap@127.0.0.1:${PORT}/scoremap_test"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# The server refuses to run as root: run its commands as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = stop ]; then
  as_pg "$(bin_dir)/pg_ctl" -D "$DATA" stop -m fast >&2 || true
  exit 0
fi

if [ -z "$(bin_dir)" ]; then
  echo "installing Debian's postgresql…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
fi
BIN="$(bin_dir)"
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries found" >&2; exit 1; }

if ! as_pg "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  if [ ! -s "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    # The C collation sorts text by code point, as SQLite does; a UTF-8 ctype folds case beyond ASCII.
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --lc-collate=C >&2
  fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >&2
fi
psql_pg() { as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_pg -d postgres -c "select 1 from pg_roles where rolname = 'scoremap'" | grep -q 1 || psql_pg -d postgres -c "create role scoremap login superuser" >&2
psql_pg -d postgres -c "select 1 from pg_database where datname = 'scoremap_test'" | grep -q 1 || psql_pg -d postgres -c "create database scoremap_test owner scoremap" >&2
echo "$URL"
