"""Contract-wide conventions: the error envelope everywhere, and an OpenAPI document that is complete."""

import re
from http import HTTPStatus
from pathlib import Path

from app.common.errors import AppError


def test_unknown_path_and_method_use_the_envelope(client):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {"code": "not_found", "message": "资源不存在", "details": {}}}
    wrong_method = client.delete("/api/v1/business-types")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_unexpected_exception_is_a_500_envelope_without_internals(app):
    from app import create_app

    fresh = create_app({k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "TESTING")})

    @fresh.route("/api/v1/_boom")
    def _boom():
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/api/v1/_boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_app_errors_carry_code_message_details(app):
    error = AppError("测试", code="x_y", details={"f": ["坏"]}, status=409)
    with app.test_request_context():
        from app.common.errors import handle_app_error

        response = handle_app_error(error)
    assert response.status_code == 409
    assert response.get_json() == {"error": {"code": "x_y", "message": "测试", "details": {"f": ["坏"]}}}


def test_openapi_describes_every_endpoint(client, app):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, ops in spec["paths"].items() for method in ops if method != "parameters"
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("_"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from OpenAPI"
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":  # path-level parameters, not an operation
                continue
            assert op.get("summary"), f"{method} {path} has no summary"


def test_business_types_served_from_the_data_file(client):
    body = client.get("/api/v1/business-types").get_json()
    codes = {t["code"]: t for t in body["items"]}
    assert len(codes) == 57 and body["has_more"] is False
    assert codes["breakfast"]["six_ones"] == "一早" and codes["pharmacy"]["radius_m"] == 500
    assert codes["fitness"]["tier"] == "quality" and codes["fitness"]["group"] == "culture_sports"
    repair = client.get("/api/v1/repair-service-items").get_json()["items"]
    assert {"key_cutting", "shoe_repair", "tailoring"} <= {s["code"] for s in repair}
    standards = {p["code"]: p for p in client.get("/api/v1/standards").get_json()}
    assert standards["zhongwei"]["rules"]["pharmacy"]["radius_m"] == 700
    assert standards["miyun"]["rules"]["breakfast"]["per_people"] == [1, 3000]


def test_post_with_method_override_is_a_patch(client, make):
    """wx.request has no PATCH: the mini-program sends POST + X-HTTP-Method-Override: PATCH."""
    circle = make.circle()
    resident = make.headers(make.user())
    response = client.post(
        "/api/v1/me", json={"circle_id": circle.id}, headers={**resident, "X-HTTP-Method-Override": "PATCH"}
    )
    assert response.status_code == 200 and response.get_json()["circle_id"] == circle.id
    not_get = client.get("/api/v1/me", headers={**resident, "X-HTTP-Method-Override": "PATCH"})
    assert not_get.status_code == 200 and not_get.get_json()["circle_id"] == circle.id
    delete = client.post("/api/v1/me", json={}, headers={**resident, "X-HTTP-Method-Override": "DELETE"})
    assert delete.status_code == 405


def test_openapi_error_responses_are_the_envelope_per_status(client):
    """No catch-all `default`: each error status an operation can answer is declared with the contract's envelope
    (derived from the route by app/common/openapi.py; scripts/api-fuzz.sh checks real answers against it)."""
    spec = client.get("/api/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(spec["components"]["schemas"]["ErrorDetail"]["required"]) == {"code", "message", "details"}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            assert "default" not in op["responses"], f"{method} {path}"
            for status, response in op["responses"].items():
                if int(status) >= 400 and not path.startswith("/open311/"):
                    assert response == {"$ref": f"#/components/responses/{HTTPStatus(int(status)).name}"}, path
            assert "503" in op["responses"], f"{method} {path}"

    def statuses(path, method):
        return {int(s) for s in spec["paths"][path][method]["responses"]}

    assert {404, 422} <= statuses("/api/v1/outlets/{outlet_id}", "get")
    assert {401, 403, 404, 409, 413, 415, 422, 400} <= statuses("/api/v1/admin/circles/{circle_id}", "patch")
    assert {401, 403} & statuses("/api/v1/business-types", "get") == set()
    assert 429 in statuses("/api/v1/auth/wechat/login", "post")
    assert 429 not in statuses("/api/v1/outlets/{outlet_id}/ratings", "get")  # the limit names POST only
    assert 502 in statuses("/api/v1/auth/wechat/login", "post")  # @may_answer
    open311 = spec["paths"]["/open311/v2/requests.{fmt}"]["post"]["responses"]
    assert "422" not in open311 and open311["400"]["content"]["application/json"]["schema"]["type"] == "array"


def test_routes_with_a_login_are_documented_as_secured(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["paths"]["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    anyone_or_token = [{}, {"bearerAuth": []}]  # login_optional
    assert spec["paths"]["/api/v1/circles/{circle_id}/evaluation"]["get"]["security"] == anyone_or_token
    assert spec["paths"]["/api/v1/staff/outlets"]["get"]["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert "security" not in spec["paths"]["/api/v1/business-types"]["get"]


def test_security_is_declared_by_the_route_decorators_alone():
    """login_required / login_optional (app/common/policy.py) declare `security`; one written by hand drifts."""
    app_dir = Path(__file__).resolve().parent.parent / "app"
    allowed = {app_dir / "common" / "openapi.py", app_dir / "__init__.py"}  # the schemes and the decorators' values
    for path in app_dir.rglob("*.py"):
        if path not in allowed:
            assert "bearerAuth" not in path.read_text(), f"{path}: use login_required / login_optional"
