"""uploads: random UUID ids instead of sequential integers; attached_at

Sequential ids let anyone walk every uploaded file (/uploads/1/file, /uploads/2/file …). The ids become
random UUIDs everywhere they are kept: the uploads table, the photo_ids arrays of needs and ratings, and
the JSON of applications, audit entries and outlets (photo_ids, licence_upload_id, upload_id, file URLs).
attached_at marks files a record uses; files used before this migration count as attached.

Revision ID: 0009
Revises: 0008
"""

import json
import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=False)
ARRAY_TABLES = ("demands", "ratings")
# (table, JSON column) that may hold upload ids
JSON_COLUMNS = (
    ("merchant_applications", "payload"),
    ("audit_entries", "before"),
    ("audit_entries", "after"),
    ("outlets", "photos"),
    ("outlets", "certification"),
)
ID_KEYS = ("licence_upload_id", "upload_id")
URL = re.compile(r"/api/v1/uploads/([0-9a-fA-F-]+)/(file|thumb)")


def _remap(value, mapping):
    """The JSON value with every upload id (and file URL) translated; ids without a file are dropped."""
    if isinstance(value, list):
        return [_remap(v, mapping) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "photo_ids" and isinstance(item, list):
            out[key] = [mapping[str(i)] for i in item if str(i) in mapping]
        elif key in ID_KEYS and item is not None and not isinstance(item, (dict, list)):
            out[key] = mapping.get(str(item))
        elif key in ("url", "thumb_url") and isinstance(item, str):
            match = URL.search(item)
            known = match and match.group(1) in mapping
            out[key] = URL.sub(lambda m: f"/api/v1/uploads/{mapping[m.group(1)]}/{m.group(2)}", item) if known else item
        else:
            out[key] = _remap(item, mapping)
    return out


def _referenced(value, found: set) -> set:
    """Upload ids (as text) a JSON value refers to."""
    if isinstance(value, list):
        for item in value:
            _referenced(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "photo_ids" and isinstance(item, list):
                found.update(str(i) for i in item)
            elif key in ID_KEYS and item is not None and not isinstance(item, (dict, list)):
                found.add(str(item))
            else:
                _referenced(item, found)
    return found


def _rewrite_json(conn, mapping) -> set:
    """Translates the ids in every JSON column; returns the (old) ids found there."""
    found = set()
    for table, column in JSON_COLUMNS:
        rows = conn.execute(sa.text(f'SELECT id, "{column}" FROM {table} WHERE "{column}" IS NOT NULL')).all()
        for row_id, value in rows:
            _referenced(value, found)
            changed = _remap(value, mapping)
            if changed != value:
                conn.execute(
                    sa.text(f'UPDATE {table} SET "{column}" = CAST(:v AS jsonb) WHERE id = :id'),
                    {"v": json.dumps(changed, ensure_ascii=False), "id": row_id},
                )
    return found


def _swap_arrays(conn, element_type, new_column_sql):
    """photo_ids → the other id type, order kept, by joining uploads on its old id column."""
    for table in ARRAY_TABLES:
        op.add_column(table, sa.Column("photo_ids_new", postgresql.ARRAY(element_type), nullable=True))
        conn.execute(
            sa.text(
                f"UPDATE {table} t SET photo_ids_new = COALESCE((SELECT array_agg(u.{new_column_sql} ORDER BY p.ord) "
                f"FROM unnest(t.photo_ids) WITH ORDINALITY p(old, ord) JOIN uploads u ON u.id = p.old), '{{}}')"
            )
        )
        op.drop_column(table, "photo_ids")
        op.alter_column(table, "photo_ids_new", new_column_name="photo_ids", nullable=False)


def upgrade():
    conn = op.get_bind()
    op.add_column("uploads", sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("uploads", sa.Column("new_id", UUID, server_default=sa.text("gen_random_uuid()"), nullable=False))
    mapping = {str(old): new for old, new in conn.execute(sa.text("SELECT id, new_id::text FROM uploads"))}
    conn.execute(
        sa.text(
            "UPDATE uploads u SET attached_at = u.created_at WHERE u.circle_id IS NOT NULL OR u.outlet_id IS NOT NULL "
            "OR EXISTS (SELECT 1 FROM demands d WHERE u.id = ANY(d.photo_ids)) "
            "OR EXISTS (SELECT 1 FROM ratings r WHERE u.id = ANY(r.photo_ids))"
        )
    )
    _swap_arrays(conn, UUID, "new_id")
    in_json = [mapping[i] for i in _rewrite_json(conn, mapping) if i in mapping]
    conn.execute(
        sa.text(
            "UPDATE uploads SET attached_at = created_at WHERE attached_at IS NULL AND new_id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"ids": in_json},
    )
    op.drop_constraint("pk_uploads", "uploads", type_="primary")
    op.drop_column("uploads", "id")
    op.alter_column("uploads", "new_id", new_column_name="id")
    op.create_primary_key("pk_uploads", "uploads", ["id"])


def downgrade():
    conn = op.get_bind()
    op.add_column("uploads", sa.Column("old_id", sa.Integer(), sa.Identity(), nullable=False))
    mapping = {new: str(old) for new, old in conn.execute(sa.text("SELECT id::text, old_id FROM uploads"))}
    _swap_arrays(conn, sa.Integer(), "old_id")
    # Ids stored as JSON numbers again.
    _rewrite_json(conn, {k: int(v) for k, v in mapping.items()})
    op.drop_constraint("pk_uploads", "uploads", type_="primary")
    op.drop_column("uploads", "id")
    op.alter_column("uploads", "old_id", new_column_name="id")
    op.create_primary_key("pk_uploads", "uploads", ["id"])
    op.drop_column("uploads", "attached_at")
