"""A token verified once is remembered until it expires (app/extensions.JWT); expired, the library answers."""

import time
from datetime import timedelta

import jwt as pyjwt
from flask_jwt_extended import create_access_token

from tests.transactions import commit


def test_a_verified_token_is_not_decoded_again(app, client, make, db, monkeypatch):
    resident = make.user()
    commit()
    headers = make.headers(resident)
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    decoded = []
    real = pyjwt.decode

    def counting(*args, **kwargs):
        decoded.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pyjwt, "decode", counting)
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    assert decoded == []


def test_a_remembered_token_still_expires(app, client, make, db):
    resident = make.user()
    commit()
    with app.app_context():
        token = create_access_token(
            identity=str(resident.id), additional_claims={"roles": ["resident"]}, expires_delta=timedelta(seconds=1)
        )
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    time.sleep(1.2)
    expired = client.get("/api/v1/me/demands", headers=headers)
    assert expired.status_code == 401 and expired.get_json()["error"]["code"] == "token_expired"


def test_a_token_of_another_key_is_not_taken_from_memory(app, client, make, db, monkeypatch):
    resident = make.user()
    commit()
    headers = make.headers(resident)
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    monkeypatch.setitem(app.config, "JWT_SECRET_KEY", "another-key-0123456789abcdef0123456789")
    refused = client.get("/api/v1/me/demands", headers=headers)
    assert refused.status_code == 401


def test_a_tokens_header_is_read_once(app, client, make, db, monkeypatch):
    """The library reads the header through the remembering function (a library upgrade that stops looking it
    up there fails here), which answers what PyJWT decodes, and a malformed token is refused as before."""
    import flask_jwt_extended.view_decorators as view_decorators

    from app.common import extensions

    assert view_decorators.get_unverified_jwt_headers is extensions.unverified_jwt_headers
    resident = make.user()
    commit()
    headers = make.headers(resident)
    token = headers["Authorization"].removeprefix("Bearer ")
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    assert extensions.unverified_jwt_headers(token) == pyjwt.get_unverified_header(token)
    read = []
    real = pyjwt.get_unverified_header
    monkeypatch.setattr(pyjwt, "get_unverified_header", lambda t: read.append(t) or real(t))
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    assert read == []
    bad = client.get("/api/v1/me/demands", headers={"Authorization": "Bearer not.a-token"})
    assert bad.status_code == 401 and set(bad.get_json()["error"]) == {"code", "message", "details"}
