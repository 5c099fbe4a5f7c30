"""Readiness: can this worker serve? PostgreSQL reachable with the schema at the migrations' head (required),
Redis reachable (optional: without it the app degrades, so "degraded" is still ready)."""

from functools import cache
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.common.extensions import db
from app.common.redis import get_redis

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


@cache
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the code this process runs (read once: the code does not change under it)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _failure(error: Exception) -> dict:
    # The class only: messages can carry host names and users, and /readyz is answered to load balancers.
    return {"status": "down", "error": type(error).__name__}


def check_database() -> tuple[dict, dict]:
    try:
        # A short statement timeout: a hung database must not hang the probe.
        db.session.execute(text("SET LOCAL statement_timeout = 2000"))
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")).all())
        db.session.rollback()
    except SQLAlchemyError as error:
        db.session.rollback()
        return _failure(error), {"status": "unknown"}
    heads = migration_heads()
    migrations = {"status": "ok" if current == heads else "behind", "current": sorted(current), "head": sorted(heads)}
    return {"status": "ok"}, migrations


def check_redis() -> dict:
    try:
        get_redis().ping()
    except RedisError as error:
        return {"status": "degraded", "error": type(error).__name__}
    return {"status": "ok"}


def readiness() -> dict:
    database, migrations = check_database()
    checks = {"database": database, "migrations": migrations, "redis": check_redis()}
    ready = database["status"] == "ok" and migrations["status"] == "ok"
    return {"status": "ready" if ready else "not_ready", "checks": checks}
