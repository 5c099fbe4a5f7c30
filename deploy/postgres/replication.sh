#!/bin/sh
# Run once by the postgres image when `db`'s volume is initialised: lets the `db-replica` service connect for
# streaming replication as the database owner (password auth). wal_level=replica and max_wal_senders=10 are
# PostgreSQL 15's defaults; the replica creates its own replication slot (pg_basebackup -C -S replica1).
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
