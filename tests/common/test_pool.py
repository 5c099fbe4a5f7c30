"""The primary's pool pings a connection before use only when it sat idle (app/common/pool.py).

Each case has an app of its own (its own engine and pool, as a gunicorn worker has); the pooled connection is
broken for real, by PostgreSQL terminating its backend from another connection.
"""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError


@pytest.fixture
def fresh_app(app):
    from app import create_app
    from app.common.extensions import db

    made = []

    def make(idle_s: float):
        keys = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "TESTING")
        fresh = create_app({**{k: app.config[k] for k in keys}, "DATABASE_PING_IDLE_S": idle_s})
        made.append(fresh)
        return fresh

    yield make
    for fresh in made:
        with fresh.app_context():
            db.engine.dispose()


def _backend_pid(db) -> int:
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.remove()  # the connection goes back to the pool
    return pid


def _terminate(app, pid: int):
    killer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def test_an_idle_connection_that_broke_is_replaced_before_use(fresh_app, app):
    from app.common.extensions import db

    fresh = fresh_app(idle_s=0)  # every pooled connection counts as idle: always pinged
    with fresh.app_context():
        pid = _backend_pid(db)
        _terminate(app, pid)
        assert _backend_pid(db) != pid  # the ping found it broken; the pool opened another


def test_a_connection_just_used_is_not_pinged_and_a_break_costs_one_failure(fresh_app, app):
    from app.common.extensions import db

    fresh = fresh_app(idle_s=3600)
    with fresh.app_context():
        pid = _backend_pid(db)
        assert _backend_pid(db) == pid  # reused as it is
        _terminate(app, pid)
        with pytest.raises(OperationalError):  # no ping: the statement itself meets the broken connection
            db.session.scalar(sa.text("SELECT 1"))
        db.session.remove()
        assert _backend_pid(db) != pid  # and the pool replaced it
