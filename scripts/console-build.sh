#!/usr/bin/env bash
# Builds the web console (console/ → console/dist, served by Flask at /console/).
#
# npm ci from the committed lockfile (skipped while the lockfile is unchanged), then vite build (skipped while the
# lockfile and every source file are unchanged). Node.js >= 20.19 and npm come from the machine; on a Debian
# machine without them, as root, they are installed from Debian's packages.
# Run: bash scripts/console-build.sh [--force]
set -euo pipefail

# shellcheck source=scripts/live-backend.sh
. "$(dirname "$0")/live-backend.sh"
APP="$ROOT/console"
npm_ci_once "$APP" || exit 2
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' || {
  log "Node.js $(node --version) is too old for Vite: 20.19 or newer is needed"; exit 2; }

# Everything the build reads: sources, entry page, configs and the lockfile.
source_sum=$(cd "$APP" && find src index.html vite.config.ts tsconfig.json package.json package-lock.json -type f \
  ! -name '*.spec.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
if [ "${1:-}" != "--force" ] && [ -f "$APP/dist/index.html" ] && [ "$(cat "$APP/dist/.source-sha256" 2>/dev/null)" = "$source_sum" ]; then
  log "dist is up to date"
  exit 0
fi
log "vite build"
(cd "$APP" && node node_modules/vite/bin/vite.js build --logLevel warn)
echo "$source_sum" > "$APP/dist/.source-sha256"
log "built $APP/dist"
