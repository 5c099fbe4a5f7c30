#!/usr/bin/env bash
# Private PostgreSQL+PostGIS and Redis for development and tests, under ./var/ on loopback.
# Usage: scripts/services.sh start|stop|status|install|replica|replica-stop
# start is idempotent; it writes var/services.env (DATABASE_URL=…, REDIS_URL=…).
# When DATABASE_URL / REDIS_URL are already set, the matching private server is not started.
# replica: a streaming replica of the private PostgreSQL (pg_basebackup, hot standby) on loopback port
# DEV_PG_REPLICA_PORT (default: the primary's port + 1000), under var/pg/replica; idempotent; prints its URL
# (database circle; the tests use circle_test on it). `stop` stops it too.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR="$ROOT/var"
PG_BASE="$VAR/pg"
PG_PORT=${DEV_PG_PORT:-54329}
REDIS_PORT=${DEV_REDIS_PORT:-63799}
REPLICA_PORT=${DEV_PG_REPLICA_PORT:-$((PG_PORT + 1000))}
PG_BIN=/usr/lib/postgresql/15/bin
DB_NAME=circle
DB_USER=circle
DB_PASSWORD=circle

log() { printf '[services] %s\n' "$*" >&2; }

as_pg_owner() {
  # PostgreSQL refuses to run as root; run it as the packaged 'postgres' user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_packages() {
  local need=()
  [ -x "$PG_BIN/pg_ctl" ] || need+=(postgresql-15)
  [ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
  command -v redis-server >/dev/null || need+=(redis-server)
  # nginx: the compose front's configuration is tested with it (tests/ops/test_front.py, make prod-smoke).
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${need[*]} (install them as root)"; exit 1
  fi
  log "installing ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${need[@]}" >/dev/null
}

choose_pg_base() {
  # As root, the cluster belongs to 'postgres', which may not be able to enter this checkout
  # (a clone under a private mktemp folder): then keep the cluster in postgres's home instead.
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PG_BASE" && chown postgres: "$PG_BASE"
    if ! runuser -u postgres -- test -w "$PG_BASE"; then
      PG_BASE="/var/lib/postgresql/circle-dev-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
      mkdir -p "$PG_BASE" && chown postgres: "$PG_BASE"
      ln -sfn "$PG_BASE" "$VAR/pg-elsewhere"
    fi
  fi
  PGDATA="$PG_BASE/data"
}

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

start_postgres() {
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initdb $PGDATA"
    as_pg_owner "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_running; then
    # Development and tests only: fsync, synchronous_commit and full_page_writes off trade crash safety
    # for speed (a crash can lose acknowledged rows). Production runs docker compose's durable server.
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_BASE/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_BASE -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB -c timezone=UTC" >/dev/null
  fi
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" ]; then
    "${psql[@]}" -c "CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'"
  fi
  for db in "$DB_NAME" "${DB_NAME}_test"; do
    if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
      "${psql[@]}" -c "CREATE DATABASE $db OWNER $DB_USER"
    fi
  done
}

start_redis() {
  mkdir -p "$VAR/redis"
  if [ -f "$VAR/redis/redis.pid" ] && kill -0 "$(cat "$VAR/redis/redis.pid")" 2>/dev/null; then return 0; fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$VAR/redis" \
    --pidfile "$VAR/redis/redis.pid" --logfile "$VAR/redis/redis.log" --save "" --appendonly no
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "Redis did not come up; see $VAR/redis/redis.log"; exit 1
}

start() {
  install_packages
  choose_pg_base
  local db_url=${DATABASE_URL:-} redis_url=${REDIS_URL:-}
  if [ -z "$db_url" ]; then
    start_postgres
    db_url="postgresql+psycopg://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
  fi
  if [ -z "$redis_url" ]; then
    start_redis
    redis_url="redis://127.0.0.1:$REDIS_PORT/0"
  fi
  printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$db_url" "$redis_url" > "$VAR/services.env"
  log "ready: $VAR/services.env"
}

replica_running() {
  [ -f "$REPLICA_DATA/postmaster.pid" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1
}

start_replica() {
  # Streaming replication from the private primary: initdb's pg_hba.conf already trusts replication
  # connections from 127.0.0.1, and wal_level=replica / max_wal_senders=10 are PostgreSQL 15's defaults.
  install_packages
  choose_pg_base
  REPLICA_DATA="$PG_BASE/replica"
  pg_running || start_postgres
  if [ ! -f "$REPLICA_DATA/PG_VERSION" ]; then
    log "pg_basebackup 127.0.0.1:$PG_PORT → $REPLICA_DATA"
    rm -rf "$REPLICA_DATA"
    mkdir -p "$REPLICA_DATA" && chmod 700 "$REPLICA_DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$REPLICA_DATA"
    # -R writes standby.signal and primary_conninfo: the copy starts as a hot standby that follows the primary.
    as_pg_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$REPLICA_DATA" -R -X stream -c fast
  fi
  if ! replica_running; then
    # A hot standby needs max_connections ≥ the primary's. Same unsafe-but-fast settings as the primary.
    log "starting the replica on 127.0.0.1:$REPLICA_PORT"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" -l "$PG_BASE/replica.log" -w -t 120 start \
      -o "-c listen_addresses=127.0.0.1 -p $REPLICA_PORT -k $PG_BASE -c hot_standby=on -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB -c timezone=UTC" >/dev/null
  fi
  # A replica stopped for long may need WAL the primary has recycled (no slot keeps it, so a forgotten replica
  # never fills the disk): it then never streams again. Made afresh in that case.
  local streaming=""
  for _ in $(seq 60); do
    streaming=$("$PG_BIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -qtA \
      -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null || true)
    [ "$streaming" = streaming ] && break
    sleep 0.5
  done
  if [ "$streaming" != streaming ]; then
    if [ "${REPLICA_REBUILT:-}" = 1 ]; then log "the replica does not stream; see $PG_BASE/replica.log"; exit 1; fi
    log "the replica cannot follow the primary (WAL recycled while it was stopped): making it afresh"
    stop_replica
    rm -rf "$REPLICA_DATA"
    REPLICA_REBUILT=1 start_replica
    return
  fi
  echo "postgresql+psycopg://$DB_USER:$DB_PASSWORD@127.0.0.1:$REPLICA_PORT/$DB_NAME"
}

stop_replica() {
  REPLICA_DATA="$PG_BASE/replica"
  if replica_running; then as_pg_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DATA" -m fast -w stop >/dev/null && log "replica stopped"; fi
}

stop() {
  stop_replica
  if pg_running; then as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && log "PostgreSQL stopped"; fi
  if [ -f "$VAR/redis/redis.pid" ]; then
    local pid; pid=$(cat "$VAR/redis/redis.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      log "Redis stopped"
    fi
    rm -f "$VAR/redis/redis.pid"
  fi
}

mkdir -p "$VAR"
PGDATA="$PG_BASE/data"
REPLICA_DATA="$PG_BASE/replica"
if [ "${1:-start}" != install ] && id postgres >/dev/null 2>&1; then choose_pg_base; fi

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  install) install_packages ;;
  replica) start_replica ;;
  replica-stop) stop_replica ;;
  status) pg_running && echo "postgres: running" || echo "postgres: stopped"
          [ -f "$VAR/redis/redis.pid" ] && kill -0 "$(cat "$VAR/redis/redis.pid")" 2>/dev/null \
            && echo "redis: running" || echo "redis: stopped" ;;
  *) echo "usage: $0 start|stop|status|install|replica|replica-stop" >&2; exit 2 ;;
esac
