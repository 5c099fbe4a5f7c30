"""Indexes built once after a bulk write instead of kept up to date a row at a time (the outlets' first large
import, the outlet ↔ circle reach built from scratch): building a GiST, GIN or B-tree index over millions of rows
at once costs a fraction of inserting them one by one into it."""

from contextlib import contextmanager

from sqlalchemy import text

# Per index build (one at a time): the sort of a big GIN or B-tree in memory.
BUILD_MEMORY = "512MB"


@contextmanager
def built_after(session, tables: tuple[str, ...], *, primary_keys: bool = False):
    """Drops the tables' indexes that back no constraint (with `primary_keys`, their primary keys too) and builds
    them again after the block, in the caller's transaction. Other constraints' indexes stay (a load's joins may
    use them: the outlets' external_id). The DROP holds each table's exclusive lock until the commit."""
    keys = []
    if primary_keys:
        keys = session.execute(
            text("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid = ANY (CAST(:tables AS regclass[])) AND contype = 'p' ORDER BY oid"""),
            {"tables": list(tables)},
        ).all()
    indexes = session.execute(
        text("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid = ANY (CAST(:tables AS regclass[]))
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY i.indexrelid"""),
        {"tables": list(tables)},
    ).all()
    for table, name, _definition in keys:
        session.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
    for name, _definition in indexes:
        session.execute(text(f"DROP INDEX {name}"))
    yield
    session.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
    for table, name, definition in keys:
        session.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
    for name, definition in indexes:
        if " USING gist " in definition and " WITH (" not in definition and " WHERE " not in definition:
            # GiST's buffered build: ≈ 25 % less CPU over a million points (outlet_versions' location: 7.4-8.1 →
            # 5.7-5.8 s). The option concerns only the build, so the index is left as it was defined.
            session.execute(text(f"{definition} WITH (buffering = on)"))
            session.execute(text(f"ALTER INDEX {name} RESET (buffering)"))
        else:
            session.execute(text(definition))
