"""The Idempotency-Key decorator on a few throwaway views: replay, reuse, in-flight 409, errors, Redis down."""

import threading
import time

import pytest
from flask import jsonify, request

from app.common.errors import ValidationFailed
from app.common.idempotency import idempotent


@pytest.fixture(scope="module")
def views(app):
    """A second app instance with test-only routes (the shared app's routes stay as they are)."""
    from app import create_app

    fresh = create_app({k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "TESTING")})
    state = {"calls": 0, "gate": threading.Event(), "entered": threading.Event(), "fail_next": False}

    @fresh.post("/api/v1/_idem/things")
    @idempotent
    def _create_thing():
        state["calls"] += 1
        if state["fail_next"]:
            state["fail_next"] = False
            raise ValidationFailed(details={"name": ["坏名字"]})
        return jsonify({"n": state["calls"], "name": (request.get_json(silent=True) or {}).get("name")}), 201

    @fresh.post("/api/v1/_idem/slow")
    @idempotent
    def _slow_thing():
        state["entered"].set()
        state["gate"].wait(timeout=10)
        return jsonify({"done": True}), 201

    state["client"] = fresh.test_client()
    return state


@pytest.fixture
def idem(views, redis):
    views.update(calls=0, fail_next=False)
    views["gate"].clear()
    views["entered"].clear()
    return views


def post(idem, key, body=None, path="/api/v1/_idem/things"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return idem["client"].post(path, json=body or {"name": "a"}, headers=headers)


def test_replays_the_first_response(idem, redis):
    first = post(idem, "k-1")
    again = post(idem, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() == {"n": 1, "name": "a"}
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert idem["calls"] == 1
    [key] = redis.keys("circle:idempotency:*")
    assert 24 * 3600 - 5 < redis.ttl(key) <= 24 * 3600


def test_without_a_key_every_request_runs(idem):
    post(idem, None)
    post(idem, None)
    assert idem["calls"] == 2


def test_same_key_with_another_body_is_refused(idem):
    post(idem, "k-2")
    response = post(idem, "k-2", {"name": "b"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "idempotency_key_reused"
    assert idem["calls"] == 1


def test_errors_are_not_kept(idem):
    idem["fail_next"] = True
    assert post(idem, "k-3").status_code == 422
    retried = post(idem, "k-3")
    assert retried.status_code == 201 and retried.get_json()["n"] == 2


# Raw UTF-8 bytes arrive as latin-1 characters in a WSGI header.
@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "中文".encode().decode("latin-1")])
def test_malformed_keys(idem, key):
    response = idem["client"].post("/api/v1/_idem/things", json={}, headers={"Idempotency-Key": key})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_idempotency_key"


def test_concurrent_duplicate_gets_409(idem):
    results = {}
    first = threading.Thread(target=lambda: results.update(first=post(idem, "k-4", path="/api/v1/_idem/slow")))
    first.start()
    assert idem["entered"].wait(timeout=10)
    duplicate = post(idem, "k-4", path="/api/v1/_idem/slow")
    assert duplicate.status_code == 409 and duplicate.get_json()["error"]["code"] == "idempotency_in_flight"
    idem["gate"].set()
    first.join(timeout=10)
    assert results["first"].status_code == 201
    replay = post(idem, "k-4", path="/api/v1/_idem/slow")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"


def test_redis_down_runs_the_request_anyway(idem, app, monkeypatch):
    idem["client"].application.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    try:
        started = time.monotonic()
        assert post(idem, "k-5").status_code == 201
        assert post(idem, "k-5").status_code == 201
    finally:
        idem["client"].application.config["REDIS_URL"] = app.config["REDIS_URL"]
    assert idem["calls"] == 2 and time.monotonic() - started < 20
