# Shared by the scripts that test against a live backend (miniprogram-test.sh, console-test.sh, api-fuzz.sh) and by
# console-build.sh: node packages from a lockfile, the services of `make services`, a fresh database and Redis db,
# migrations and demo data, and the WeChat stub + API (gunicorn) on free loopback ports.
# Source it first: it sets ROOT (the checkout) and PY (its virtualenv's python), defines log() (lines prefixed with
# the script's name) and functions.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

# The servers of `make services` (var/services.env: DATABASE_URL, REDIS_URL, …) into the environment.
use_services() {
  [ -f "$ROOT/var/services.env" ] || { log "var/services.env missing: run 'make services' first"; exit 2; }
  set -a
  . "$ROOT/var/services.env"
  set +a
}

# npm ci in $1 from its lockfile, skipped while the lockfile is unchanged; Node.js and npm from Debian when missing.
npm_ci_once() {
  local dir=$1 lock_sum
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing nodejs and npm (Debian packages)"
      apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q nodejs npm >/dev/null
    else
      log "node and npm are needed (Debian: apt-get install nodejs npm)"; exit 2
    fi
  fi
  lock_sum=$(sha256sum "$dir/package-lock.json" | cut -c1-64)
  if [ "$(cat "$dir/node_modules/.lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
    log "npm ci in ${dir#"$ROOT"/} ($(node --version), npm $(npm --version))"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" > "$dir/node_modules/.lock-sha256"
  fi
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# fresh_database NAME [keep]: the URL of database NAME on the server of $DATABASE_URL, dropped and created anew
# (kept as it is when the second argument is 1 and it exists).
fresh_database() {
  "$PY" - "$DATABASE_URL" "$1" "${2:-0}" <<'PY'
import sys

import sqlalchemy as sa
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1]).set(database=sys.argv[2])
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
    if not (exists and sys.argv[3] == "1"):
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
admin.dispose()
print(url.render_as_string(hide_password=False))
PY
}

# fresh_redis_db N: $REDIS_URL's server, database N, flushed.
fresh_redis_db() {
  local url="${REDIS_URL%/*}/$1"
  "$PY" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1]).flushdb()' "$url"
  echo "$url"
}

# migrate_database WORK: $DATABASE_URL migrated to the head; load_demo WORK [options of `flask demo load`]: the demo data.
# Their output goes to WORK/migrate.log, shown when they fail.
migrate_database() {
  "$PY" -m flask db upgrade >"$1/migrate.log" 2>&1 || { cat "$1/migrate.log" >&2; exit 1; }
}
load_demo() {
  local work=$1
  shift
  "$PY" -m flask demo load "$@" >>"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
}

wait_for() {
  for _ in $(seq 150); do
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  log "$1 did not answer"; return 1
}

# start_backend WORK: the WeChat stub and the API (2 gunicorn workers) on free ports with the environment as
# exported; sets API_URL and STUB_URL (and exports them as WECHAT_API_BASE and PUBLIC_BASE_URL for what runs
# next), logs in WORK/{stub,api}.log, stops both on exit (and shows the API log's tail when the script failed).
BACKEND_PIDS=()
start_backend() {
  local work=$1 api_port stub_port
  api_port=$(free_port)
  stub_port=$(free_port)
  while [ "$stub_port" = "$api_port" ]; do stub_port=$(free_port); done
  API_URL="http://127.0.0.1:$api_port"
  STUB_URL="http://127.0.0.1:$stub_port"
  BACKEND_WORK=$work
  trap _stop_backend EXIT INT TERM
  WECHAT_API_BASE="$STUB_URL" PUBLIC_BASE_URL="$API_URL" \
    "$PY" -m miniprogram_stub.wechat_server --port "$stub_port" \
    --callback-url "$API_URL/api/v1/wechat/media-check" >"$work/stub.log" 2>&1 &
  BACKEND_PIDS+=($!)
  WECHAT_API_BASE="$STUB_URL" PUBLIC_BASE_URL="$API_URL" \
    "$ROOT/.venv/bin/gunicorn" -w 2 -b "127.0.0.1:$api_port" --no-control-socket wsgi:app >"$work/api.log" 2>&1 &
  BACKEND_PIDS+=($!)
  wait_for "$STUB_URL/stub/health"
  wait_for "$API_URL/api/v1/business-types"
  export WECHAT_API_BASE="$STUB_URL" PUBLIC_BASE_URL="$API_URL"
}

_stop_backend() {
  local status=$?
  for pid in "${BACKEND_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BACKEND_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    log "failed (exit $status); last lines of the API log ($BACKEND_WORK/api.log, stub log next to it):"
    tail -n 30 "$BACKEND_WORK/api.log" >&2 2>/dev/null || true
  fi
  exit "$status"
}
