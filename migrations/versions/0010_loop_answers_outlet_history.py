"""the loop closed: supporters' answers, subscription consent, existing outlets on needs; outlet history

Revision ID: 0010
Revises: 0009
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

HISTORY_COLUMNS = (
    "name, types, location, address, status, circle_id, community_id, chain, brand, online, delivery, open_24h, "
    "quality_brand, qr_payment, services, owner_user_id, mobile, on_site_service, service_radius_m, "
    "service_circle_ids"
)
NEW_COLUMNS = ", ".join(f"NEW.{c.strip()}" for c in HISTORY_COLUMNS.split(","))
OLD_COLUMNS = ", ".join(f"OLD.{c.strip()}" for c in HISTORY_COLUMNS.split(","))

# Every write to outlets keeps outlet_versions true. The moment a change takes effect is the
# transaction's `app.outlets_as_of` setting when a write says so (an import of a census as of a date),
# else the outlet's created_at for a new outlet and the wall-clock time for a change. Changes to columns
# the evaluation does not read (ratings, photos, hours text) make no version.
TRIGGER = f"""
CREATE OR REPLACE FUNCTION outlets_keep_history() RETURNS trigger AS $$
DECLARE
    stated timestamptz := NULLIF(current_setting('app.outlets_as_of', true), '')::timestamptz;
    at timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- Deleting is erasing (a wrong row, demo data replaced); an outlet that closed is `status = 'closed'`.
        DELETE FROM outlet_versions WHERE outlet_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND ROW({NEW_COLUMNS}) IS NOT DISTINCT FROM ROW({OLD_COLUMNS}) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        at := COALESCE(stated, NEW.created_at, clock_timestamp());
    ELSE
        at := COALESCE(stated, clock_timestamp());
        -- History only moves forward: a change dated before the current version replaces that version.
        DELETE FROM outlet_versions WHERE outlet_id = OLD.id AND valid_to IS NULL AND valid_from >= at;
        UPDATE outlet_versions SET valid_to = at WHERE outlet_id = OLD.id AND valid_to IS NULL;
    END IF;
    INSERT INTO outlet_versions (outlet_id, valid_from, {HISTORY_COLUMNS})
    VALUES (NEW.id, at, {NEW_COLUMNS});
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER outlets_keep_history AFTER INSERT OR UPDATE OR DELETE ON outlets
    FOR EACH ROW EXECUTE FUNCTION outlets_keep_history();
"""


def upgrade():
    op.create_table(
        "demand_answers",
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("answer IN ('yes', 'no', 'unsure')", name=op.f("ck_demand_answers_answer")),
        sa.ForeignKeyConstraint(["demand_id"], ["demands.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("demand_id", "user_id"),
    )
    op.create_index(op.f("ix_demand_answers_user_id"), "demand_answers", ["user_id"])
    op.add_column("demands", sa.Column("existing_reason", sa.String(length=16), nullable=True))
    op.add_column(
        "demands",
        sa.Column("existing_outlet_ids", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_demands_existing_reason"),
        "demands",
        "existing_reason IS NULL OR existing_reason IN ('too_expensive', 'closed', 'poor', 'too_far', 'other')",
    )
    op.create_table(
        "notification_subscriptions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("last_answer", sa.String(length=8), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "last_answer IN ('accept', 'reject', 'ban')", name=op.f("ck_notification_subscriptions_last_answer")
        ),
        sa.CheckConstraint("credits >= 0", name=op.f("ck_notification_subscriptions_credits")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "template_id"),
    )
    op.create_table(
        "outlet_versions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("types", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("chain", sa.Boolean(), nullable=True),
        sa.Column("brand", sa.String(length=80), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.Column("delivery", sa.Boolean(), nullable=True),
        sa.Column("open_24h", sa.Boolean(), nullable=True),
        sa.Column("quality_brand", sa.String(length=20), nullable=True),
        sa.Column("qr_payment", sa.Boolean(), nullable=True),
        sa.Column("services", postgresql.ARRAY(sa.String(length=40)), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("mobile", sa.Boolean(), nullable=True),
        sa.Column("on_site_service", sa.Boolean(), nullable=True),
        sa.Column("service_radius_m", sa.Integer(), nullable=True),
        sa.Column("service_circle_ids", postgresql.ARRAY(sa.Integer()), nullable=True),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_outlet_versions_valid_range")),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_outlet_versions_location", "outlet_versions", ["location"], postgresql_using="gist")
    op.create_index("ix_outlet_versions_outlet_id", "outlet_versions", ["outlet_id", "valid_from"])
    op.create_index("ix_outlet_versions_circle_id", "outlet_versions", ["circle_id", "valid_from"])
    op.create_index(
        "ix_outlet_versions_current", "outlet_versions", ["outlet_id"], unique=True, postgresql_where="valid_to IS NULL"
    )
    # What is known of the past: each outlet as it is now, since it was created.
    op.execute(
        f"INSERT INTO outlet_versions (outlet_id, valid_from, {HISTORY_COLUMNS}) "
        f"SELECT id, created_at, {HISTORY_COLUMNS} FROM outlets"
    )
    op.execute(TRIGGER)


def downgrade():
    op.execute("DROP TRIGGER outlets_keep_history ON outlets; DROP FUNCTION outlets_keep_history()")
    op.drop_table("outlet_versions")
    op.drop_table("notification_subscriptions")
    op.drop_constraint(op.f("ck_demands_existing_reason"), "demands", type_="check")
    op.drop_column("demands", "existing_outlet_ids")
    op.drop_column("demands", "existing_reason")
    op.drop_table("demand_answers")
