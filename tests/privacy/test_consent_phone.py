"""The privacy notice version accepted at login or afterwards; a new version asks again; phone only by consent."""

import pytest

from app.auth.models import User
from tests.factories import error_code
from tests.privacy.conftest import PHONE_CODE, login, ok

VERSION = "2026-12-01"


def test_notice_is_public(client, app):
    assert ok(client.get("/api/v1/privacy-notice")) == {
        "version": app.config["PRIVACY_NOTICE_VERSION"],
        "title": "一刻钟便民生活圈隐私保护指引",
        "url": None,
    }


def test_first_login_asks_for_consent_then_the_answer_is_recorded(client, db, stub):
    body, h = login(client, "consent-a")
    assert body["consent_required"] is True and body["privacy_notice"]["version"] == VERSION
    assert body["user"]["consent_required"] is True and body["user"]["privacy_version"] is None
    me = ok(client.post("/api/v1/me/privacy-consent", json={"version": VERSION}, headers=h))
    assert me["privacy_version"] == VERSION and me["consent_required"] is False and me["privacy_accepted_at"]
    assert login(client, "consent-a")[0]["consent_required"] is False


def test_consent_given_on_the_login_screen_goes_with_the_login(client, db, stub):
    body, _ = login(client, "consent-b", privacy_version=VERSION)
    assert body["consent_required"] is False
    assert db.session.get(User, body["user"]["id"]).privacy_accepted_at is not None


def test_a_new_version_asks_again(client, app, db, stub, monkeypatch):
    login(client, "consent-c", privacy_version=VERSION)
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE_VERSION", "2027-03-01")
    body, h = login(client, "consent-c")
    assert body["consent_required"] is True and body["user"]["privacy_version"] == VERSION
    outdated = client.post("/api/v1/me/privacy-consent", json={"version": VERSION}, headers=h)
    assert outdated.status_code == 409 and error_code(outdated) == "privacy_version_outdated"
    stale_login = client.post("/api/v1/auth/wechat/login", json={"code": "consent-c", "privacy_version": VERSION})
    assert stale_login.status_code == 409
    assert (
        ok(client.post("/api/v1/me/privacy-consent", json={"version": "2027-03-01"}, headers=h))["consent_required"]
        is False
    )


def test_staff_are_not_asked(client, make):
    staff = make.user("staff", circles=[make.circle()])
    assert ok(client.get("/api/v1/me", headers=make.headers(staff)))["consent_required"] is False


@pytest.mark.parametrize("body", [{}, {"version": ""}, {"version": "x" * 33}, {"version": 1}])
def test_bad_consent_bodies(client, make, body):
    response = client.post("/api/v1/me/privacy-consent", json=body, headers=make.headers(make.user()))
    assert response.status_code == 422 and error_code(response) == "validation_error"


def test_phone_only_through_the_wechat_button_and_shown_masked(client, db, stub):
    body, h = login(client, "phone-a")
    assert body["user"]["phone"] is None
    me = ok(client.post("/api/v1/me/phone", json={"phone_code": PHONE_CODE}, headers=h))
    assert me["phone"] == "139****5678" and me["phone_consented_at"]
    user = db.session.get(User, body["user"]["id"])
    assert user.phone == "13912345678"  # the full number stays in the database, for the resident's export
    assert ok(client.get("/api/v1/me", headers=h))["phone"] == "139****5678"
    # A code WeChat refuses is a 422; a typed number is not accepted at all.
    refused = client.post("/api/v1/me/phone", json={"phone_code": "invalid"}, headers=h)
    assert refused.status_code == 422 and error_code(refused) == "invalid_phone_code"
    typed = client.post("/api/v1/me/phone", json={"phone": "13912345678"}, headers=h)
    assert typed.status_code == 422
    withdrawn = client.delete("/api/v1/me/phone", headers=h)
    assert ok(withdrawn)["phone"] is None and user.phone is None and user.phone_consented_at is None


def test_phone_needs_login(client):
    assert client.post("/api/v1/me/phone", json={"phone_code": "x"}).status_code == 401
