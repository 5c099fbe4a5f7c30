"""Never a 500 on input: each root cause the fuzzer found (issue 9), refused once for every route
(app/common/inputs.py, the database error handlers in app/common/errors.py)."""

import json

import requests
from sqlalchemy import select

from tests.factories import error_code
from tests.transactions import commit

INT4_MAX = 2**31 - 1


def _details(response):
    return response.get_json()["error"]["details"]


# --- integers beyond PostgreSQL's int4 -------------------------------------------------------------------------


def test_path_id_beyond_int4_is_a_404_envelope(client):
    for path in (f"/api/v1/outlets/{INT4_MAX + 1}", "/api/v1/outlets/99999999999999999999", f"/api/v1/circles/{2**40}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_code(response) == "not_found"


def test_open311_path_id_beyond_int4_keeps_georeport_shape(client):
    response = client.get(f"/open311/v2/requests/{INT4_MAX + 1}.json")
    assert response.status_code == 404
    assert response.get_json()[0]["code"] == 404


def test_query_and_body_integers_beyond_int4_are_422_naming_the_field(client, make):
    response = client.get(f"/api/v1/circles?city_id={INT4_MAX + 1}")
    assert response.status_code == 422 and "city_id" in _details(response)
    resident = make.headers(make.user())
    response = client.patch("/api/v1/me", json={"circle_id": INT4_MAX + 1}, headers=resident)
    assert response.status_code == 422 and "circle_id" in _details(response)
    assert client.patch("/api/v1/me", json={"circle_id": -(2**31) - 1}, headers=resident).status_code == 422


def test_integer_fields_are_documented_with_the_int4_bound(client):
    spec = client.get("/api/openapi.json").get_json()
    outlet_id = next(p for p in spec["paths"]["/api/v1/outlets/{outlet_id}"]["parameters"] if p["name"] == "outlet_id")
    assert outlet_id["schema"]["maximum"] == INT4_MAX
    page = next(p for p in spec["paths"]["/api/v1/circles"]["get"]["parameters"] if p["name"] == "city_id")
    assert page["schema"]["maximum"] == INT4_MAX


# --- NUL and lone surrogates ---------------------------------------------------------------------------------


def test_nul_in_query_is_422_naming_the_parameter(client):
    response = client.get("/api/v1/outlets/nearby?lat=40.37&lng=116.82&q=%00")
    assert response.status_code == 422
    assert error_code(response) == "validation_error" and "q" in _details(response)


def test_nul_in_body_strings_and_json_columns_is_422_naming_the_field(client, make):
    response = client.post("/api/v1/auth/staff/login", json={"username": "a\x00b", "password": "x"})
    assert response.status_code == 422 and "username" in _details(response)
    circle = make.circle()
    admin = make.headers(make.user("admin"))
    response = client.patch(
        f"/api/v1/admin/circles/{circle.id}", json={"profile": {"notes": ["ok", "bad\x00"]}}, headers=admin
    )
    assert response.status_code == 422 and "profile.notes[1]" in _details(response)


def test_lone_surrogate_in_json_is_422_naming_the_field(client, make):
    outlet = make.outlet()
    resident = make.headers(make.user())
    response = client.post(
        f"/api/v1/outlets/{outlet.id}/ratings",
        data='{"stars": 3, "text": "\\ud800abc"}',
        content_type="application/json",
        headers=resident,
    )
    assert response.status_code == 422 and "text" in _details(response)


# --- JSON that cannot be parsed safely ----------------------------------------------------------------------------


def test_deeply_nested_json_is_400_invalid_json(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/staff/login", data=body, content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "invalid_json"
    nested_object = '{"a":' * 2000 + "1" + "}" * 2000
    response = client.post("/api/v1/auth/staff/login", data=nested_object, content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "invalid_json"


def test_nan_and_undecodable_bytes_are_400_invalid_json(client):
    for body in (b'{"username": NaN, "password": "x"}', b'{"username": "\xff", "password": "x"}'):
        response = client.post("/api/v1/auth/staff/login", data=body, content_type="application/json")
        assert response.status_code == 400 and error_code(response) == "invalid_json", body


# --- size --------------------------------------------------------------------------------------------------------


def test_body_beyond_max_content_length_is_413_before_parsing(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = json.dumps({"description": "x" * (limit + 1)})
    response = client.post("/api/v1/auth/staff/login", data=big, content_type="application/json")
    assert response.status_code == 413 and error_code(response) == "payload_too_large"
    open311 = client.post("/open311/v2/requests.json", data=big, content_type="application/json")
    assert open311.status_code == 413 and open311.get_json()[0]["code"] == 413


def test_uploads_keep_their_own_larger_limit(client, make, app):
    assert app.config["UPLOAD_MAX_BYTES"] > app.config["MAX_CONTENT_LENGTH"]
    resident = make.headers(make.user())
    payload = b"\x89PNG" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    from io import BytesIO

    response = client.post(
        "/api/v1/uploads",
        data={"purpose": "demand_photo", "file": (BytesIO(payload), "a.png")},
        content_type="multipart/form-data",
        headers=resident,
    )
    # Read and refused for what it is (not an image), not for the app-wide body limit.
    assert response.status_code != 413, response.get_json()
    assert 400 <= response.status_code < 500


# --- specific inputs -------------------------------------------------------------------------------------------


def test_non_ascii_push_signature_is_refused_not_a_500(client):
    response = client.get("/api/v1/wechat/media-check?signature=%C3%A9&nonce=1&timestamp=1&echostr=x")
    assert response.status_code == 403 and error_code(response) == "invalid_signature"
    response = client.post(
        "/api/v1/wechat/media-check?signature=%C3%A9&nonce=1&timestamp=1", json={"Event": "wxa_media_check"}
    )
    assert response.status_code == 403


def test_snapshot_period_year_zero_is_422(client, make):
    circle = make.circle()
    admin = make.headers(make.user("admin"))
    for period in ("0000", "0000-H1", "1999-Q4"):
        response = client.post(
            f"/api/v1/staff/circles/{circle.id}/evaluation-snapshots", json={"period": period}, headers=admin
        )
        assert response.status_code == 422 and "period" in _details(response), period


# --- constraints -------------------------------------------------------------------------------------------------


def test_unique_violation_is_409_conflict_naming_the_field(client, make, db):
    first = make.circle(external_id="A-1")
    second = make.circle(city=first.city, external_id="B-2")
    admin = make.headers(make.user("admin"))
    commit()  # a savepoint release: the rows outlive the handler's rollback, as another request's would
    response = client.patch(f"/api/v1/admin/circles/{second.id}", json={"external_id": "A-1"}, headers=admin)
    assert response.status_code == 409 and error_code(response) == "conflict"
    assert "external_id" in _details(response)
    # The session was rolled back: the same client goes on working.
    ok = client.patch(f"/api/v1/admin/circles/{second.id}", json={"external_id": "C-3"}, headers=admin)
    assert ok.status_code == 200 and ok.get_json()["external_id"] == "C-3"


def test_integrity_error_handler_maps_any_named_constraint(app, db):
    """Not only the constraints that a use case checks first: every unique constraint, by its name."""
    from sqlalchemy.exc import IntegrityError

    from app.auth.models import User
    from app.common.errors import handle_integrity_error

    with app.test_request_context():
        db.session.add(User(username="same", roles=["staff"]))
        db.session.flush()
        db.session.add(User(username="same", roles=["staff"]))
        try:
            db.session.flush()
            raise AssertionError("the unique constraint did not fire")
        except IntegrityError as error:
            response = handle_integrity_error(error)
    assert response.status_code == 409
    assert response.get_json()["error"]["details"] == {"username": ["已被占用"]}


# --- upstream values -----------------------------------------------------------------------------------------


def test_openid_longer_than_its_column_is_a_502_and_nothing_stored(client, stub, db):
    from app.auth.models import User

    requests.post(f"{stub}/stub/config", json={"openid_prefix": "o" * 60}, timeout=5)
    response = client.post("/api/v1/auth/wechat/login", json={"code": "long-openid"})
    assert response.status_code == 502 and error_code(response) == "wechat_bad_response"
    assert db.session.scalar(select(User).where(User.openid.like("ooooo%"))) is None


def test_login_code_longer_than_a_real_one_is_401_not_a_500(client, stub):
    response = client.post("/api/v1/auth/wechat/login", json={"code": "c" * 60})
    assert response.status_code == 401 and error_code(response) == "invalid_login_code"
