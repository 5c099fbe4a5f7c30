"""A demo load shared by the read-only tests of one module: loading takes seconds, so each module that
only reads loads once, in its own transaction rolled back when the module ends (like tests/conftest.py's
`db`, one scope up). Modules using it must not use `db`/`client`/`make` (another connection would wait
on the shared transaction's rows); they use `api` and `admin_headers` instead."""

import pytest
from flask_jwt_extended import create_access_token
from flask_sqlalchemy.session import Session as FlaskSession


class _ConnectionBoundSession(FlaskSession):
    """As in tests/conftest.py: use the bound connection, not the engine."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture(scope="module")
def shared_db(app):
    from app.extensions import db as database

    with app.app_context():
        connection = database.engine.connect()
        transaction = connection.begin()
        original = database.session
        database.session = database._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
        )
        try:
            yield database
        finally:
            database.session.remove()
            database.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture(scope="module")
def admin_headers(shared_db):
    from app.auth.models import User

    admin = User(username="demo-test-admin", roles=["admin"])
    shared_db.session.add(admin)
    shared_db.session.flush()
    return {"Authorization": f"Bearer {create_access_token(identity=str(admin.id))}"}


@pytest.fixture
def api(app, shared_db, redis):
    """A test client over the shared load, with Redis (the evaluation cache) flushed."""
    return app.test_client()
