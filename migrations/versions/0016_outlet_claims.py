"""outlet claims (认领): a merchant claims a listed outlet; one approved claim per outlet; audit entries name the claim

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outlet_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("claimant_user_id", sa.Integer(), nullable=True),
        sa.Column("circle_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("licence_upload_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("contact_name", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("dispute", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewer_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status <> 'rejected' OR reason IS NOT NULL", name=op.f("ck_outlet_claims_rejection_has_reason")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'disputed', 'approved', 'rejected', 'withdrawn', 'superseded')",
            name=op.f("ck_outlet_claims_status"),
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f("fk_outlet_claims_circle_id_circles"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["claimant_user_id"],
            ["users.id"],
            name=op.f("fk_outlet_claims_claimant_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["licence_upload_id"],
            ["uploads.id"],
            name=op.f("fk_outlet_claims_licence_upload_id_uploads"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_outlet_claims_outlet_id_outlets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_user_id"],
            ["users.id"],
            name=op.f("fk_outlet_claims_reviewer_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlet_claims")),
    )
    with op.batch_alter_table("outlet_claims", schema=None) as batch_op:
        batch_op.create_index("ix_outlet_claims_circle_id_status", ["circle_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_outlet_claims_claimant_user_id"), ["claimant_user_id"], unique=False)
        batch_op.create_index(
            "uq_outlet_claims_approved", ["outlet_id"], unique=True, postgresql_where=sa.text("status = 'approved'")
        )
        batch_op.create_index(
            "uq_outlet_claims_open",
            ["outlet_id", "claimant_user_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'disputed')"),
        )

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entries_claim_id"), ["claim_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entries_claim_id_outlet_claims"),
            "outlet_claims",
            ["claim_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_entries_claim_id_outlet_claims"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_entries_claim_id"))
        batch_op.drop_column("claim_id")

    with op.batch_alter_table("outlet_claims", schema=None) as batch_op:
        batch_op.drop_index("uq_outlet_claims_open", postgresql_where=sa.text("status IN ('pending', 'disputed')"))
        batch_op.drop_index("uq_outlet_claims_approved", postgresql_where=sa.text("status = 'approved'"))
        batch_op.drop_index(batch_op.f("ix_outlet_claims_claimant_user_id"))
        batch_op.drop_index("ix_outlet_claims_circle_id_status")

    op.drop_table("outlet_claims")
