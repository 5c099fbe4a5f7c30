"""the bureau role (商务局): its cities, and audit entries about accounts and city settings

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_ROLES = "roles <@ ARRAY['resident', 'merchant', 'staff', 'admin']::varchar[]"
NEW_ROLES = "roles <@ ARRAY['resident', 'merchant', 'staff', 'bureau', 'admin']::varchar[]"


def upgrade():
    op.drop_constraint(op.f("ck_users_known_roles"), "users", type_="check")
    op.create_check_constraint(op.f("ck_users_known_roles"), "users", NEW_ROLES)
    op.create_table(
        "user_cities",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_cities_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_user_cities_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "city_id", name=op.f("pk_user_cities")),
    )
    op.create_index(op.f("ix_user_cities_city_id"), "user_cities", ["city_id"])
    op.add_column("audit_entries", sa.Column("subject_user_id", sa.Integer(), nullable=True))
    op.add_column("audit_entries", sa.Column("city_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_audit_entries_subject_user_id_users"),
        "audit_entries",
        "users",
        ["subject_user_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_audit_entries_city_id_cities"), "audit_entries", "cities", ["city_id"], ["id"], ondelete="SET NULL"
    )
    op.create_index(op.f("ix_audit_entries_subject_user_id"), "audit_entries", ["subject_user_id"])
    op.create_index(op.f("ix_audit_entries_city_id"), "audit_entries", ["city_id"])


def downgrade():
    op.drop_index("ix_audit_entries_city_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_subject_user_id", table_name="audit_entries")
    op.drop_column("audit_entries", "city_id")
    op.drop_column("audit_entries", "subject_user_id")
    op.drop_table("user_cities")
    op.execute("UPDATE users SET roles = array_remove(roles, 'bureau')")
    op.drop_constraint(op.f("ck_users_known_roles"), "users", type_="check")
    op.create_check_constraint(op.f("ck_users_known_roles"), "users", OLD_ROLES)
