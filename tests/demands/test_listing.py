"""Public needs list and detail, the submitter's own list, rate limits, idempotent submission."""

import pytest
from sqlalchemy import func, select

from app.demands.models import Demand
from tests.demands.world import demand_body, submit, triage


def test_circle_listing_filters_pages_and_sorts(client, world):
    breakfast = submit(client, world.h.resident)
    pharmacy = submit(client, world.h.neighbour, business_type="pharmacy", text="附近没有药店")
    other = submit(client, world.h.third, kind="other", business_type=None, text="希望有个快递柜")
    client.post(f"/api/v1/demands/{pharmacy['id']}/support", headers=world.h.third)
    triage(client, world.h.staff, other["id"], status="accepted")
    path = f"/api/v1/circles/{world.circle.id}/demands"
    newest = client.get(path).get_json()
    assert [d["id"] for d in newest["items"]] == [other["id"], pharmacy["id"], breakfast["id"]]
    assert (newest["total"], newest["has_more"], newest["page"], newest["page_size"]) == (3, False, 1, 20)
    item = newest["items"][1]
    assert (item["text"], item["business_type_name"], item["status_name"], item["support_count"]) == (
        "附近没有药店",
        "药店",
        "已提交",
        1,
    )
    assert item["timeline"][0]["action"] == "submitted" and item["supported_by_me"] is None
    assert "moderation" not in item and "confirmation" not in item
    by_support = client.get(f"{path}?sort=supports").get_json()
    assert by_support["items"][0]["id"] == pharmacy["id"]
    assert [d["id"] for d in client.get(f"{path}?status=accepted").get_json()["items"]] == [other["id"]]
    assert [d["id"] for d in client.get(f"{path}?status=submitted,accepted&kind=other").get_json()["items"]] == [
        other["id"]
    ]
    assert [d["id"] for d in client.get(f"{path}?business_type=pharmacy").get_json()["items"]] == [pharmacy["id"]]
    page = client.get(f"{path}?page=2&page_size=2").get_json()
    assert [d["id"] for d in page["items"]] == [breakfast["id"]] and page["has_more"] is False
    first = client.get(f"{path}?page=1&page_size=2").get_json()
    assert first["has_more"] is True and first["total"] == 3


@pytest.mark.parametrize("query", ["status=lost", "sort=random", "page=0", "page_size=51", "kind=x", "extra=1"])
def test_circle_listing_bad_input(client, world, query):
    response = client.get(f"/api/v1/circles/{world.circle.id}/demands?{query}")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_error"


def test_unknown_circle_and_demand_are_404(client, world):
    assert client.get("/api/v1/circles/999999/demands").get_json()["error"]["code"] == "circle_not_found"
    assert client.get("/api/v1/circles/999999/satisfied-list").status_code == 404
    assert client.get("/api/v1/demands/999999").get_json()["error"]["code"] == "demand_not_found"


def test_merged_need_stays_readable_with_its_pointer(client, world):
    target = submit(client, world.h.resident)
    source = submit(client, world.h.neighbour)
    triage(client, world.h.staff, source["id"], merge_into=target["id"])
    body = client.get(f"/api/v1/demands/{source['id']}").get_json()
    assert (body["status"], body["merged_into_id"]) == ("merged", target["id"])
    merged = client.get(f"/api/v1/circles/{world.circle.id}/demands?status=merged").get_json()
    assert [d["id"] for d in merged["items"]] == [source["id"]]


def test_my_demands_include_held_ones_and_only_mine(client, world):
    held = submit(client, world.h.resident, text="早餐，加微信详谈")
    visible = submit(client, world.h.resident, business_type="pharmacy")
    submit(client, world.h.neighbour)
    body = client.get("/api/v1/me/demands?coord=wgs84", headers=world.h.resident).get_json()
    assert [(d["id"], d["moderation"]) for d in body["items"]] == [(visible["id"], "visible"), (held["id"], "held")]
    assert body["total"] == 2 and body["items"][0]["confirmation"]["can_answer"] is False
    staff_view = client.get("/api/v1/me/demands", headers=world.h.staff).get_json()
    assert staff_view["items"] == [] and staff_view["total"] == 0
    assert client.get("/api/v1/me/demands").status_code == 401


def test_same_idempotency_key_returns_the_first_need(client, world, db, redis):
    headers = {**world.h.resident, "Idempotency-Key": "3f1c0b7e-retry-1"}
    first = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    again = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Demand)) == 1
    other_user = client.post(
        "/api/v1/demands", json=demand_body(), headers={**world.h.neighbour, "Idempotency-Key": "3f1c0b7e-retry-1"}
    )
    assert other_user.status_code == 201 and other_user.get_json()["id"] != first.get_json()["id"]
    changed = client.post("/api/v1/demands", json=demand_body(text="另一条需求"), headers=headers)
    assert changed.status_code == 422 and changed.get_json()["error"]["code"] == "idempotency_key_reused"
    assert db.session.scalar(select(func.count()).select_from(Demand)) == 2
    ttls = [redis.ttl(k) for k in redis.keys("circle:idempotency:*")]
    assert len(ttls) == 2 and all(23 * 3600 < t <= 24 * 3600 for t in ttls)


@pytest.fixture
def limited_client(app, db, redis):
    """A second app instance with rate limits on (the shared test app has them off)."""
    from app import create_app
    from app.common.extensions import limiter

    keys = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "RATELIMIT_STORAGE_URI", "WECHAT_API_BASE", "TESTING")
    limited = create_app({**{k: app.config[k] for k in keys}, "RATELIMIT_ENABLED": True})
    yield limited.test_client()
    limiter.enabled = False  # the shared app goes on without limits


def test_submissions_are_rate_limited_per_user(limited_client, world):
    for _ in range(10):
        response = limited_client.post("/api/v1/demands", json={"kind": "x"}, headers=world.h.resident)
        assert response.status_code == 422
    limited = limited_client.post("/api/v1/demands", json={"kind": "x"}, headers=world.h.resident)
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    # Each endpoint counts on its own: supports have their own allowance.
    assert limited_client.post("/api/v1/demands/999999/support", headers=world.h.resident).status_code == 404
    assert limited_client.post("/api/v1/demands", json={"kind": "x"}, headers=world.h.neighbour).status_code == 422
