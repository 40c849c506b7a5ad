#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the test suite: `start`, `restart`, `stop` or `url`.
set -euo pipefail
PORT=${SCHOOLBELL_PG_PORT:-54329}
DATA=${SCHOOLBELL_PG_DATA:-/tmp/schoolbell-pg}
URL="postgresql://schoolbell:schoolbell@127.0.0.1:$PORT/schoolbell_test"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

as_owner() {
  # PostgreSQL refuses to run as root; use the postgres account Debian's package creates.
  # From /, which the postgres account can always enter (a root-owned checkout may not be).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "${1:-start}" in
  start)
    BIN=$(pg_bin)
    if [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "$URL"; exit 0
    fi
    rm -rf "$DATA"; mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
      -o "-h 127.0.0.1 -p $PORT -k $DATA -c fsync=off -c full_page_writes=off" start >/dev/null
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc \
      "CREATE ROLE schoolbell LOGIN PASSWORD 'schoolbell' SUPERUSER" postgres
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc \
      "CREATE DATABASE schoolbell_test OWNER schoolbell" postgres
    echo "$URL"
    ;;
  restart)
    # The fault suite restarts the server under running workers.
    BIN=$(pg_bin)
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w restart >/dev/null
    ;;
  stop)
    BIN=$(pg_bin)
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null || true
    ;;
  url)
    echo "$URL"
    ;;
esac
