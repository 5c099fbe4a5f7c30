"""faults survived: Idempotency-Keys bound in PostgreSQL, per-circle evaluation version, `sending` outbox rows

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idempotency_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("mimetype", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.add_column("circles", sa.Column("evaluation_version", sa.Integer(), server_default="0", nullable=False))

    op.add_column("notification_outbox", sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))
    _outbox_statuses(OUTBOX_STATUSES, LIVE_STATUSES)


OLD_STATUSES = ("pending", "queued", "sent", "unsubscribed", "failed")
OUTBOX_STATUSES = ("pending", "queued", "sending", "sent", "unsubscribed", "failed")
LIVE_STATUSES = ("pending", "queued", "sending")


def _outbox_statuses(statuses, live):
    op.drop_constraint(op.f("ck_notification_outbox_status"), "notification_outbox", type_="check")
    op.create_check_constraint(op.f("ck_notification_outbox_status"), "notification_outbox", f"status IN {statuses}")
    op.drop_index("ix_notification_outbox_due", table_name="notification_outbox")
    op.create_index(
        "ix_notification_outbox_due", "notification_outbox", ["next_attempt_at"], postgresql_where=f"status IN {live}"
    )


def downgrade():
    op.execute("UPDATE notification_outbox SET status = 'queued' WHERE status = 'sending'")
    _outbox_statuses(OLD_STATUSES, ("pending", "queued"))
    op.drop_column("notification_outbox", "sending_at")
    op.drop_column("circles", "evaluation_version")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
