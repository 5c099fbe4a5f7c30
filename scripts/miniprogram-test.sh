#!/usr/bin/env bash
# The mini-program's Node tests (miniprogram_stub/tests, jest + miniprogram-simulate) against a real backend.
#
# 1. node_modules from the committed lockfile (npm ci, skipped when the lockfile did not change);
# 2. a fresh database (circle_test_miniprogram on the server of DATABASE_URL), migrated, with the demo
#    data and a staff account for the demo circle the tests stand in; its own Redis db (flushed);
# 3. the local WeChat API stub and the API (gunicorn) on free loopback ports;
# 4. jest, with the backend's URL in MP_BACKEND_URL (and the same DATABASE_URL etc. exported, for the one test
#    that runs the notification worker once); both servers are stopped on exit.
#
# Needs the services of `make services` (var/services.env). Run: bash scripts/miniprogram-test.sh
# Env: MINIPROGRAM_REDIS_DB (default 7), MINIPROGRAM_DB (default circle_test_miniprogram), JEST_ARGS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
APP_DIR="$ROOT/miniprogram_stub"
WORK="$ROOT/var/miniprogram-test"
# GCJ-02 point (lng,lat) in the demo data's 御东园社区生活圈, Miyun; the tests stand here.
POINT="116.8492,40.3775"
STAFF_USER=mp_staff
STAFF_PASSWORD=mp-staff-password
BUREAU_USER=mp_bureau   # the district bureau (商务局) of the demo city: opens survey periods

log() { printf '[miniprogram-test] %s\n' "$*" >&2; }

[ -f var/services.env ] || { log "var/services.env missing: run 'make services' first"; exit 2; }
set -a; . var/services.env; set +a

# ---- node and packages --------------------------------------------------------------------------
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing nodejs and npm (Debian packages)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
  else
    log "node and npm are needed (Debian: apt-get install nodejs npm)"; exit 2
  fi
fi
lock_sum=$(sha256sum "$APP_DIR/package-lock.json" | cut -c1-64)
if [ "$(cat "$APP_DIR/node_modules/.lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
  log "npm ci ($(node --version))"
  (cd "$APP_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > "$APP_DIR/node_modules/.lock-sha256"
fi

# ---- database and redis -------------------------------------------------------------------------
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port)
STUB_PORT=$(free_port)
while [ "$STUB_PORT" = "$API_PORT" ]; do STUB_PORT=$(free_port); done
API_URL="http://127.0.0.1:$API_PORT"
STUB_URL="http://127.0.0.1:$STUB_PORT"

DB_NAME=${MINIPROGRAM_DB:-circle_test_miniprogram}
DATABASE_URL=$("$PY" - "$DATABASE_URL" "$DB_NAME" <<'PY'
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
REDIS_URL="${REDIS_URL%/*}/${MINIPROGRAM_REDIS_DB:-7}"
"$PY" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1]).flushdb()' "$REDIS_URL"
rm -rf "$WORK" && mkdir -p "$WORK/uploads"
export DATABASE_URL REDIS_URL FLASK_APP=wsgi.py UPLOAD_DIR="$WORK/uploads" \
  WECHAT_API_BASE="$STUB_URL" PUBLIC_BASE_URL="$API_URL"

log "migrating and loading demo data into $DB_NAME"
"$PY" -m flask db upgrade >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; exit 1; }
"$PY" -m flask demo load --places-only >>"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; exit 1; }

# ---- servers ------------------------------------------------------------------------------------
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    log "failed (exit $status); last lines of the API log ($WORK/api.log, stub log next to it):"
    tail -n 30 "$WORK/api.log" >&2 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

"$PY" -m miniprogram_stub.wechat_server --port "$STUB_PORT" \
  --callback-url "$API_URL/api/v1/wechat/media-check" >"$WORK/stub.log" 2>&1 &
PIDS+=($!)
"$ROOT/.venv/bin/gunicorn" -w 2 -b "127.0.0.1:$API_PORT" --no-control-socket wsgi:app >"$WORK/api.log" 2>&1 &
PIDS+=($!)

wait_for() {
  for _ in $(seq 150); do
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  log "$1 did not answer"; return 1
}
wait_for "$STUB_URL/stub/health"
wait_for "$API_URL/api/v1/business-types"

read -r CIRCLE_ID CITY_ID < <("$PY" - "$API_URL" "$POINT" <<'PY'
import json
import sys
import urllib.request

lng, lat = sys.argv[2].split(",")
with urllib.request.urlopen(f"{sys.argv[1]}/api/v1/circles/locate?lng={lng}&lat={lat}&coord=gcj02") as answer:
    circle = json.load(answer)["circle"]
    print(circle["id"], circle["city_id"])
PY
)
echo "$STAFF_PASSWORD" | "$PY" -m flask users create --role staff --username "$STAFF_USER" \
  --password-stdin --circle "$CIRCLE_ID" --name "御东园社区 张老师" >&2
echo "$STAFF_PASSWORD" | "$PY" -m flask users create --role bureau --username "$BUREAU_USER" \
  --password-stdin --city "$CITY_ID" --name "密云区商务局" >&2

# ---- tests --------------------------------------------------------------------------------------
log "API $API_URL, WeChat stub $STUB_URL, circle $CIRCLE_ID"
cd "$APP_DIR"
MP_BACKEND_URL="$API_URL" MP_STUB_URL="$STUB_URL" MP_PYTHON="$PY" MP_POINT="$POINT" MP_CIRCLE_ID="$CIRCLE_ID" \
  MP_STAFF_USER="$STAFF_USER" MP_STAFF_PASSWORD="$STAFF_PASSWORD" MP_BUREAU_USER="$BUREAU_USER" \
  node node_modules/jest/bin/jest.js --ci --runInBand ${JEST_ARGS:-}
