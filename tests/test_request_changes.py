"""The harness fails a request that ends with changes no write use case committed (tests/transactions.py).

Under the rolled-back harness the test's app context, and so its session, outlives each request: a use case
missing `@write_use_case` would leave its writes there and they would look committed. Throwaway routes on a
second app instance show what is caught and what is not (a test's own pending set-up rows are not).
"""

import pytest
from sqlalchemy import func, select

from app import create_app
from app.circles.models import City
from app.common.extensions import db as database
from app.common.tx import write_use_case
from tests.transactions import RequestLeftChanges


def _city(name):
    return City(name=name, code=name)


@pytest.fixture
def probe(app, db):
    """A second app with throwaway routes, inside its own app context (as the test app's requests are)."""
    fresh = create_app({k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "TESTING")})

    @fresh.post("/_probe/unwrapped/add")
    def unwrapped_add():
        database.session.add(_city("probe-added"))
        return {}

    @fresh.post("/_probe/unwrapped/flush")
    def unwrapped_flush():
        database.session.add(_city("probe-flushed"))
        database.session.flush()
        return {}

    @fresh.post("/_probe/unwrapped/change")
    def unwrapped_change():
        database.session.scalars(select(City).where(City.code == "probe-kept")).one().name = "changed"
        return {}

    @fresh.post("/_probe/wrapped")
    @write_use_case
    def wrapped():
        database.session.add(_city("probe-committed"))
        return {}

    @fresh.post("/_probe/wrapped-then-more")
    def wrapped_then_more():
        wrapped()
        database.session.add(_city("probe-after"))
        database.session.flush()
        return {}

    @fresh.get("/_probe/read")
    def read():
        return {"cities": database.session.scalar(select(func.count()).select_from(City))}

    with fresh.app_context():
        yield fresh.test_client()
        database.session.rollback()


@pytest.mark.parametrize("route", ["add", "flush", "change"])
def test_a_write_route_without_a_use_case_fails(probe, route):
    if route == "change":
        database.session.add(_city("probe-kept"))
        database.session.flush()
    with pytest.raises(RequestLeftChanges, match=f"POST /_probe/unwrapped/{route} ended with changes"):
        probe.post(f"/_probe/unwrapped/{route}")


def test_writes_after_a_use_case_committed_are_caught_too(probe):
    with pytest.raises(RequestLeftChanges, match="never committed"):
        probe.post("/_probe/wrapped-then-more")


def test_a_use_case_passes_and_the_tests_own_pending_rows_are_not_the_requests(probe):
    assert probe.post("/_probe/wrapped").status_code == 200
    pending = _city("probe-set-up")
    database.session.add(pending)  # the test's own, not flushed: the request's query flushes it
    assert probe.get("/_probe/read").status_code == 200
    assert pending.id is not None
    flushed = _city("probe-set-up-flushed")
    database.session.add(flushed)
    database.session.flush()  # the test's own writes, flushed and not committed: not the request's either
    assert probe.get("/_probe/read").status_code == 200
