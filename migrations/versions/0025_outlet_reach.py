"""outlet ↔ circle reach: which outlets count for which circle's presence, kept by a refresh at each pass

Revision ID: 0025
Revises: 0024

`outlet_reach` holds, type by type, the approved fixed outlets within the largest walking radius of each
circle's boundary (inside it: distance 0), so the evaluation's presence reads integer rows instead of pairing
outlets with circles by geometry every run (app/evaluation/reach.py). Writers pay a marker only: row
triggers note the outlets and circles a write touched (`outlet_reach_dirty_*`), a bulk outlet import
(`app.outlets_bulk = on`, whose row triggers step aside) clears the state's radius so the next refresh
builds the table from scratch. Presence reads the table only while nothing is noted; the nightly pass
refreshes it first. A fresh database starts with no radius: its first refresh builds the table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

NOT_BULK = "current_setting('app.outlets_bulk', true) IS DISTINCT FROM 'on'"


def upgrade():
    op.create_table(
        "outlet_reach",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("circle_id", "code", "outlet_id"),
    )
    op.create_index("ix_outlet_reach_outlet_id", "outlet_reach", ["outlet_id"])
    op.create_table(
        "outlet_reach_dirty_outlets",
        sa.Column("outlet_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("outlet_id"),
    )
    op.create_table(
        "outlet_reach_dirty_circles",
        sa.Column("circle_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("circle_id"),
    )
    op.create_table(
        "outlet_reach_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_outlet_reach_state_one_row")),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO outlet_reach_state (id) VALUES (1)")
    op.execute(
        f"""
        CREATE FUNCTION outlet_reach_note() RETURNS trigger AS $$
        DECLARE
            written int := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
        BEGIN
            IF TG_TABLE_NAME = 'outlets' THEN
                INSERT INTO outlet_reach_dirty_outlets VALUES (written) ON CONFLICT DO NOTHING;
            ELSE
                INSERT INTO outlet_reach_dirty_circles VALUES (written) ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql;

        CREATE FUNCTION outlet_reach_rebuild() RETURNS trigger AS $$
        BEGIN
            UPDATE outlet_reach_state SET radius_m = NULL WHERE radius_m IS NOT NULL;
            RETURN NULL;
        END $$ LANGUAGE plpgsql;

        CREATE TRIGGER outlets_reach_note AFTER INSERT OR UPDATE OF location, status, mobile, types, circle_id
            OR DELETE ON outlets FOR EACH ROW WHEN ({NOT_BULK}) EXECUTE FUNCTION outlet_reach_note();
        CREATE TRIGGER outlets_reach_bulk AFTER INSERT OR UPDATE OR DELETE ON outlets
            FOR EACH STATEMENT WHEN (NOT ({NOT_BULK})) EXECUTE FUNCTION outlet_reach_rebuild();
        CREATE TRIGGER circles_reach_note AFTER INSERT OR UPDATE OF boundary OR DELETE ON circles
            FOR EACH ROW EXECUTE FUNCTION outlet_reach_note();
        """
    )


def downgrade():
    op.execute(
        """
        DROP TRIGGER circles_reach_note ON circles;
        DROP TRIGGER outlets_reach_bulk ON outlets;
        DROP TRIGGER outlets_reach_note ON outlets;
        DROP FUNCTION outlet_reach_rebuild();
        DROP FUNCTION outlet_reach_note();
        """
    )
    op.drop_table("outlet_reach_state")
    op.drop_table("outlet_reach_dirty_circles")
    op.drop_table("outlet_reach_dirty_outlets")
    op.drop_index("ix_outlet_reach_outlet_id", table_name="outlet_reach")
    op.drop_table("outlet_reach")
