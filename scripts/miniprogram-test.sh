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

# shellcheck source=scripts/live-backend.sh
. "$(dirname "$0")/live-backend.sh"
use_services
cd "$ROOT"
APP_DIR="$ROOT/miniprogram_stub"
WORK="$ROOT/var/miniprogram-test"
# GCJ-02 point (lng,lat) in the demo data's 御东园社区生活圈, Miyun; the tests stand here.
POINT="116.8492,40.3775"
STAFF_USER=mp_staff
STAFF_PASSWORD=mp-staff-password
BUREAU_USER=mp_bureau   # the district bureau (商务局) of the demo city: opens survey periods

# ---- node and packages --------------------------------------------------------------------------
npm_ci_once "$APP_DIR"
# The code's format is part of the test: a file out of prettier's format fails here, not in review.
(cd "$APP_DIR" && npm run --silent format:check)

# ---- database and redis -------------------------------------------------------------------------
DATABASE_URL=$(fresh_database "${MINIPROGRAM_DB:-circle_test_miniprogram}")
REDIS_URL=$(fresh_redis_db "${MINIPROGRAM_REDIS_DB:-7}")
rm -rf "$WORK" && mkdir -p "$WORK/uploads"
export DATABASE_URL REDIS_URL FLASK_APP=wsgi.py UPLOAD_DIR="$WORK/uploads" WECHAT_LOGIN_RATE_LIMIT="600/minute"

log "migrating and loading demo data into ${DATABASE_URL##*/}"
migrate_database "$WORK"
load_demo "$WORK" --places-only

# ---- servers ------------------------------------------------------------------------------------
start_backend "$WORK"

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
