#!/usr/bin/env bash
# Backup and restore of the database (pg_dump custom format) and the uploaded files.
#
#   scripts/backup.sh backup [DIR]    # DIR defaults to var/backups/<UTC timestamp>
#   scripts/backup.sh restore DIR
#
# The database is DATABASE_URL (var/services.env when unset); files are UPLOAD_DIR (var/uploads by default).
# A backup DIR holds db.dump (pg_dump -Fc) and, when there are files, uploads.tar.
#
# restore never writes into the live database: it restores into a new database, and only when that
# succeeded renames the current one to <name>_before_restore_<timestamp> (kept for rollback; drop it
# yourself) and the new one into its place. The app and workers must be stopped while it swaps
# (PostgreSQL renames only databases nobody is connected to). Files are content-addressed and
# immutable, so restoring them only adds what is missing.
# For the docker compose deployment see README "Production" (the same tools, run in the db container).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PG_BIN/pg_dump" ] || PG_BIN=$(dirname "$(command -v pg_dump)")

log() { printf '[backup] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

if [ -z "${DATABASE_URL:-}" ] && [ -f "$ROOT/var/services.env" ]; then
  set -a; . "$ROOT/var/services.env"; set +a
fi
[ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is unset (run make services, or set it)"
UPLOAD_DIR=${UPLOAD_DIR:-$ROOT/var/uploads}

# SQLAlchemy's postgresql+psycopg://… is a libpq URL once the driver suffix is gone.
DB_URL=$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgresql\+[a-z0-9]+://#postgresql://#')
DB_NAME=$(printf '%s' "$DB_URL" | sed -E 's#^[^/]*//[^/]*/([^?]*).*#\1#')
[ -n "$DB_NAME" ] && [ "$DB_NAME" != "$DB_URL" ] || die "no database name in DATABASE_URL"
# The same server, its maintenance database: where databases are created and renamed.
ADMIN_URL=$(printf '%s' "$DB_URL" | sed -E "s#^([^/]*//[^/]*/)[^?]*#\1postgres#")
url_for() { printf '%s' "$DB_URL" | sed -E "s#^([^/]*//[^/]*/)[^?]*#\1$1#"; }
in_use() { [ "$(admin_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'")" != 0 ]; }
admin_sql() { "$PG_BIN/psql" "$ADMIN_URL" -qtAX -v ON_ERROR_STOP=1 -c "$1"; }

backup() {
  local dir=${1:-$ROOT/var/backups/$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$dir"
  log "dumping $DB_NAME to $dir/db.dump"
  "$PG_BIN/pg_dump" --format=custom --compress=6 --file="$dir/db.dump.part" "$DB_URL"
  mv "$dir/db.dump.part" "$dir/db.dump"
  if [ -d "$UPLOAD_DIR" ]; then
    log "archiving $UPLOAD_DIR to $dir/uploads.tar"
    tar -C "$UPLOAD_DIR" --exclude='./.part-*' -cf "$dir/uploads.tar.part" .
    mv "$dir/uploads.tar.part" "$dir/uploads.tar"
  fi
  "$PG_BIN/pg_restore" --list "$dir/db.dump" >/dev/null  # a dump that cannot be read is no backup
  log "done: $dir"
  printf '%s\n' "$dir"
}

restore() {
  local dir=${1:?usage: scripts/backup.sh restore DIR}
  [ -f "$dir/db.dump" ] || die "$dir/db.dump not found"
  local stamp scratch
  stamp=$(date -u +%Y%m%d%H%M%S)
  scratch="${DB_NAME}_restoring_$stamp"
  in_use "$DB_NAME" && die "$DB_NAME is in use: stop the app and workers first"
  log "restoring $dir/db.dump into a new database $scratch"
  admin_sql "CREATE DATABASE \"$scratch\""
  if ! "$PG_BIN/pg_restore" --exit-on-error --no-owner --single-transaction -d "$(url_for "$scratch")" "$dir/db.dump"; then
    admin_sql "DROP DATABASE IF EXISTS \"$scratch\""
    die "pg_restore failed; $DB_NAME is untouched"
  fi
  if [ -n "$(admin_sql "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    if ! admin_sql "ALTER DATABASE \"$DB_NAME\" RENAME TO \"${DB_NAME}_before_restore_$stamp\"" 2>/dev/null; then
      admin_sql "DROP DATABASE IF EXISTS \"$scratch\""
      die "$DB_NAME is in use: stop the app and workers, then run restore again ($DB_NAME is untouched)"
    fi
    log "the previous database is kept as ${DB_NAME}_before_restore_$stamp"
  fi
  admin_sql "ALTER DATABASE \"$scratch\" RENAME TO \"$DB_NAME\""
  if [ -f "$dir/uploads.tar" ]; then
    mkdir -p "$UPLOAD_DIR"
    tar -C "$UPLOAD_DIR" --skip-old-files -xf "$dir/uploads.tar"
    log "files restored into $UPLOAD_DIR"
  fi
  log "restored $DB_NAME from $dir"
}

case "${1:-}" in
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  *) echo "usage: $0 backup [DIR] | restore DIR" >&2; exit 2 ;;
esac
