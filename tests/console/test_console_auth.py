"""The console's cookie sign-in: HttpOnly SameSite=Strict token, double-submit CSRF on writes, Chinese reasons
for wrong password / locked / disabled; the mini-program's bearer tokens keep working without CSRF."""

import pytest

from app.auth.service import create_user
from tests.factories import error_code

LOGIN = "/api/v1/auth/console/login"


@pytest.fixture
def staff(make):
    circle = make.circle()
    user = create_user("wang", "correct horse", "staff", [circle.id], "王老师")
    return user, circle


def _set_cookie(response, name):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_sign_in_sets_an_httponly_strict_cookie_and_no_token_in_the_body(client, staff):
    response = client.post(LOGIN, json={"username": "wang", "password": "correct horse"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert "access_token" not in body and body["user"]["display_name"] == "王老师"
    assert body["user"]["scope_circle_ids"] == [staff[1].id]
    access = _set_cookie(response, "console_access")
    assert "HttpOnly" in access and "SameSite=Strict" in access and "Path=/api/" in access
    assert "Secure" not in access  # plain http in development; COOKIE_SECURE=1 (production default) adds it
    csrf = _set_cookie(response, "console_csrf")
    assert "HttpOnly" not in csrf and "SameSite=Strict" in csrf  # the console's script reads it to echo it
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["username"] == "wang"


def test_writes_with_the_cookie_need_the_csrf_header(client, staff):
    client.post(LOGIN, json={"username": "wang", "password": "correct horse"})
    circle = staff[1]
    refused = client.patch("/api/v1/me", json={"circle_id": circle.id})
    assert refused.status_code == 403 and error_code(refused) == "csrf_failed"
    forged = client.patch("/api/v1/me", json={"circle_id": circle.id}, headers={"X-CSRF-TOKEN": "guess"})
    assert forged.status_code == 403 and error_code(forged) == "csrf_failed"
    token = client.get_cookie("console_csrf").value
    done = client.patch("/api/v1/me", json={"circle_id": circle.id}, headers={"X-CSRF-TOKEN": token})
    assert done.status_code == 200 and done.get_json()["circle_id"] == circle.id


def test_bearer_tokens_need_no_csrf(client, make):
    """The mini-program sends Authorization: Bearer; CSRF does not apply to it."""
    circle = make.circle()
    resident = make.user()
    response = client.patch("/api/v1/me", json={"circle_id": circle.id}, headers=make.headers(resident))
    assert response.status_code == 200


def test_sign_out_clears_the_cookies(client, staff):
    client.post(LOGIN, json={"username": "wang", "password": "correct horse"})
    assert client.post("/api/v1/auth/console/logout").status_code == 204
    assert client.get_cookie("console_access") is None
    assert error_code(client.get("/api/v1/me")) == "unauthorized"


def test_wrong_password_then_locked_in_chinese(client, staff):
    first = client.post(LOGIN, json={"username": "wang", "password": "wrong"})
    assert first.status_code == 401 and error_code(first) == "invalid_credentials"
    assert first.get_json()["error"]["message"] == "用户名或密码错误"
    answers = [client.post(LOGIN, json={"username": "wang", "password": "wrong"}) for _ in range(4)]
    assert "再错 1 次" in answers[2].get_json()["error"]["message"]
    locked = answers[-1]
    assert locked.status_code == 429 and error_code(locked) == "account_locked"
    assert "账号已锁定" in locked.get_json()["error"]["message"] and int(locked.headers["Retry-After"]) > 0
    # Locked means locked: even the right password waits, and the bearer login shares the lock.
    right = client.post(LOGIN, json={"username": "wang", "password": "correct horse"})
    assert error_code(right) == "account_locked"
    bearer = client.post("/api/v1/auth/staff/login", json={"username": "wang", "password": "correct horse"})
    assert error_code(bearer) == "account_locked"


def test_success_resets_the_failure_count(client, staff):
    for _ in range(3):
        client.post(LOGIN, json={"username": "wang", "password": "wrong"})
    assert client.post(LOGIN, json={"username": "wang", "password": "correct horse"}).status_code == 200
    again = client.post(LOGIN, json={"username": "wang", "password": "wrong"})
    assert again.get_json()["error"]["details"]["tries_left"] == 4


def test_disabled_account_is_told_so(client, staff, db):
    staff[0].disabled = True
    db.session.flush()
    response = client.post(LOGIN, json={"username": "wang", "password": "correct horse"})
    assert response.status_code == 403 and error_code(response) == "account_disabled"
    assert response.get_json()["error"]["message"] == "账号已停用，请联系管理员"


def test_bad_sign_in_body_is_a_field_message(client):
    response = client.post(LOGIN, json={"username": "", "password": "x"})
    assert response.status_code == 422 and "username" in response.get_json()["error"]["details"]


def test_console_sign_in_is_rate_limited(limited_client):
    statuses = [limited_client.post(LOGIN, json={"username": f"r{i}", "password": "y"}).status_code for i in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_settings_name_the_tiles_and_their_coordinates(client, app, monkeypatch):
    assert client.get("/api/v1/console/settings").get_json()["tiles"] == {
        "url": None,
        "coord": "gcj02",
        "subdomains": "",
        "attribution": "",
    }
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://t{s}.example/{z}/{x}/{y}.png")
    monkeypatch.setitem(app.config, "MAP_TILE_COORD", "wgs84")
    tiles = client.get("/api/v1/console/settings").get_json()["tiles"]
    assert tiles["url"].endswith("{y}.png") and tiles["coord"] == "wgs84"


def test_console_files_are_served_with_history_fallback(client, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "CONSOLE_DIST", str(tmp_path))
    assert client.get("/console/").status_code == 503  # not built yet: says how to build it
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=app></div>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    index = client.get("/console/")
    assert index.status_code == 200 and index.headers["Cache-Control"] == "no-cache"
    deep = client.get("/console/needs/12")
    assert deep.status_code == 200 and b"id=app" in deep.data
    asset = client.get("/console/assets/index-abc123.js")
    assert asset.status_code == 200 and "max-age=31536000" in asset.headers["Cache-Control"]
    assert client.get("/console/assets/gone-000.js").status_code == 404
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text('{"secret": 1}', encoding="utf-8")
    assert b"secret" not in client.get("/console/.vite/manifest.json").data  # build files stay private
    assert client.get("/console/../app/config.py").status_code in (200, 404)  # never outside dist
    assert b"SECRET" not in client.get("/console/..%2fapp%2fconfig.py").data


def test_my_circles_follow_the_scope(client, make, staff):
    other = make.circle()
    client.post(LOGIN, json={"username": "wang", "password": "correct horse"})
    mine = client.get("/api/v1/staff/circles").get_json()["items"]
    assert [c["id"] for c in mine] == [staff[1].id]
    admin = make.user("admin")
    everything = client.get("/api/v1/staff/circles", headers=make.headers(admin)).get_json()["items"]
    assert {staff[1].id, other.id} <= {c["id"] for c in everything}
    resident = make.user()
    assert client.get("/api/v1/staff/circles", headers=make.headers(resident)).get_json()["items"] == []


def test_a_bureau_manages_the_circles_of_its_cities(client, make):
    from app.auth.service import create_user

    circle = make.circle()
    make.circle(city=make.city(name="别的城市"))
    create_user("ju", "correct horse", "bureau", [], "商务局", [circle.city_id])
    client.post(LOGIN, json={"username": "ju", "password": "correct horse"})
    mine = client.get("/api/v1/staff/circles").get_json()["items"]
    assert circle.id in [c["id"] for c in mine] and {c["city_id"] for c in mine} == {circle.city_id}
