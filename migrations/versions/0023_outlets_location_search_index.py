"""outlets' spatial index also holds what a keyword can match

Revision ID: 0023
Revises: 0022

`ix_outlets_location_types` (GiST on location and the types as a tsvector) becomes `ix_outlets_location_search`:
the second column holds the types, the add-on services and every character of the name, the
address and the pinyin initials, lowercased. Nearby search with `q=` walks it in distance order testing inside
the index what any match must have (all the keyword's characters, or a type or service it means), where the walk
read every outlet from the heap to test the keyword (≈ 600 rows for 20 hits of a brand at 1M outlets).
The expression is app/outlets/models.py SEARCH_LEXEMES, written out here as migrations are frozen.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SEARCH_LEXEMES = (
    "setweight(array_to_tsvector(types::text[]), 'A')"
    " || array_to_tsvector(services::text[] || string_to_array(lower(name || coalesce(address, '')"
    " || coalesce(name_initials, '')), NULL))"
)


def upgrade():
    op.execute("DROP INDEX ix_outlets_location_types")
    op.execute(f"CREATE INDEX ix_outlets_location_search ON outlets USING gist (location, ({SEARCH_LEXEMES}))")


def downgrade():
    op.execute("DROP INDEX ix_outlets_location_search")
    op.execute(
        "CREATE INDEX ix_outlets_location_types ON outlets USING gist (location, array_to_tsvector(CAST(types AS text[])))"
    )
