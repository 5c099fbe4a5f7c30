"""WeChat login through the stub, staff password login, tokens, CLI account creation."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.service import create_user


def test_wechat_login_creates_then_finds_the_resident(client, db):
    first = client.post("/api/v1/auth/wechat/login", json={"code": "abc"})
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert set(body) >= {"access_token", "expires_in", "user"}
    assert "session_key" not in first.get_data(as_text=True)
    assert body["user"]["roles"] == ["resident"] and body["user"]["circle_id"] is None
    again = client.post("/api/v1/auth/wechat/login", json={"code": "abc"}).get_json()
    assert again["user"]["id"] == body["user"]["id"]
    user = db.session.scalar(select(User).where(User.openid == "stub-openid-abc"))
    assert user.id == body["user"]["id"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id


def test_unionid_is_kept(client, db):
    client.post("/api/v1/auth/wechat/login", json={"code": "union-1"})
    user = db.session.scalar(select(User).where(User.openid == "stub-openid-union-1"))
    assert user.unionid == "stub-unionid-union-1"


def test_invalid_code_gets_401_envelope(client):
    response = client.post("/api/v1/auth/wechat/login", json={"code": "invalid"})
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "invalid_login_code" and error["details"]["errcode"] == 40029


def test_wechat_down_is_502_not_500(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    response = client.post("/api/v1/auth/wechat/login", json={"code": "abc"})
    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "wechat_unavailable"


@pytest.mark.parametrize(
    "kwargs,status,code",
    [
        ({"json": {}}, 422, "validation_error"),
        ({"json": {"code": ""}}, 422, "validation_error"),
        ({"json": {"code": "x", "extra": 1}}, 422, "validation_error"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        ({"data": "code=abc", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ],
)
def test_bad_login_bodies(client, kwargs, status, code):
    response = client.post("/api/v1/auth/wechat/login", **kwargs)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_staff_password_login(client, db, make):
    circle = make.circle()
    create_user("zhang", "correct horse", "staff", [circle.id])
    ok = client.post("/api/v1/auth/staff/login", json={"username": "zhang", "password": "correct horse"})
    assert ok.status_code == 200
    user = ok.get_json()["user"]
    assert user["roles"] == ["staff"] and user["scope_circle_ids"] == [circle.id]
    stored = db.session.scalar(select(User).where(User.username == "zhang"))
    assert stored.password_hash.startswith("$argon2")
    for username, password in (("zhang", "wrong"), ("nobody", "correct horse")):
        bad = client.post("/api/v1/auth/staff/login", json={"username": username, "password": password})
        assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_credentials"


def test_token_errors(client):
    assert client.get("/api/v1/me").get_json()["error"]["code"] == "unauthorized"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_token"


def test_token_of_deleted_or_disabled_user_is_refused(client, db, make):
    user = make.user()
    headers = make.headers(user)
    user.disabled = True
    db.session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_set_home_circle(client, make):
    circle = make.circle()
    user = make.user()
    response = client.patch("/api/v1/me", json={"circle_id": circle.id}, headers=make.headers(user))
    assert response.status_code == 200 and response.get_json()["circle_id"] == circle.id
    missing = client.patch("/api/v1/me", json={"circle_id": 987654}, headers=make.headers(user))
    assert missing.status_code == 422


def test_cli_creates_staff_with_scope(app, db, make):
    circle = make.circle()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--role", "staff", "--username", "li", "--password-stdin", "--circle", str(circle.id)],
        input="s3cret-pass\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "li"))
    assert user.scope_circle_ids == [circle.id]
    duplicate = runner.invoke(
        args=["users", "create", "--role", "admin", "--username", "li", "--password-stdin"], input="s3cret-pass\n"
    )
    assert duplicate.exit_code != 0 and "已存在" in duplicate.output
    unscoped = runner.invoke(
        args=["users", "create", "--role", "staff", "--username", "wang", "--password-stdin"], input="s3cret-pass\n"
    )
    assert unscoped.exit_code != 0


def test_login_is_rate_limited(limited_client):
    """The 11th staff login in a minute from one address gets 429 + Retry-After (a name each, so no account
    lock comes first)."""
    statuses = [
        limited_client.post("/api/v1/auth/staff/login", json={"username": f"x{i}", "password": "y"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    response = limited_client.post("/api/v1/auth/staff/login", json={"username": "x", "password": "y"})
    assert response.get_json()["error"]["code"] == "rate_limited" and response.headers.get("Retry-After")
