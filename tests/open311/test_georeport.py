"""Open311 GeoReport v2 over the same needs: services, filing with an API key, reading, errors."""

import pytest
from sqlalchemy import select

from app.demands.models import Demand
from app.open311.models import ApiKey
from app.open311.service import create_api_key
from tests.demands.world import OUTSIDE, offset, submit, triage
from tests.factories import MIYUN


@pytest.fixture
def api_key(world, db):
    return create_api_key("fixmystreet-bridge")


def form(key, **overrides):
    data = {
        "api_key": key,
        "service_code": "missing_type:breakfast",
        "lat": str(MIYUN[1]),
        "long": str(MIYUN[0]),
        "description": "这边缺一家早餐店",
        "address_string": "鼓楼东大街",
        "email": "someone@example.org",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_services_list_kinds_and_business_types(client, world):
    services = {s["service_code"]: s for s in client.get("/open311/v2/services.json").get_json()}
    assert services["missing-breakfast"]["service_name"] == "缺少早餐店"
    assert services["missing-breakfast"]["group"] == "缺少业态"
    assert {"service_quality", "outlet_closed", "other"} <= set(services)
    assert all(s["type"] == "realtime" for s in services.values())
    # Definitions exist where a request may carry attributes (the reason, the outlet).
    assert services["missing-breakfast"]["metadata"] and services["service_quality"]["metadata"]
    assert services["other"]["metadata"] is False
    assert len(services) == 57 + 3


def test_post_form_encoded_then_read_it_back(client, world, db, api_key):
    response = client.post("/open311/v2/requests.json", data=form(api_key))
    assert response.status_code == 201, response.get_json()
    [created] = response.get_json()
    assert created == {
        "service_request_id": created["service_request_id"],
        "token": created["token"],
        "service_notice": "",
        "account_id": None,
    }
    demand = db.session.get(Demand, int(created["service_request_id"]))
    assert (demand.source, demand.source_client, demand.user_id, demand.circle_id) == (
        "open311",
        "fixmystreet-bridge",
        None,
        world.circle.id,
    )
    assert db.session.scalar(select(ApiKey.last_used_at)) is not None
    [item] = client.get(f"/open311/v2/requests/{demand.id}.json").get_json()
    assert item["service_request_id"] == str(demand.id) and item["status"] == "open"
    assert (item["service_code"], item["service_name"]) == ("missing-breakfast", "缺少早餐店")
    assert (item["lat"], item["long"]) == (MIYUN[1], MIYUN[0])
    assert item["description"] == "这边缺一家早餐店" and item["address"] == "鼓楼东大街"
    assert item["agency_responsible"] == "鼓楼生活圈"
    assert item["requested_datetime"].endswith("+08:00") and item["media_url"] is None
    assert "someone@example.org" not in client.get(f"/open311/v2/requests/{demand.id}.json").get_data(as_text=True)
    # The same need is in the mini-program's list.
    listing = client.get(f"/api/v1/circles/{world.circle.id}/demands").get_json()
    assert [d["id"] for d in listing["items"]] == [demand.id]
    assert listing["items"][0]["timeline"][0]["by"] == "外部平台"


def test_the_keys_last_use_is_written_with_the_need_it_filed(client, world, db, api_key):
    """A refused request records no use (and leaves nothing pending: the harness checks every request)."""
    refused = client.post("/open311/v2/requests.json", data=form(api_key, description="有人在这里赌博"))
    assert refused.status_code == 400
    assert db.session.scalar(select(ApiKey.last_used_at)) is None
    assert client.post("/open311/v2/requests.json", data=form(api_key)).status_code == 201
    assert db.session.scalar(select(ApiKey.last_used_at)) is not None


def test_post_json_works_too(client, world, api_key):
    body = {**form(api_key, service_code="other"), "lat": MIYUN[1], "long": MIYUN[0]}
    response = client.post("/open311/v2/requests.json", json=body)
    assert response.status_code == 201


@pytest.mark.parametrize(
    "overrides,status,fragment",
    [
        ({"api_key": None}, 400, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "missing_type:unicorns"}, 404, "service_code"),
        ({"service_code": None}, 400, "service_code"),
        ({"lat": None}, 400, "lat"),
        ({"long": "east"}, 400, "long"),
        ({"lat": str(OUTSIDE[1]), "long": str(OUTSIDE[0])}, 400, "生活圈"),
        ({"description": "有人在这里赌博"}, 400, "违规"),
        ({"attribute[size]": "big"}, 400, "attribute[size]"),
    ],
)
def test_post_errors_use_the_open311_error_array(client, world, db, api_key, overrides, status, fragment):
    response = client.post("/open311/v2/requests.json", data=form(api_key, **overrides))
    assert response.status_code == status, response.get_json()
    errors = response.get_json()
    assert isinstance(errors, list) and all(e["code"] == status for e in errors)
    assert any(fragment in e["description"] for e in errors), errors
    assert db.session.scalar(select(Demand.id)) is None


def test_revoked_key_is_refused(client, world, db, api_key, app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["open311", "revoke-key", "fixmystreet-bridge"]).exit_code == 0
    assert client.post("/open311/v2/requests.json", data=form(api_key)).status_code == 403
    created = runner.invoke(args=["open311", "create-key", "another-client"])
    assert created.exit_code == 0
    assert client.post("/open311/v2/requests.json", data=form(created.output.strip())).status_code == 201


def test_held_requests_get_a_notice_and_stay_private(client, world, db, api_key):
    [created] = client.post("/open311/v2/requests.json", data=form(api_key, description="早餐店请加微信")).get_json()
    assert created["service_notice"] == "已受理，内容审核后公开"
    response = client.get(f"/open311/v2/requests/{created['service_request_id']}.json")
    assert response.status_code == 404 and response.get_json()[0]["code"] == 404
    assert client.get("/open311/v2/requests.json").get_json() == []


def test_query_filters(client, world, db, api_key):
    breakfast = submit(client, world.h.resident)
    pharmacy = submit(client, world.h.neighbour, business_type="pharmacy", at=offset(*MIYUN, east_m=50))
    closed = submit(client, world.h.third, kind="other", business_type=None)
    triage(client, world.h.staff, closed["id"], status="rejected", reason="不在服务范围")
    merged = submit(client, world.h.third)
    triage(client, world.h.staff, merged["id"], merge_into=breakfast["id"])

    def ids(query=""):
        response = client.get(f"/open311/v2/requests.json{query}")
        assert response.status_code == 200, response.get_json()
        return [int(r["service_request_id"]) for r in response.get_json()]

    assert ids() == [merged["id"], closed["id"], pharmacy["id"], breakfast["id"]]
    assert ids("?status=open") == [pharmacy["id"], breakfast["id"]]
    assert ids("?status=closed") == [merged["id"], closed["id"]]
    assert ids("?service_code=missing_type:pharmacy") == [pharmacy["id"]]
    assert ids("?service_code=other,missing_type:pharmacy") == [closed["id"], pharmacy["id"]]
    assert ids(f"?service_request_id={breakfast['id']},{closed['id']}") == [closed["id"], breakfast["id"]]
    assert ids("?start_date=2000-01-01T00:00:00Z&end_date=2001-01-01T00:00:00Z") == []
    assert ids("?start_date=2000-01-01T00:00:00+08:00") == [merged["id"], closed["id"], pharmacy["id"], breakfast["id"]]
    by_id = {int(r["service_request_id"]): r for r in client.get("/open311/v2/requests.json").get_json()}
    assert by_id[closed["id"]]["status_notes"] == "不在服务范围"
    assert by_id[merged["id"]]["status_notes"] == f"已合并到请求 {breakfast['id']}"
    assert by_id[pharmacy["id"]]["lat"] == pytest.approx(MIYUN[1], abs=1e-7)


@pytest.mark.parametrize(
    "query,status",
    [("?status=pending", 400), ("?start_date=yesterday", 400), ("?service_request_id=abc", 400), ("?x=1", 400)],
)
def test_query_errors(client, world, query, status):
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == status and response.get_json()[0]["code"] == status


def test_unknown_request_is_404_array(client, world):
    response = client.get("/open311/v2/requests/999999.json")
    assert response.status_code == 404 and response.get_json() == [{"code": 404, "description": "请求不存在"}]


def test_expected_datetime_comes_from_the_linked_project(client, world):
    demand = submit(client, world.h.resident)
    triage(client, world.h.staff, demand["id"], status="accepted")
    project = client.post(
        "/api/v1/staff/projects",
        json={
            "circle_id": world.circle.id,
            "title": "早餐车",
            "planned_end": "2025-06-30",
            "demand_ids": [demand["id"]],
        },
        headers=world.h.staff,
    ).get_json()
    assert project["demand_count"] == 1
    [item] = client.get(f"/open311/v2/requests/{demand['id']}.json").get_json()
    assert item["expected_datetime"] == "2025-06-30T23:59:59+08:00" and item["status"] == "open"
