"""Statements the app sends by the driver (app/common/reads.py: in the session's transaction, or on the
primary's autocommit engine) fail as the ORM's do: SQLAlchemy's IntegrityError and DataError, which the error
handlers answer with the contract's envelope, instead of psycopg's own errors (a 500)."""

import dataclasses

import pytest
from sqlalchemy.exc import DataError, IntegrityError

from app.common import reads

A_TIMELINE_EVENT_OF_NO_NEED = """
INSERT INTO demand_events (demand_id, actor_role, action, public, data) VALUES (:id, 'system', 'noted', true, '{}')
"""


def test_in_the_sessions_transaction(db):
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        reads.in_session(A_TIMELINE_EVENT_OF_NO_NEED, {"id": -1})
    assert refused.value.orig.sqlstate == "23503"  # the foreign key: the handler's 422
    with pytest.raises(DataError), db.session.begin_nested():
        reads.in_session("SELECT CAST(:v AS integer)", {"v": "七"})


def test_on_the_primary(db):
    with pytest.raises(DataError), db.session.begin_nested():
        reads.primary_rows("SELECT CAST(:v AS integer)", {"v": "七"})


def test_a_need_filed_against_a_constraint_gets_the_envelope(client, make, db, monkeypatch):
    """The need's filing statement is sent by the driver: a constraint it meets (here a circle gone between the
    placement and the insert) is the contract's 422, and nothing is written."""
    from app.demands import service
    from app.demands.models import Demand
    from tests.demands.world import demand_body
    from tests.factories import MIYUN

    make.circle(center=MIYUN)
    resident = make.user()
    placed = service.place

    def placed_in_a_circle_gone(*args, **kwargs):
        return dataclasses.replace(placed(*args, **kwargs), circle_id=-1)

    monkeypatch.setattr(service, "place", placed_in_a_circle_gone)
    before = db.session.query(Demand).count()
    answer = client.post("/api/v1/demands", json=demand_body(), headers=make.headers(resident))
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] == "validation_error"
    assert db.session.query(Demand).count() == before
