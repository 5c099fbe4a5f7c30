"""The bureau (商务局) manages its city's staff accounts; an admin manages all; every change is audited."""

from types import SimpleNamespace

import pytest

from app.auth.models import User
from tests.factories import MIYUN, error_code


@pytest.fixture
def cities(make):
    circle = make.circle(center=MIYUN, name="檀营生活圈")
    sibling = make.circle(center=(MIYUN[0] + 0.03, MIYUN[1]), city=circle.city, name="果园生活圈")
    elsewhere = make.circle(center=(MIYUN[0] + 0.2, MIYUN[1]), name="中卫某生活圈")
    return SimpleNamespace(
        circle=circle,
        sibling=sibling,
        elsewhere=elsewhere,
        bureau=make.user("bureau", cities=[circle.city]),
        other_bureau=make.user("bureau", cities=[elsewhere.city]),
        staff=make.user("staff", circles=[circle]),
        far_staff=make.user("staff", circles=[elsewhere]),
        admin=make.user("admin"),
    )


def _create(client, make, actor, **body):
    payload = {"username": "li", "password": "a-long-password", "role": "staff", **body}
    return client.post("/api/v1/accounts", json=payload, headers=make.headers(actor))


def test_bureau_scope_is_every_circle_of_its_cities(client, make, cities):
    assert set(cities.bureau.scope_circle_ids) == {cities.circle.id, cities.sibling.id}
    assert cities.bureau.has_role("staff") and not cities.staff.has_role("bureau")
    # Like staff, inside its cities (a circle-scoped route), and not outside them.
    url = "/api/v1/circles/{}/gaps"
    assert client.get(url.format(cities.sibling.id), headers=make.headers(cities.bureau)).status_code == 200
    outside = client.get(url.format(cities.elsewhere.id), headers=make.headers(cities.bureau))
    assert outside.status_code == 403 and error_code(outside) == "out_of_scope"
    # A circle added to the city later is in scope at once.
    later = make.circle(center=(MIYUN[0] - 0.03, MIYUN[1]), city=cities.circle.city)
    assert later.id in cities.bureau.scope_circle_ids


def test_bureau_creates_staff_of_its_city_only(client, make, db, cities):
    created = _create(client, make, cities.bureau, circle_ids=[cities.circle.id, cities.sibling.id], display_name="李")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["role"] == "staff" and body["circle_ids"] == sorted([cities.circle.id, cities.sibling.id])
    assert "password" not in body and "password_hash" not in body
    login = client.post("/api/v1/auth/staff/login", json={"username": "li", "password": "a-long-password"})
    assert login.status_code == 200

    outside = _create(client, make, cities.bureau, username="wang", circle_ids=[cities.elsewhere.id])
    assert outside.status_code == 403 and error_code(outside) == "out_of_scope"
    bureau_account = _create(client, make, cities.bureau, username="zhao", role="bureau", city_ids=[1])
    assert bureau_account.status_code == 403 and error_code(bureau_account) == "role_forbidden"
    no_scope = _create(client, make, cities.bureau, username="qian")
    assert no_scope.status_code == 422 and "circle_ids" in no_scope.get_json()["error"]["details"]
    taken = _create(client, make, cities.bureau, circle_ids=[cities.circle.id])
    assert taken.status_code == 409 and error_code(taken) == "username_taken"
    short = _create(client, make, cities.bureau, username="sun", password="short", circle_ids=[cities.circle.id])
    assert short.status_code == 422
    # Community staff and residents manage no accounts.
    assert _create(client, make, cities.staff, username="x1", circle_ids=[cities.circle.id]).status_code == 403
    assert client.get("/api/v1/accounts").status_code == 401


def test_admin_creates_bureau_accounts(client, make, db, cities):
    city_id = cities.circle.city_id
    made = _create(client, make, cities.admin, username="miyun-bureau", role="bureau", city_ids=[city_id])
    assert made.status_code == 201 and made.get_json()["city_ids"] == [city_id]
    mixed = _create(client, make, cities.admin, username="m2", role="bureau", circle_ids=[cities.circle.id])
    assert mixed.status_code == 422
    unknown_city = _create(client, make, cities.admin, username="m3", role="bureau", city_ids=[999999])
    assert unknown_city.status_code == 422


def test_disable_reset_and_scope_changes_are_audited(client, make, db, cities):
    staff_id = _create(client, make, cities.bureau, circle_ids=[cities.circle.id]).get_json()["id"]
    token = client.post("/api/v1/auth/staff/login", json={"username": "li", "password": "a-long-password"})
    staff_headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    assert client.get("/api/v1/me", headers=staff_headers).status_code == 200

    url = f"/api/v1/accounts/{staff_id}"
    moved = client.patch(url, json={"circle_ids": [cities.sibling.id]}, headers=make.headers(cities.bureau))
    assert moved.status_code == 200 and moved.get_json()["circle_ids"] == [cities.sibling.id]
    away = client.patch(url, json={"circle_ids": [cities.elsewhere.id]}, headers=make.headers(cities.bureau))
    assert away.status_code == 403 and error_code(away) == "out_of_scope"

    off = client.patch(url, json={"disabled": True, "reason": "调岗"}, headers=make.headers(cities.bureau))
    assert off.status_code == 200 and off.get_json()["disabled"] is True
    assert client.get("/api/v1/me", headers=staff_headers).status_code == 401  # its token stops working at once
    refused = client.post("/api/v1/auth/staff/login", json={"username": "li", "password": "a-long-password"})
    assert refused.status_code == 403 and error_code(refused) == "account_disabled"
    client.patch(url, json={"disabled": False}, headers=make.headers(cities.bureau))

    reset = client.post(f"{url}/password", json={"password": "another-password"}, headers=make.headers(cities.bureau))
    assert reset.status_code == 200
    old = client.post("/api/v1/auth/staff/login", json={"username": "li", "password": "a-long-password"})
    assert old.status_code == 401
    assert (
        client.post("/api/v1/auth/staff/login", json={"username": "li", "password": "another-password"}).status_code
        == 200
    )

    trail = client.get(f"{url}/audit", headers=make.headers(cities.bureau)).get_json()
    actions = [e["action"] for e in trail["items"]]
    assert actions == ["password_reset", "account_enabled", "account_disabled", "account_updated", "account_created"]
    assert all(e["actor_user_id"] == cities.bureau.id and e["subject_user_id"] == staff_id for e in trail["items"])
    disabled = trail["items"][2]
    assert disabled["reason"] == "调岗" and disabled["before"]["disabled"] is False and disabled["after"]["disabled"]
    assert not any("password" in str(e["after"] or {}) for e in trail["items"])


def test_what_a_bureau_may_see_and_change(client, make, db, cities):
    listed = client.get("/api/v1/accounts", headers=make.headers(cities.bureau)).get_json()
    ids = {a["id"] for a in listed["items"]}
    assert {cities.staff.id, cities.bureau.id} <= ids
    assert not ids & {cities.far_staff.id, cities.other_bureau.id, cities.admin.id}
    only_staff = client.get("/api/v1/accounts?role=staff", headers=make.headers(cities.bureau)).get_json()
    assert {a["role"] for a in only_staff["items"]} == {"staff"}
    hidden = client.get(f"/api/v1/accounts/{cities.far_staff.id}", headers=make.headers(cities.bureau))
    assert hidden.status_code == 404
    # Another bureau account of the same city is visible but not the bureau's to change; nor is itself.
    peer = make.user("bureau", cities=[cities.circle.city])
    denied = client.patch(f"/api/v1/accounts/{peer.id}", json={"disabled": True}, headers=make.headers(cities.bureau))
    assert denied.status_code == 403
    self_off = client.patch(
        f"/api/v1/accounts/{cities.admin.id}", json={"disabled": True}, headers=make.headers(cities.admin)
    )
    assert self_off.status_code == 409 and error_code(self_off) == "cannot_disable_self"
    everyone = client.get("/api/v1/accounts?page_size=50", headers=make.headers(cities.admin)).get_json()
    assert {cities.far_staff.id, cities.other_bureau.id, cities.admin.id} <= {a["id"] for a in everyone["items"]}
    assert client.get("/api/v1/accounts?role=king", headers=make.headers(cities.admin)).status_code == 422


def test_cli_creates_a_bureau_account_for_a_city(app, db, cities):
    def create(city):
        args = ["users", "create", "--role", "bureau", "--username", "cli-bureau", "--password-stdin", "--city", city]
        return app.test_cli_runner().invoke(args=args, input="a-long-password\n")

    result = create("密云测试")
    assert result.exit_code != 0 and "城市不存在" in result.output
    city = cities.circle.city
    result = create(city.name)
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(username="cli-bureau").one()
    assert user.roles == ["bureau"] and user.scope_city_ids == [city.id]
    assert cities.circle.id in user.scope_circle_ids
