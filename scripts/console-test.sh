#!/usr/bin/env bash
# The web console's tests: vitest for its own logic, then Playwright journeys in Debian's Chromium against a live
# backend (the way scripts/miniprogram-test.sh runs the mini-program's tests).
#
# 1. node_modules and console/dist (scripts/console-build.sh); Chromium and CJK fonts from Debian's packages
#    when missing (as root); Playwright drives /usr/bin/chromium (no browser download);
# 2. a fresh database (circle_test_console on the server of DATABASE_URL), migrated, with the full demo data
#    (rated circles for the evaluation journey); its own Redis db (flushed); a staff and a bureau account;
# 3. the local WeChat API stub and the API (gunicorn) on free loopback ports;
# 4. node --test console/e2e with the backend's URL; screenshots under var/console-e2e/ for review.
#
# Needs the services of `make services` (var/services.env). Run: bash scripts/console-test.sh
# Env: CONSOLE_REDIS_DB (default 8), CONSOLE_DB (default circle_test_console), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail

# shellcheck source=scripts/live-backend.sh
. "$(dirname "$0")/live-backend.sh"
use_services
cd "$ROOT"
APP="$ROOT/console"
WORK="$ROOT/var/console-e2e"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
STAFF_PASSWORD=console-staff-pass
BUREAU_PASSWORD=console-bureau-pass

# ---- browser, fonts, node packages, build --------------------------------------------------------
# (grep reads all of fc-list's output: with -q it would stop early, fc-list would die of SIGPIPE and pipefail would
# call the fonts missing)
if [ ! -x "$CHROMIUM" ] || ! fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing chromium and fonts-noto-cjk (Debian packages)"
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q chromium fonts-noto-cjk >/dev/null
  else
    log "Debian's chromium and fonts-noto-cjk are needed (apt-get install chromium fonts-noto-cjk)"; exit 2
  fi
fi
bash "$ROOT/scripts/console-build.sh"

log "type check and vitest"
(cd "$APP" && node node_modules/vue-tsc/bin/vue-tsc.js --noEmit && node node_modules/vitest/vitest.mjs run --reporter=dot)

# ---- database and redis -------------------------------------------------------------------------
# CONSOLE_REUSE_DB=1 (while working on the journeys) keeps the last run's database and accounts.
REUSE=0
if [ "${CONSOLE_REUSE_DB:-0}" = 1 ] && [ -s "$WORK/circles" ]; then REUSE=1; fi
DATABASE_URL=$(fresh_database "${CONSOLE_DB:-circle_test_console}" "$REUSE")
REDIS_URL=$(fresh_redis_db "${CONSOLE_REDIS_DB:-8}")
[ "$REUSE" = 1 ] || rm -rf "$WORK"
rm -rf "$WORK/shots" && mkdir -p "$WORK/uploads" "$WORK/shots"
export DATABASE_URL REDIS_URL FLASK_APP=wsgi.py UPLOAD_DIR="$WORK/uploads" CONSOLE_DIST="$APP/dist"

log "migrating${REUSE/#0/ and loading the demo data into} ${DATABASE_URL##*/}"
migrate_database "$WORK"
[ "$REUSE" = 1 ] || load_demo "$WORK"

# ---- servers ------------------------------------------------------------------------------------
start_backend "$WORK"

# The journeys' circles: the demo circle (needs, projects), a rated circle (evaluation), one out of scope.
if [ "$REUSE" = 0 ]; then
"$PY" - >"$WORK/circles" <<'PY'
from app import create_app
from app.circles.service import locate
from app.circles.models import Circle
from app.common import geo
from app.evaluation import service
from app.common.extensions import db

app = create_app()
with app.app_context():
    demo = locate(*geo.to_wgs84(116.8492, 40.3775, "gcj02"))[0]
    circles = db.session.query(Circle).filter(Circle.city_id == demo.city_id).order_by(Circle.id).all()
    rated = next(c for c in circles if c.id != demo.id and service.evaluate_circle(c.id).get("stars"))
    other = next(c for c in circles if c.id not in (demo.id, rated.id))
    print(demo.id, rated.id, other.id, demo.city_id)
PY
fi
read -r DEMO_CIRCLE RATED_CIRCLE OTHER_CIRCLE CITY <"$WORK/circles"
# (a reused database may have them already)
echo "$STAFF_PASSWORD" | "$PY" -m flask users create --role staff --username e2e_staff --password-stdin \
  --circle "$DEMO_CIRCLE" --circle "$RATED_CIRCLE" --name "御东园社区 李老师" >&2 || [ "$REUSE" = 1 ]
echo "$BUREAU_PASSWORD" | "$PY" -m flask users create --role bureau --username e2e_bureau --password-stdin \
  --city "$CITY" --name "区商务局 王科长" >&2 || [ "$REUSE" = 1 ]
echo "$BUREAU_PASSWORD" | "$PY" -m flask users create --role admin --username e2e_admin --password-stdin \
  --name "平台运维" >&2 || [ "$REUSE" = 1 ]

# ---- journeys -----------------------------------------------------------------------------------
log "API $API_URL, circles: demo $DEMO_CIRCLE, rated $RATED_CIRCLE, out of scope $OTHER_CIRCLE"
cd "$APP"
CONSOLE_URL="$API_URL" CHROMIUM="$CHROMIUM" SHOTS="$WORK/shots" \
  DEMO_CIRCLE="$DEMO_CIRCLE" RATED_CIRCLE="$RATED_CIRCLE" OTHER_CIRCLE="$OTHER_CIRCLE" \
  STAFF_USER=e2e_staff STAFF_PASSWORD="$STAFF_PASSWORD" BUREAU_USER=e2e_bureau BUREAU_PASSWORD="$BUREAU_PASSWORD" \
  ADMIN_USER=e2e_admin \
  node --test --test-concurrency=1 e2e/journeys.test.mjs || { log "journeys failed: screenshots in $WORK/shots"; exit 1; }
