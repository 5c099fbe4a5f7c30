#!/usr/bin/env bash
# A bounded schemathesis run over the whole OpenAPI document against a live backend (gunicorn + the WeChat
# stub on free loopback ports, a fresh database with the demo places), once as a resident and once as an admin.
# One schemathesis worker: with more, its threads share hypothesis' caches (seen failing as "AST constructor recursion
# depth mismatch") and the order of requests, hence the database's state, varies between runs.
# Checks: no 5xx (not_a_server_error), every answer matches its declared schema (response_schema_conformance)
# and status (status_code_conformance). Deterministic generation (no seed, no example database): a CI run and a
# developer's run send the same requests. Phases: coverage (boundary and invalid values of every parameter and
# field, e.g. int4 + 1, NUL, wrong types) and fuzzing (FUZZ_MAX_EXAMPLES random cases per operation).
#
# Needs the services of `make services` (var/services.env). Run: bash scripts/api-fuzz.sh
# Env: FUZZ_MAX_EXAMPLES (default 5), FUZZ_DB, FUZZ_REDIS_DB, FUZZ_ARGS (more `st run` options).
set -euo pipefail

# shellcheck source=scripts/live-backend.sh
. "$(dirname "$0")/live-backend.sh"
use_services
cd "$ROOT"
WORK="$ROOT/var/api-fuzz"

DATABASE_URL=$(fresh_database "${FUZZ_DB:-circle_test_fuzz}")
REDIS_URL=$(fresh_redis_db "${FUZZ_REDIS_DB:-8}")
rm -rf "$WORK" && mkdir -p "$WORK/uploads"
# Rate limits would turn most of the run into 429s; they have their own tests.
export DATABASE_URL REDIS_URL FLASK_APP=wsgi.py UPLOAD_DIR="$WORK/uploads" RATELIMIT_ENABLED=0
log "migrating and loading demo places into ${FUZZ_DB:-circle_test_fuzz}"
migrate_database "$WORK"
load_demo "$WORK" --places-only
start_backend "$WORK"

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

# Operations only staff or admins may call (their x-roles name no resident): the admin walks their boundaries
# (schemathesis' coverage phase), the resident walks the others'. Both fuzz every operation.
STAFF_ONLY=$("$PY" - "$API_URL/api/openapi.json" <<'PY'
import json
import re
import sys
import urllib.request

spec = json.load(urllib.request.urlopen(sys.argv[1]))
names = [
    f"{method.upper()} {path}"
    for path, operations in spec["paths"].items()
    for method, operation in operations.items()
    if method != "parameters" and operation.get("x-roles") and "resident" not in operation["x-roles"]
]
print("^(" + "|".join(re.escape(name) for name in names) + ")$")
PY
)

status=0
fuzz() {  # role phases filter… (the run's output goes to $WORK/<role>-<phases>.log)
  local role=$1 phases=$2 bearer
  shift 2
  [ "$role" = resident ] && bearer=$RESIDENT_TOKEN || bearer=$ADMIN_TOKEN
  log "schemathesis $phases as $role against $API_URL"
  (cd "$WORK" && "$ROOT/.venv/bin/st" --no-color --config-file "$ROOT/scripts/api-fuzz.toml" run \
    "$API_URL/api/openapi.json" -H "Authorization: Bearer $bearer" "$@" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --phases "$phases" --max-examples "${FUZZ_MAX_EXAMPLES:-5}" --generation-deterministic \
    --no-shrink --workers 1 --request-timeout 60 --suppress-health-check all --warnings off \
    --report junit --report-junit-path "$WORK/$role-$phases.junit.xml" \
    ${FUZZ_ARGS:-}) >"$WORK/$role-$phases.log" 2>&1 || { status=1; sed -n '/FAILURES/,$p' "$WORK/$role-$phases.log" >&2; }
  grep -E '^ +[0-9]+ generated' "$WORK/$role-$phases.log" >&2 || tail -n 20 "$WORK/$role-$phases.log" >&2
}
# The resident does not delete its own account: every later request would only see its token refused.
SELF_DELETION='POST /api/v1/me/deletion'
fuzz resident coverage --exclude-name-regex "$STAFF_ONLY" --exclude-name "$SELF_DELETION"
fuzz admin coverage --include-name-regex "$STAFF_ONLY"
fuzz resident fuzzing --exclude-name "$SELF_DELETION"
fuzz admin fuzzing
log "CPU time of the runs and the servers (user, system; budget: 3 minutes on 2 idle cores):"
times >&2
[ "$status" = 0 ] || log "failures: full output in $WORK/*.log"
exit "$status"
