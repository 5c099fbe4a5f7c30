"""notification outbox: the id of the request that queued each message

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, no default: a metadata-only change, instant on a large outbox.
    op.add_column("notification_outbox", sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("notification_outbox", "request_id")
