"""a spatial index of the repair points alone

Revision ID: 0024
Revises: 0023

The repair map's fixed points near a resident (app/repair/search.py NEAR_REPAIR_POINT) were found by testing the
repair type inside `ix_outlets_location_search`, whose entries hold every outlet's search lexemes: at 1M outlets
that scan checked ≈ 800 index pages of signatures for ≈ 430 repair points (20 ms of a 24 ms statement on the
loaded machine). Repair points are ≈ 2 % of outlets: a partial GiST of their locations alone is ≈ 1.6 MB and
gives the same rows from ≈ 11 pages (median statement 20 → 4-6 ms). Other outlets pay nothing for it.
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE INDEX ix_outlets_repair_location ON outlets USING gist (location)"
        " WHERE types && CAST(ARRAY['repair'] AS varchar[])"
    )


def downgrade():
    op.execute("DROP INDEX ix_outlets_repair_location")
