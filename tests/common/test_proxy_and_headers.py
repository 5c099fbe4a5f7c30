"""Behind a proxy: X-Forwarded-* trusted from PROXY_HOPS proxies only; security headers on responses."""

from itertools import count

import pytest

from app import create_app
from app.common.extensions import limiter

LOGIN = "/api/v1/auth/staff/login"  # 10/minute per client address
_names = count()


def bad_login():
    """A wrong password for a new name each time: the per-account lock (5 wrong) must not answer before the
    per-address limit these tests are about."""
    return {"username": f"nobody-{next(_names)}", "password": "wrong-password"}


@pytest.fixture
def limited_app(app, db, redis):
    """Apps with rate limits on (in memory, fresh per app) and the given number of trusted proxies."""

    def build(hops: int):
        keys = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "WECHAT_API_BASE")
        overrides = {k: app.config[k] for k in keys}
        overrides.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", TESTING=True, PROXY_HOPS=hops)
        return create_app(overrides)

    yield build
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


def logins(client, forwarded_for: str, times: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for}
    return [client.post(LOGIN, json=bad_login(), headers=headers).status_code for _ in range(times)]


def test_behind_one_proxy_each_resident_has_their_own_limit(limited_app):
    """nginx appends the client's address; every resident behind it is no longer one address."""
    client = limited_app(1).test_client()
    assert logins(client, "203.0.113.7", 11)[-1] == 429
    assert logins(client, "198.51.100.9", 1) == [401]  # another resident, same proxy: not limited
    # A client cannot escape its limit by prepending addresses: only the last hop's entry counts.
    assert logins(client, "10.9.9.9, 203.0.113.7", 1) == [429]


def test_without_trusted_proxies_forwarded_headers_are_ignored(limited_app):
    """Default 0 hops: a client sending its own X-Forwarded-For cannot pick a fresh address per request."""
    client = limited_app(0).test_client()
    statuses = [
        client.post(LOGIN, json=bad_login(), headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code for i in range(11)
    ]
    assert statuses[-1] == 429


def test_https_at_the_proxy_gives_hsts(limited_app):
    behind = limited_app(1).test_client()
    secure = behind.get("/api/v1/business-types", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = behind.get("/api/v1/business-types", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers
    direct = limited_app(0).test_client()  # not behind a proxy: a client's header means nothing
    spoofed = direct.get("/api/v1/business-types", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_public_json_is_nosniff_and_cacheable(client):
    response = client.get("/api/v1/business-types")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_errors_are_nosniff_too(client):
    response = client.get("/api/v1/outlets/0")
    assert response.status_code == 404 and response.headers["X-Content-Type-Options"] == "nosniff"


def test_personal_answers_are_not_stored(client, make):
    me = client.get("/api/v1/me", headers=make.headers(make.user()))
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"
    assert me.headers["X-Content-Type-Options"] == "nosniff"
    login = client.post("/api/v1/auth/wechat/login", json={"code": "headers"})
    assert login.status_code == 200 and login.headers["Cache-Control"] == "no-store"
    refused = client.post(LOGIN, json=bad_login())
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"
