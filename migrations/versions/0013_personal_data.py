"""residents' rights: phone with consent, privacy notice version, account deletion tombstones; survey
answers outlive their author as anonymous counts

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

EMPTY = (
    "deleted_at IS NULL OR (openid IS NULL AND unionid IS NULL AND username IS NULL AND phone IS NULL"
    " AND display_name IS NULL AND password_hash IS NULL)"
)


def upgrade():
    op.add_column("users", sa.Column("phone", sa.String(length=20), nullable=True))
    op.add_column("users", sa.Column("phone_consented_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("privacy_version", sa.String(length=32), nullable=True))
    op.add_column("users", sa.Column("privacy_accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint("has_identity", "users", type_="check")
    op.create_check_constraint(
        "has_identity", "users", "openid IS NOT NULL OR username IS NOT NULL OR deleted_at IS NOT NULL"
    )
    op.create_check_constraint("deleted_is_empty", "users", EMPTY)

    op.alter_column("survey_responses", "user_id", existing_type=sa.Integer(), nullable=True)
    op.drop_constraint("fk_survey_responses_user_id_users", "survey_responses", type_="foreignkey")
    op.create_foreign_key(
        "fk_survey_responses_user_id_users", "survey_responses", "users", ["user_id"], ["id"], ondelete="SET NULL"
    )


def downgrade():
    op.execute("DELETE FROM survey_responses WHERE user_id IS NULL")
    op.drop_constraint("fk_survey_responses_user_id_users", "survey_responses", type_="foreignkey")
    op.create_foreign_key(
        "fk_survey_responses_user_id_users", "survey_responses", "users", ["user_id"], ["id"], ondelete="CASCADE"
    )
    op.alter_column("survey_responses", "user_id", existing_type=sa.Integer(), nullable=False)
    op.drop_constraint("deleted_is_empty", "users", type_="check")
    op.drop_constraint("has_identity", "users", type_="check")
    op.execute("DELETE FROM users WHERE openid IS NULL AND username IS NULL")
    op.create_check_constraint("has_identity", "users", "openid IS NOT NULL OR username IS NOT NULL")
    for column in ("deleted_at", "privacy_accepted_at", "privacy_version", "phone_consented_at", "phone"):
        op.drop_column("users", column)
