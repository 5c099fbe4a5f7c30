"""the console's needs board: an index for sorting a circle's needs by support count

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_demands_circle_id_support_count", "demands", ["circle_id", "support_count", "id"])


def downgrade():
    op.drop_index("ix_demands_circle_id_support_count", table_name="demands")
