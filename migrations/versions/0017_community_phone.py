"""communities carry the phone number residents call (the mini-program's elder mode has a button for it)

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("communities", sa.Column("phone", sa.String(length=40), nullable=True))


def downgrade():
    op.drop_column("communities", "phone")
