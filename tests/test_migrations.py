"""The schema comes only from migrations: the migrated database must match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers

POSTGIS_TABLES = {"spatial_ref_sys", "topology", "layer"}


def _ours(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name in POSTGIS_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def test_models_and_migrations_agree(db):
    context = MigrationContext.configure(db.session.connection(), opts={"include_object": _ours})
    assert compare_metadata(context, db.metadata) == []
