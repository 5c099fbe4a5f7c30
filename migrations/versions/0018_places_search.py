"""places search: face-to-face service (elderly-friendly filter), add-on services indexed for keywords

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Kinds nobody serves in person (app/outlets/search.py SELF_SERVICE_TYPES).
SELF_SERVICE = "ARRAY['vending_machine', 'smart_store', 'water_dispenser']::varchar[]"


def upgrade():
    op.add_column("outlets", sa.Column("face_to_face", sa.Boolean(), server_default=sa.text("true"), nullable=False))
    op.execute(f"UPDATE outlets SET face_to_face = false WHERE types <@ {SELF_SERVICE}")
    op.create_index("ix_outlets_services", "outlets", ["services"], unique=False, postgresql_using="gin")


def downgrade():
    op.drop_index("ix_outlets_services", table_name="outlets", postgresql_using="gin")
    op.drop_column("outlets", "face_to_face")
