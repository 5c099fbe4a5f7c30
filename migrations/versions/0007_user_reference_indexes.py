"""indexes on the user references that ON DELETE SET NULL has to find

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Deleting a user sets these to NULL; without an index each deletion scans the whole table.
USER_REFERENCES = [
    ("ix_ratings_reply_user_id", "ratings", "reply_user_id"),
    ("ix_demand_events_actor_id", "demand_events", "actor_id"),
    ("ix_project_events_actor_id", "project_events", "actor_id"),
]


def upgrade():
    for name, table, column in USER_REFERENCES:
        op.create_index(name, table, [column], postgresql_where=f"{column} IS NOT NULL")


def downgrade():
    for name, table, _ in USER_REFERENCES:
        op.drop_index(name, table_name=table)
