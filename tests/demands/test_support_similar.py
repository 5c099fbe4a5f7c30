""" "Me too": similar needs nearby, one support per resident, counted."""

import pytest
from sqlalchemy import select

from app.demands.models import Demand, DemandSupport
from tests.demands.world import offset, submit, triage
from tests.factories import MIYUN


def similar(client, headers=None, **params):
    query = {"lat": MIYUN[1], "lng": MIYUN[0], "coord": "wgs84", "kind": "missing_type", "business_type": "breakfast"}
    query.update(params)
    query = {k: v for k, v in query.items() if v is not None}
    return client.get("/api/v1/demands/similar", query_string=query, headers=headers or {})


def test_similar_finds_open_needs_of_the_same_type_within_its_radius(client, world):
    near = submit(client, world.h.resident, at=offset(*MIYUN, east_m=100))
    nearer = submit(client, world.h.neighbour, at=offset(*MIYUN, north_m=50))
    submit(client, world.h.third, at=offset(*MIYUN, east_m=400))  # breakfast radius is 300 m
    submit(client, world.h.third, business_type="pharmacy")
    submit(client, world.h.third, kind="other", business_type=None)
    body = similar(client).get_json()
    assert body["radius_m"] == 300
    assert [d["id"] for d in body["items"]] == [nearer["id"], near["id"]]
    assert [d["distance_m"] for d in body["items"]] == [50, 100]
    assert body["items"][0]["supported_by_me"] is None and "timeline" not in body["items"][0]


def test_similar_uses_500_m_without_a_type_and_skips_closed_or_held(client, world):
    far_other = submit(client, world.h.resident, kind="other", business_type=None, at=offset(*MIYUN, east_m=450))
    rejected = submit(client, world.h.neighbour, kind="other", business_type=None)
    triage(client, world.h.staff, rejected["id"], status="rejected", reason="重复")
    submit(client, world.h.third, kind="other", business_type=None, text="请加微信")  # held
    body = similar(client, kind="other", business_type=None).get_json()
    assert body["radius_m"] == 500 and [d["id"] for d in body["items"]] == [far_other["id"]]


def test_similar_shows_whether_i_supported(client, world):
    first = submit(client, world.h.resident)
    client.post(f"/api/v1/demands/{first['id']}/support", headers=world.h.neighbour)
    body = similar(client, headers=world.h.neighbour).get_json()
    assert body["items"][0]["supported_by_me"] is True and body["items"][0]["support_count"] == 1


@pytest.mark.parametrize(
    "params,field",
    [({"business_type": None}, "business_type"), ({"kind": "x"}, "kind"), ({"lat": "abc"}, "lat"), ({"zz": 1}, "zz")],
)
def test_similar_bad_input(client, world, params, field):
    response = similar(client, **params)
    assert response.status_code == 422 and field in response.get_json()["error"]["details"]


def test_support_once_per_resident_and_counted(client, world, db):
    demand = submit(client, world.h.resident)
    first = client.post(f"/api/v1/demands/{demand['id']}/support", headers=world.h.neighbour)
    assert first.status_code == 201
    assert first.get_json() == {"demand_id": demand["id"], "support_count": 1, "supported": True}
    again = client.post(f"/api/v1/demands/{demand['id']}/support", headers=world.h.neighbour)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_supported"
    assert (
        client.post(f"/api/v1/demands/{demand['id']}/support", headers=world.h.third).get_json()["support_count"] == 2
    )
    assert db.session.get(Demand, demand["id"]).support_count == 2
    supporters = db.session.scalars(select(DemandSupport.user_id).where(DemandSupport.demand_id == demand["id"]))
    assert sorted(supporters) == sorted([world.neighbour.id, world.third.id])
    detail = client.get(f"/api/v1/demands/{demand['id']}", headers=world.h.third).get_json()
    assert detail["support_count"] == 2 and detail["supported_by_me"] is True


def test_support_refusals(client, world):
    demand = submit(client, world.h.resident)
    own = client.post(f"/api/v1/demands/{demand['id']}/support", headers=world.h.resident)
    assert own.status_code == 409 and own.get_json()["error"]["code"] == "own_demand"
    held = submit(client, world.h.neighbour, text="加微信")
    assert client.post(f"/api/v1/demands/{held['id']}/support", headers=world.h.third).status_code == 404
    assert client.post("/api/v1/demands/999999/support", headers=world.h.third).status_code == 404
    closed = submit(client, world.h.neighbour, kind="other", business_type=None)
    triage(client, world.h.staff, closed["id"], status="rejected", reason="不属于生活圈服务范围")
    refused = client.post(f"/api/v1/demands/{closed['id']}/support", headers=world.h.third)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "demand_closed"
    duplicate = submit(client, world.h.neighbour)
    triage(client, world.h.staff, duplicate["id"], merge_into=demand["id"])
    merged = client.post(f"/api/v1/demands/{duplicate['id']}/support", headers=world.h.third)
    assert merged.status_code == 409
    assert merged.get_json()["error"] == {
        "code": "demand_merged",
        "message": "该需求已与其他需求合并，请支持合并后的需求",
        "details": {"merged_into_id": demand["id"]},
    }


@pytest.mark.parametrize("who,status", [(None, 401), ("merchant", 403), ("staff", 403), ("admin", 403)])
def test_only_residents_support(client, world, who, status):
    demand = submit(client, world.h.resident)
    headers = getattr(world.h, who) if who else {}
    assert client.post(f"/api/v1/demands/{demand['id']}/support", headers=headers).status_code == status
