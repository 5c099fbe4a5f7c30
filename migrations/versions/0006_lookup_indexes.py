"""indexes for the evaluation's lookups: same-day service outlets, residents by home circle

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Same-day (on-site) services are few; without this every city evaluation scans all outlets.
    op.create_index("ix_outlets_on_site", "outlets", ["id"], postgresql_where="on_site_service")
    # Item 9 counts a circle's residents by home circle.
    op.create_index("ix_users_home_circle_id", "users", ["home_circle_id"])


def downgrade():
    op.drop_index("ix_users_home_circle_id", table_name="users")
    op.drop_index("ix_outlets_on_site", table_name="outlets")
