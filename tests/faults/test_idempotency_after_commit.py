"""An error while answering, and a lost answer: the Idempotency-Key never gives a second need.

A throwaway view runs the real "submit a need" use case and then fails while answering (as a
serialisation bug would): the use case's commit waits for the answer, so the need is not stored and the
client's retry with the same key stores it once. When the answer is lost after the commit (none kept, as
for a use case that committed on its own), the retry gets the stored need back — never a second one —
with Redis up, and with Redis down (PostgreSQL alone holds the binding).
"""

import pytest
from flask import request
from flask_jwt_extended import current_user
from sqlalchemy import func, select, update

from app.common.idempotency import idempotent
from app.common.models import IdempotencyRecord
from app.common.policy import login_required
from app.demands import present, service
from app.demands.models import Demand
from tests.demands.world import build_world, demand_body


def _again(demand_id, *_):
    demand = db_session().get(Demand, demand_id)
    return {"id": demand.id, "text": demand.text, "again": True}, 201


def db_session():
    from app.common.extensions import db

    return db.session


@pytest.fixture(scope="module")
def flaky(app):
    from app import create_app

    fresh = create_app(
        {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "WECHAT_API_BASE", "TESTING")}
    )
    state = {"fail_after_commit": True}

    @fresh.post("/api/v1/_flaky/demands")
    @login_required("resident")
    @idempotent(creates=Demand, replay=_again)
    def _submit():
        body = request.get_json()
        demand = service.submit_demand(
            current_user, {**body, "lng": body["location"]["lng"], "lat": body["location"]["lat"]}
        )
        if state["fail_after_commit"]:
            raise RuntimeError("the answer failed after the commit")
        return present.demand_out(demand, "wgs84", "owner", current_user), 201

    state["app"] = fresh
    return state


@pytest.fixture
def world(make, db, stub):
    return build_world(make, db)


def _body():
    body = demand_body()
    body.pop("coord")
    return body


def _count(db, text):
    return db.session.scalar(select(func.count()).select_from(Demand).where(Demand.text == text))


def _submit(flaky, world, key):
    return (
        flaky["app"]
        .test_client()
        .post("/api/v1/_flaky/demands", json=_body(), headers={**world.h.resident, "Idempotency-Key": key})
    )


def test_an_error_while_answering_stores_nothing_and_the_retry_stores_once(flaky, world, db, redis):
    flaky["fail_after_commit"] = True
    failed = _submit(flaky, world, "after-commit-1")
    assert failed.status_code == 500
    assert _count(db, _body()["text"]) == 0  # committed with its answer or not at all
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0

    flaky["fail_after_commit"] = False
    retried = _submit(flaky, world, "after-commit-1")
    assert retried.status_code == 201, retried.get_json()
    assert "Idempotent-Replayed" not in retried.headers
    assert _count(db, _body()["text"]) == 1
    record = db.session.scalar(select(IdempotencyRecord))
    assert record.status == 201 and record.body == retried.get_data(as_text=True)  # kept in the same commit

    redis.flushdb()  # the fast path forgot it: PostgreSQL replays the answer byte for byte
    third = _submit(flaky, world, "after-commit-1")
    assert third.headers["Idempotent-Replayed"] == "true"
    assert third.get_data() == retried.get_data() and _count(db, _body()["text"]) == 1


def test_retry_after_an_answer_lost_past_the_commit_returns_the_stored_need(flaky, world, db, redis):
    flaky["fail_after_commit"] = False
    first = _submit(flaky, world, "lost-1")
    assert first.status_code == 201
    # As if no answer had been kept with the commit (the key bound, the answer lost with its client).
    db.session.execute(update(IdempotencyRecord).values(status=None, body=None, mimetype=None))
    redis.flushdb()

    retried = _submit(flaky, world, "lost-1")
    assert retried.status_code == 201, retried.get_json()
    assert retried.headers["Idempotent-Replayed"] == "true" and retried.get_json()["again"] is True
    assert retried.get_json()["id"] == first.get_json()["id"]
    assert _count(db, _body()["text"]) == 1  # no second insert

    # The answer is now kept: the next retry replays it byte for byte.
    third = _submit(flaky, world, "lost-1")
    assert third.get_data() == retried.get_data() and _count(db, _body()["text"]) == 1


def test_with_redis_down_postgresql_alone_keeps_the_binding(flaky, world, db, redis, monkeypatch):
    monkeypatch.setitem(flaky["app"].config, "REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    flaky["fail_after_commit"] = False
    first = _submit(flaky, world, "pg-only-1")
    assert first.status_code == 201, first.get_json()
    again = _submit(flaky, world, "pg-only-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert _count(db, _body()["text"]) == 1
    record = db.session.scalar(select(IdempotencyRecord))
    assert record.resource_id == first.get_json()["id"] and record.status == 201


def test_errors_before_the_commit_leave_the_key_free(flaky, world, db, redis):
    flaky["fail_after_commit"] = False
    bad = (
        flaky["app"]
        .test_client()
        .post(
            "/api/v1/_flaky/demands",
            json={**_body(), "business_type": "no-such-type"},
            headers={**world.h.resident, "Idempotency-Key": "fix-and-retry"},
        )
    )
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    assert _submit(flaky, world, "fix-and-retry").status_code == 201


def test_the_real_endpoint_binds_its_key(client, world, db, redis):
    headers = {**world.h.resident, "Idempotency-Key": "real-1"}
    first = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    assert first.status_code == 201
    redis.flushdb()  # the fast path forgot it (Redis restarted empty)
    again = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert _count(db, demand_body()["text"]) == 1


def test_redis_forgot_the_key_the_use_case_is_undone_at_its_first_write(client, world, db, redis):
    """With Redis up PostgreSQL is not asked ahead of the use case: the binding's primary key meets the
    retry at its first write, which is undone; the first answer (or 422 for another body) instead."""
    headers = {**world.h.resident, "Idempotency-Key": "forgotten-1"}
    first = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    assert first.status_code == 201
    redis.flushdb()
    other = client.post("/api/v1/demands", json=demand_body(text="另一段内容，想要一家修鞋铺"), headers=headers)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    redis.flushdb()
    again = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(Demand)) == 1
