"""evaluation snapshots, staff assessments, scoring profiles

Scoring profiles are data files (app/taxonomy/data/scoring/*.toml), not tables; snapshots keep the
profile version and the full result they were computed with.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ASSESSMENT_ITEMS = ("vegetable_market", "elderly_care", "childcare", "harmony", "smart_environment", "breakfast_variety")
TYPES = ("quality", "improved", "basic")


def _timestamps():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade():
    op.create_table(
        "evaluation_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(f"item IN {ASSESSMENT_ITEMS}", name=op.f("ck_evaluation_assessments_item")),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f("fk_evaluation_assessments_circle_id_circles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_evaluation_assessments_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_assessments")),
    )
    op.create_index(
        "ix_evaluation_assessments_circle_item", "evaluation_assessments", ["circle_id", "item", "assessed_on"]
    )
    op.create_table(
        "evaluation_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("profile_code", sa.String(length=40), nullable=False),
        sa.Column("profile_version", sa.String(length=80), nullable=False),
        sa.Column("presence_score", sa.Float(), nullable=False),
        sa.Column("service_score", sa.Float(), nullable=False),
        sa.Column("provisional_type", sa.String(length=12), nullable=True),
        sa.Column("grade", sa.String(length=12), nullable=False),
        sa.Column("final_type", sa.String(length=12), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("frozen_by", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            f"provisional_type IS NULL OR provisional_type IN {TYPES}",
            name=op.f("ck_evaluation_snapshots_provisional_type"),
        ),
        sa.CheckConstraint(f"final_type IS NULL OR final_type IN {TYPES}", name=op.f("ck_evaluation_snapshots_final_type")),
        sa.CheckConstraint(
            "grade IN ('excellent', 'good', 'pass', 'fail')", name=op.f("ck_evaluation_snapshots_grade")
        ),
        sa.CheckConstraint("stars BETWEEN 0 AND 5", name=op.f("ck_evaluation_snapshots_stars")),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f("fk_evaluation_snapshots_circle_id_circles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["frozen_by"], ["users.id"], name=op.f("fk_evaluation_snapshots_frozen_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_snapshots")),
        sa.UniqueConstraint("circle_id", "period", name="uq_evaluation_snapshots_circle_period"),
    )


def downgrade():
    op.drop_table("evaluation_snapshots")
    op.drop_index("ix_evaluation_assessments_circle_item", table_name="evaluation_assessments")
    op.drop_table("evaluation_assessments")
