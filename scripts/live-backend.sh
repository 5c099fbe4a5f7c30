# Sourced by the scripts that test a live backend (miniprogram-test.sh, api-fuzz.sh): a fresh database with
# the demo places, its own Redis db, and the WeChat stub + the API (gunicorn) on free loopback ports.
#
# Before sourcing: ROOT, PY, WORK (scratch directory), LOG_TAG. Then:
#   live_backend_database NAME REDIS_DB   → exports DATABASE_URL, REDIS_URL, UPLOAD_DIR, migrates, demo places
#   live_backend_start [gunicorn args…]   → exports API_URL, STUB_URL; both stopped on exit
# shellcheck shell=bash

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }

[ -f "$ROOT/var/services.env" ] || { log "var/services.env missing: run 'make services' first"; exit 2; }
set -a; . "$ROOT/var/services.env"; set +a

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

live_backend_database() {
  local name=$1 redis_db=$2
  DATABASE_URL=$("$PY" - "$DATABASE_URL" "$name" <<'PY'
import sys

import sqlalchemy as sa
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1]).set(database=sys.argv[2])
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
admin.dispose()
print(url.render_as_string(hide_password=False))
PY
)
  REDIS_URL="${REDIS_URL%/*}/$redis_db"
  "$PY" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1]).flushdb()' "$REDIS_URL"
  rm -rf "$WORK" && mkdir -p "$WORK/uploads"
  export DATABASE_URL REDIS_URL FLASK_APP=wsgi.py UPLOAD_DIR="$WORK/uploads"
  log "migrating and loading demo places into $name"
  (cd "$ROOT" && "$PY" -m flask db upgrade && "$PY" -m flask demo load --places-only) >"$WORK/migrate.log" 2>&1 \
    || { cat "$WORK/migrate.log" >&2; exit 1; }
}

LIVE_PIDS=()
_live_backend_cleanup() {
  local status=$?
  for pid in "${LIVE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${LIVE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    log "failed (exit $status); last lines of the API log ($WORK/api.log, stub log next to it):"
    tail -n 30 "$WORK/api.log" >&2 2>/dev/null || true
  fi
  exit "$status"
}

_wait_for() {
  for _ in $(seq 150); do
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  log "$1 did not answer"; return 1
}

live_backend_start() {
  local api_port stub_port
  api_port=$(free_port)
  stub_port=$(free_port)
  while [ "$stub_port" = "$api_port" ]; do stub_port=$(free_port); done
  API_URL="http://127.0.0.1:$api_port"
  STUB_URL="http://127.0.0.1:$stub_port"
  export WECHAT_API_BASE="$STUB_URL" PUBLIC_BASE_URL="$API_URL" API_URL STUB_URL
  trap _live_backend_cleanup EXIT INT TERM
  (cd "$ROOT" && exec "$PY" -m miniprogram_stub.wechat_server --port "$stub_port" \
    --callback-url "$API_URL/api/v1/wechat/media-check") >"$WORK/stub.log" 2>&1 &
  LIVE_PIDS+=($!)
  (cd "$ROOT" && exec "$ROOT/.venv/bin/gunicorn" -b "127.0.0.1:$api_port" --no-control-socket "$@" wsgi:app) \
    >"$WORK/api.log" 2>&1 &
  LIVE_PIDS+=($!)
  _wait_for "$STUB_URL/stub/health"
  _wait_for "$API_URL/api/v1/business-types"
}
