"""Endpoints: who may call them, the contract's keys, bad input as 4xx envelopes."""

import pytest

CONTRACT_KEYS = {
    "circle_id",
    "profile",
    "computed_at",
    "presence",
    "provisional_type",
    "service",
    "grade",
    "final_type",
    "stars",
    "not_rated_reason",
}


@pytest.fixture
def setup(world, make):
    c = world.circle(standards="miyun", population=100)
    c.outlet("convenience_store", "breakfast")
    other = world.circle()
    return {
        "circle": c,
        "staff": make.headers(c.staff),
        "other_staff": make.headers(other.staff),
        "resident": make.headers(make.user("resident")),
        "admin": make.headers(make.user("admin")),
        "bureau": make.headers(make.user("bureau", cities=[c.circle.city])),
        "other_bureau": make.headers(make.user("bureau", cities=[other.circle.city])),
    }


def test_evaluation_full_for_staff_and_summary_for_others(client, setup):
    c = setup["circle"]
    url = f"/api/v1/circles/{c.id}/evaluation"
    public = client.get(url)
    assert public.status_code == 200
    body = public.get_json()
    assert CONTRACT_KEYS <= set(body) and body["detail"] == "public" and body["circle_id"] == c.id
    assert body["profile"] == "mofcom-2023" and body["grade"] in ("excellent", "good", "pass", "fail")
    assert set(body["presence"]["basic"]) >= {"score", "present", "missing", "evidence"}
    assert set(body["presence"]["quality"]) >= {"score", "present"}
    assert body["presence"]["basic"]["present"] == ["convenience_store", "breakfast"]
    item = body["service"]["items"][0]
    assert set(item) >= {"no", "name", "points", "max", "rule", "evidence", "source"} and item["evidence"] == {}
    assert body["final_type"] is None and body["stars"] == 0 and body["not_rated_reason"]
    for who in ("resident", "other_staff"):
        assert client.get(url, headers=setup[who]).get_json()["detail"] == "public"
    for who in ("staff", "admin"):
        full = client.get(url, headers=setup[who]).get_json()
        assert full["detail"] == "full" and full["service"]["items"][1]["evidence"]["sample_needed"] == 3
    missing = client.get("/api/v1/circles/999999/evaluation")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "circle_not_found"


STAFF_GETS = ["gaps", "blind-spots", "map.geojson", "ledger.xlsx"]


@pytest.mark.parametrize("path", STAFF_GETS)
def test_staff_only_circle_reports(client, setup, path):
    url = f"/api/v1/circles/{setup['circle'].id}/{path}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=setup["resident"]).get_json()["error"]["code"] == "role_forbidden"
    denied = client.get(url, headers=setup["other_staff"])
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "out_of_scope"
    for who in ("staff", "admin"):
        assert client.get(url, headers=setup[who]).status_code == 200, who
    assert client.get(f"/api/v1/circles/999999/{path}", headers=setup["admin"]).status_code == 404


def test_snapshot_roles_and_input(client, setup):
    url = f"/api/v1/staff/circles/{setup['circle'].id}/evaluation-snapshots"
    assert client.post(url, json={"period": "2024"}).status_code == 401
    assert client.post(url, json={"period": "2024"}, headers=setup["resident"]).status_code == 403
    assert client.post(url, json={"period": "2024"}, headers=setup["other_staff"]).status_code == 403
    # Community staff prepare and propose; only the bureau of the circle's city (or an admin) freezes.
    own_staff = client.post(url, json={"period": "2024"}, headers=setup["staff"])
    assert own_staff.status_code == 403 and own_staff.get_json()["error"]["code"] == "role_forbidden"
    other_city = client.post(url, json={"period": "2024"}, headers=setup["other_bureau"])
    assert other_city.status_code == 403 and other_city.get_json()["error"]["code"] == "out_of_scope"
    made = client.post(url, json={"period": "2024"}, headers=setup["bureau"])
    assert made.status_code == 201 and made.get_json()["period"] == "2024" and made.get_json()["as_of"] == "2024-12-31"
    assert client.post(url, json={"period": "2025-H1"}, headers=setup["admin"]).status_code == 201
    again = client.post(url, json={"period": "2024"}, headers=setup["admin"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "snapshot_exists"
    for bad in ({"period": "2024-13"}, {"period": "9999"}, {}, {"period": "2024", "x": 1}):
        response = client.post(url, json=bad, headers=setup["bureau"])
        assert response.status_code == 422 and response.get_json()["error"]["details"], bad


def test_assessment_roles_and_validation(client, setup):
    url = f"/api/v1/staff/circles/{setup['circle'].id}/assessments"
    body = {"item": "harmony", "value": {"level": "basic"}, "note": "整洁，有特色不足"}
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=setup["resident"]).status_code == 403
    assert client.post(url, json=body, headers=setup["other_staff"]).status_code == 403
    made = client.post(url, json=body, headers=setup["staff"])
    assert made.status_code == 201
    assert made.get_json()["item_name"] == "商居和谐" and made.get_json()["value"] == {"level": "basic"}
    market = {"item": "vegetable_market", "value": {"to_standard": True}, "note": "达标", "assessed_on": "2025-03-01"}
    created = client.post(url, json=market, headers=setup["admin"]).get_json()
    assert created["value"] == {"to_standard": True, "area_sufficient": True, "missing_services": []}
    bad = [
        {"item": "harmony", "value": {"level": "great"}, "note": "x"},
        {"item": "vegetable_market", "value": {"to_standard": True, "missing_services": ["wifi"]}, "note": "x"},
        {"item": "unknown", "value": {}, "note": "x"},
        {"item": "harmony", "value": {"level": "full"}},
        {"item": "harmony", "value": {"level": "full"}, "note": "x", "assessed_on": "2999-01-01"},
    ]
    for payload in bad:
        response = client.post(url, json=payload, headers=setup["staff"])
        assert response.status_code == 422 and response.get_json()["error"]["details"], payload
    listed = client.get(url, headers=setup["staff"]).get_json()
    assert [a["item"] for a in listed["items"]] == ["harmony", "vegetable_market"]
    assert client.get(url).status_code == 401
    assert client.get(url, headers=setup["resident"]).status_code == 403
    assert client.get(url, headers=setup["other_staff"]).status_code == 403
    assert len(client.get(url, headers=setup["admin"]).get_json()["items"]) == 2
    evaluation = client.get(f"/api/v1/circles/{setup['circle'].id}/evaluation", headers=setup["staff"]).get_json()
    harmony = evaluation["service"]["items"][9]
    assert harmony["points"] == 4 and harmony["source"] == "staff" and harmony["evidence"]["note"] == "整洁，有特色不足"


def test_history_public_and_full(client, setup):
    c = setup["circle"]
    client.post(f"/api/v1/staff/circles/{c.id}/evaluation-snapshots", json={"period": "2024"}, headers=setup["bureau"])
    url = f"/api/v1/circles/{c.id}/evaluation-history"
    public = client.get(url).get_json()
    assert public["items"][0]["period"] == "2024" and "result" not in public["items"][0]
    assert public["items"][0]["change"] == "first" and public["has_more"] is False and public["total"] == 1
    full = client.get(url, headers=setup["staff"]).get_json()["items"][0]
    assert full["result"]["circle_id"] == c.id and full["profile_version"].startswith("mofcom-2023@1:")
    assert client.get(f"{url}?page=0").status_code == 422


def test_city_view_roles(client, setup, make):
    city_id = setup["circle"].circle.city_id
    url = f"/api/v1/cities/{city_id}/evaluation"
    for path in (url, f"/api/v1/cities/{city_id}/ledger.xlsx"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=setup["resident"]).status_code == 403
        assert client.get(path, headers=setup["other_staff"]).get_json()["error"]["code"] == "out_of_scope"
        assert client.get(path, headers=setup["staff"]).status_code == 200
        assert client.get(path, headers=setup["admin"]).status_code == 200
    assert client.get("/api/v1/cities/999999/evaluation", headers=setup["admin"]).status_code == 404


def test_scoring_profiles_admin_only(client, setup):
    url = "/api/v1/admin/scoring-profiles"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=setup["resident"]).status_code == 403
    assert client.get(url, headers=setup["staff"]).status_code == 403
    profiles = client.get(url, headers=setup["admin"]).get_json()
    mofcom = next(p for p in profiles if p["code"] == "mofcom-2023")
    assert mofcom["version"] == 1 and len(mofcom["presence"]["basic_types"]) == 15
    assert mofcom["service"]["chain_rate"]["min_share"] == {"tier1": 0.3, "tier2": 0.25, "other": 0.2}
    assert {"id": setup["circle"].circle.city_id, "name": setup["circle"].circle.city.name} in mofcom["cities"]


def test_blind_spot_query_validation(client, setup):
    url = f"/api/v1/circles/{setup['circle'].id}/blind-spots"
    bad = client.get(f"{url}?types=cinema", headers=setup["staff"])
    assert bad.status_code == 422 and "types" in bad.get_json()["error"]["details"]
    assert client.get(f"{url}?coord=bd09", headers=setup["staff"]).status_code == 422
    assert client.get(f"{url}?typo=1", headers=setup["staff"]).status_code == 422


def test_service_codes_are_public(client):
    body = client.get("/api/v1/evaluation/service-codes").get_json()
    assert {"code": "print_copy", "name_zh": "打印复印"} in body["store_add_ons"]
    assert {"code": "breakfast_porridge", "name_zh": "粥"} in body["breakfast_items"]
    assert body["smart_terminals"][0]["code"] == "parcel_locker"
    unknown = client.get("/api/v1/evaluation/service-codes?profile=nope")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "scoring_profile_not_found"
