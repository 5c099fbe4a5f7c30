#!/usr/bin/env bash
# A bounded schemathesis run over the whole OpenAPI document against a live backend (gunicorn + the WeChat
# stub on free loopback ports, a fresh database with the demo places), once as a resident and once as an admin.
# Checks: no 5xx (not_a_server_error), every answer matches its declared schema (response_schema_conformance)
# and status (status_code_conformance). Same seed, deterministic generation, no example database: a CI run and
# a developer's run send the same requests.
#
# Needs the services of `make services` (var/services.env). Run: bash scripts/api-fuzz.sh
# Env: FUZZ_MAX_EXAMPLES (default 12 per operation and phase), FUZZ_SEED, FUZZ_DB, FUZZ_REDIS_DB, FUZZ_ARGS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
WORK="$ROOT/var/api-fuzz"
LOG_TAG=api-fuzz
# shellcheck source=scripts/live-backend.sh
. "$ROOT/scripts/live-backend.sh"

live_backend_database "${FUZZ_DB:-circle_test_fuzz}" "${FUZZ_REDIS_DB:-8}"
# Rate limits would turn most of the run into 429s; they have their own tests.
export RATELIMIT_ENABLED=0
live_backend_start -w 2

ADMIN_PASSWORD=fuzz-admin-password
echo "$ADMIN_PASSWORD" | "$PY" -m flask users create --role admin --username fuzz_admin --password-stdin >&2
token() {
  "$PY" - "$API_URL$1" "$2" <<'PY'
import json
import sys
import urllib.request

request = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request) as answer:
    print(json.load(answer)["access_token"])
PY
}
RESIDENT_TOKEN=$(token /api/v1/auth/wechat/login '{"code": "fuzz-resident"}')
ADMIN_TOKEN=$(token /api/v1/auth/staff/login "{\"username\": \"fuzz_admin\", \"password\": \"$ADMIN_PASSWORD\"}")

status=0
for role in resident admin; do
  [ "$role" = resident ] && bearer=$RESIDENT_TOKEN || bearer=$ADMIN_TOKEN
  log "schemathesis as $role against $API_URL"
  (cd "$WORK" && "$ROOT/.venv/bin/st" --no-color --config-file "$ROOT/scripts/api-fuzz.toml" run "$API_URL/api/openapi.json" \
    -H "Authorization: Bearer $bearer" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "${FUZZ_MAX_EXAMPLES:-12}" --seed "${FUZZ_SEED:-20261201}" --generation-deterministic \
    --no-shrink --workers 2 --request-timeout 20 \
    --suppress-health-check all --warnings off \
    --report junit --report-junit-path "$WORK/$role.junit.xml" \
    ${FUZZ_ARGS:-}) >"$WORK/$role.log" 2>&1 || status=1
  tail -n 25 "$WORK/$role.log" >&2
done
[ "$status" = 0 ] || log "failures: full output in $WORK/{resident,admin}.log"
exit "$status"
