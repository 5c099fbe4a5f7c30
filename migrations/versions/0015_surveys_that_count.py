"""surveys that count: home circle checks, paper and phone answers, the merchant questionnaire, usage log

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TODAY_LOCAL = sa.text("(now() AT TIME ZONE 'Asia/Shanghai')::date")


def _answer_columns():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), server_default="online", nullable=False),
        sa.Column("home_check", sa.String(length=16), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("respondent_ref", sa.String(length=64), nullable=True),
        sa.Column("answered_on", sa.Date(), server_default=TODAY_LOCAL, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("comment_check", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _answer_checks(table):
    return [
        sa.CheckConstraint("source IN ('online', 'paper', 'phone')", name=op.f(f"ck_{table}_source")),
        sa.CheckConstraint(
            "home_check IS NULL OR home_check IN ('location', 'staff_confirmed')", name=op.f(f"ck_{table}_home_check")
        ),
    ]


def upgrade():
    op.add_column("users", sa.Column("home_confirmed_by", sa.Integer(), nullable=True))
    op.add_column("users", sa.Column("home_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        op.f("fk_users_home_confirmed_by_users"), "users", "users", ["home_confirmed_by"], ["id"], ondelete="SET NULL"
    )
    op.create_index(op.f("ix_users_home_confirmed_by"), "users", ["home_confirmed_by"])

    # Resident answers: online ones keep their account (user_id is already nullable, SET NULL when an
    # account is deleted: 0013); paper and phone ones are entered by staff and have none.
    table = "survey_responses"
    for column in _answer_columns()[4:10]:
        op.add_column(table, column)
    for check in _answer_checks(table):
        op.create_check_constraint(check.name, table, check.sqltext)
    op.create_foreign_key(
        op.f("fk_survey_responses_entered_by_users"), table, "users", ["entered_by"], ["id"], ondelete="SET NULL"
    )
    op.create_index(op.f("ix_survey_responses_entered_by"), table, ["entered_by"])
    op.create_index(
        "uq_survey_responses_period_respondent_ref",
        table,
        ["period_id", "respondent_ref"],
        unique=True,
        postgresql_where=sa.text("respondent_ref IS NOT NULL"),
    )
    op.execute(f"UPDATE {table} SET answered_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date")

    table = "merchant_survey_responses"
    op.create_table(
        table,
        *_answer_columns(),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("business_outlook", sa.SmallInteger(), nullable=False),
        sa.Column("environment_satisfaction", sa.SmallInteger(), nullable=False),
        sa.Column("needed_types", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False),
        sa.Column("oversupplied_types", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False),
        *_answer_checks(table),
        sa.CheckConstraint("comment IS NULL OR char_length(comment) <= 500", name=op.f(f"ck_{table}_comment_length")),
        sa.CheckConstraint("business_outlook BETWEEN 1 AND 5", name=op.f(f"ck_{table}_business_outlook")),
        sa.CheckConstraint(
            "environment_satisfaction BETWEEN 1 AND 5", name=op.f(f"ck_{table}_environment_satisfaction")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["survey_periods.id"], name=op.f(f"fk_{table}_period_id_survey_periods"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f(f"fk_{table}_circle_id_circles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["users.id"], name=op.f(f"fk_{table}_entered_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f(f"fk_{table}_outlet_id_outlets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("period_id", "user_id", name=f"uq_{table}_period_user"),
    )
    for column in ("circle_id", "user_id", "entered_by", "outlet_id"):
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    op.create_index(
        f"uq_{table}_period_respondent_ref",
        table,
        ["period_id", "respondent_ref"],
        unique=True,
        postgresql_where=sa.text("respondent_ref IS NOT NULL"),
    )

    op.create_table(
        "platform_uses",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('search')", name=op.f("ck_platform_uses_kind")),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f("fk_platform_uses_circle_id_circles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_platform_uses_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("circle_id", "day", "kind", "user_id", name=op.f("pk_platform_uses")),
    )
    op.create_index(op.f("ix_platform_uses_user_id"), "platform_uses", ["user_id"])


def downgrade():
    op.drop_table("platform_uses")
    op.drop_table("merchant_survey_responses")
    table = "survey_responses"
    op.drop_index("uq_survey_responses_period_respondent_ref", table_name=table)
    op.execute(f"DELETE FROM {table} WHERE source <> 'online'")
    for check in ("source", "home_check"):
        op.drop_constraint(op.f(f"ck_{table}_{check}"), table, type_="check")
    op.drop_index(op.f("ix_survey_responses_entered_by"), table_name=table)
    op.drop_constraint(op.f("fk_survey_responses_entered_by_users"), table, type_="foreignkey")
    for column in ("source", "home_check", "distance_m", "entered_by", "respondent_ref", "answered_on"):
        op.drop_column(table, column)
    op.drop_index(op.f("ix_users_home_confirmed_by"), table_name="users")
    op.drop_constraint(op.f("fk_users_home_confirmed_by_users"), "users", type_="foreignkey")
    op.drop_column("users", "home_confirmed_at")
    op.drop_column("users", "home_confirmed_by")
