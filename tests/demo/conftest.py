"""A demo load shared by the read-only tests of one module: loading takes seconds, so each module that
only reads loads once, in its own transaction rolled back when the module ends (like tests/conftest.py's
`db`, one scope up). Modules using it must not use `db`/`client`/`make` (another connection would wait
on the shared transaction's rows); they use `api` and `admin_headers` instead."""

import pytest
from flask_jwt_extended import create_access_token

from tests.transactions import rolled_back


@pytest.fixture(scope="module")
def shared_db(app):
    with rolled_back(app) as database:
        yield database


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
