"""A merchant's later edits (some at once, identity via review), closures by merchant and staff, audit trail."""

import pytest

from tests.merchants.conftest import ELSEWHERE, LAT, LNG, body


@pytest.fixture
def published(client, make, area, submit):
    """An approved outlet and its merchant."""
    merchant = make.user()
    application_id = submit(merchant).get_json()["id"]
    approved = client.post(f"/api/v1/staff/applications/{application_id}/approve", headers=make.headers(area.staff))
    return merchant, approved.get_json()["outlet_id"]


def public(client, outlet_id):
    return client.get(f"/api/v1/outlets/{outlet_id}", query_string={"coord": "wgs84"})


def edit(client, make, user, outlet_id, data):
    return client.patch(f"/api/v1/merchant/outlets/{outlet_id}", json=data, headers=make.headers(user))


def test_hours_phone_services_publish_at_once(client, make, area, published, post_file):
    merchant, outlet_id = published
    photo = post_file(make.headers(merchant))
    response = edit(
        client,
        make,
        merchant,
        outlet_id,
        {"hours": {"sat": [["08:00", "12:00"]]}, "phone": "13800001111", "accepts_cash": False, "photo_ids": [photo]},
    )
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["change_request"] is None
    assert result["published"] == ["accepts_cash", "hours", "phone", "photo_ids"]
    outlet = public(client, outlet_id).get_json()
    assert outlet["hours"] == {"sat": [["08:00", "12:00"]]} and outlet["phone"] == "13800001111"
    assert outlet["services"]["accepts_cash"] is False and outlet["photo_urls"] == [f"/api/v1/uploads/{photo}/file"]
    assert client.get(f"/api/v1/uploads/{photo}/file").status_code == 200  # the outlet is approved: public
    trail = client.get(
        "/api/v1/staff/audit", query_string={"outlet_id": outlet_id}, headers=make.headers(area.staff)
    ).get_json()["items"]
    assert trail[0]["action"] == "outlet_updated" and trail[0]["actor_user_id"] == merchant.id
    assert trail[0]["before"]["phone"] == "010-69041234" and trail[0]["after"]["phone"] == "13800001111"


def test_name_and_location_wait_for_review_while_published_version_stays(client, make, area, published):
    merchant, outlet_id = published
    response = edit(
        client,
        make,
        merchant,
        outlet_id,
        {"name": "老街坊超市", "location": {"lng": LNG + 0.002, "lat": LAT}, "coord": "wgs84", "phone": "13900002222"},
    )
    assert response.status_code == 200, response.get_json()
    change = response.get_json()["change_request"]
    assert change["kind"] == "change" and change["status"] == "pending" and change["circle_id"] == area.circle.id
    assert response.get_json()["published"] == ["phone"]
    visible = public(client, outlet_id).get_json()
    assert visible["name"] == "老街坊便利店" and visible["phone"] == "13900002222"
    assert visible["location"]["lng"] == pytest.approx(LNG + 0.001)
    mine = client.get(f"/api/v1/merchant/outlets/{outlet_id}", headers=make.headers(merchant)).get_json()
    assert mine["pending_change"]["id"] == change["id"]

    # A second edit joins the open change set instead of making another.
    second = edit(client, make, merchant, outlet_id, {"types": ["convenience_store"]}).get_json()["change_request"]
    assert second["id"] == change["id"] and second["payload"]["name"] == "老街坊超市"

    assert (
        client.post(
            f"/api/v1/staff/applications/{change['id']}/approve", headers=make.headers(area.other_staff)
        ).status_code
        == 403
    )
    approved = client.post(f"/api/v1/staff/applications/{change['id']}/approve", headers=make.headers(area.staff))
    assert approved.status_code == 200
    after = public(client, outlet_id).get_json()
    assert after["name"] == "老街坊超市" and after["types"] == ["convenience_store"]
    assert after["location"]["lng"] == pytest.approx(LNG + 0.002)
    entry = client.get(
        "/api/v1/staff/audit", query_string={"application_id": change["id"]}, headers=make.headers(area.admin)
    ).get_json()["items"][0]
    assert entry["action"] == "change_approved"
    assert entry["before"]["name"] == "老街坊便利店" and entry["after"]["name"] == "老街坊超市"


def test_rejected_change_leaves_outlet_unchanged(client, make, area, published):
    merchant, outlet_id = published
    change = edit(client, make, merchant, outlet_id, {"name": "别人的店名"}).get_json()["change_request"]
    rejected = client.post(
        f"/api/v1/staff/applications/{change['id']}/reject",
        json={"reason": "名称与执照不符"},
        headers=make.headers(area.staff),
    )
    assert rejected.status_code == 200
    assert public(client, outlet_id).get_json()["name"] == "老街坊便利店"
    mine = client.get("/api/v1/merchant/applications", headers=make.headers(merchant)).get_json()["items"]
    assert mine[0]["id"] == change["id"] and mine[0]["reason"] == "名称与执照不符"


def test_only_the_owner_or_staff_in_scope_edit(client, make, area, published):
    merchant, outlet_id = published
    other_merchant = make.user()
    other_merchant.roles = ["resident", "merchant"]
    refused = edit(client, make, other_merchant, outlet_id, {"phone": "13700000000"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_owner"
    out_of_scope = edit(client, make, area.other_staff, outlet_id, {"phone": "13700000000"})
    assert out_of_scope.status_code == 403 and out_of_scope.get_json()["error"]["code"] == "not_owner"
    assert client.patch(f"/api/v1/merchant/outlets/{outlet_id}", json={"phone": "1"}).status_code == 401
    assert client.get(f"/api/v1/merchant/outlets/{outlet_id}", headers=make.headers(other_merchant)).status_code == 403
    assert edit(client, make, merchant, 999999, {"phone": "13700000000"}).status_code == 404
    assert public(client, outlet_id).get_json()["phone"] == "010-69041234"
    # Staff of the outlet's circle act for a merchant without a smartphone.
    assert edit(client, make, area.staff, outlet_id, {"phone": "13700000000"}).status_code == 200
    assert public(client, outlet_id).get_json()["phone"] == "13700000000"


def test_bad_edits_change_nothing(client, make, area, published, db):
    merchant, outlet_id = published
    outside = edit(client, make, merchant, outlet_id, {"location": {"lng": 100.0, "lat": 30.0}, "phone": "13911112222"})
    assert outside.status_code == 422 and outside.get_json()["error"]["code"] == "outside_circles"
    negative = edit(
        client,
        make,
        merchant,
        outlet_id,
        {"types": ["repair"], "repair_services": [{"code": "shoe_repair", "price_min": -1}], "phone": "13911112222"},
    )
    assert negative.status_code == 422
    unknown = edit(client, make, merchant, outlet_id, {"types": ["teleporter"]})
    assert unknown.status_code == 422
    assert public(client, outlet_id).get_json()["phone"] == "010-69041234"
    assert (
        client.get(f"/api/v1/merchant/outlets/{outlet_id}", headers=make.headers(merchant)).get_json()["pending_change"]
        is None
    )


def test_closures_by_merchant_and_staff(client, make, area, published):
    merchant, outlet_id = published
    url = f"/api/v1/merchant/outlets/{outlet_id}/status"
    near = {"lng": LNG, "lat": LAT, "coord": "wgs84", "radius": 500}

    def in_nearby():
        return outlet_id in [
            i["id"] for i in client.get("/api/v1/outlets/nearby", query_string=near).get_json()["items"]
        ]

    suspended = client.post(url, json={"status": "suspended", "reason": "春节休息"}, headers=make.headers(merchant))
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    assert not in_nearby() and public(client, outlet_id).get_json()["status"] == "suspended"
    assert client.post(url, json={"status": "approved"}, headers=make.headers(merchant)).status_code == 200
    assert in_nearby()
    assert client.post(url, json={"status": "closed"}, headers=make.headers(make.user())).status_code == 403
    assert client.post(url, json={"status": "closed"}, headers=make.headers(merchant)).status_code == 200
    reopen = client.post(url, json={"status": "approved"}, headers=make.headers(merchant))
    assert reopen.status_code == 409 and reopen.get_json()["error"]["code"] == "invalid_status_change"
    assert edit(client, make, merchant, outlet_id, {"phone": "13700000000"}).status_code == 409
    assert public(client, outlet_id).status_code == 404

    staff_url = f"/api/v1/staff/outlets/{outlet_id}/status"
    assert (
        client.post(staff_url, json={"status": "approved"}, headers=make.headers(area.other_staff)).status_code == 403
    )
    assert client.post(staff_url, json={"status": "approved"}, headers=make.headers(merchant)).status_code == 403
    assert client.post(staff_url, json={"status": "paused"}, headers=make.headers(area.staff)).status_code == 422
    staff_reopen = client.post(
        staff_url, json={"status": "approved", "reason": "核实仍在营业"}, headers=make.headers(area.staff)
    )
    assert staff_reopen.status_code == 200 and in_nearby()
    trail = client.get(
        "/api/v1/staff/audit", query_string={"outlet_id": outlet_id}, headers=make.headers(area.staff)
    ).get_json()["items"]
    statuses = [(e["actor_user_id"], e["after"]["status"]) for e in trail if e["action"] == "outlet_status_changed"]
    assert statuses == [
        (area.staff.id, "approved"),
        (merchant.id, "closed"),
        (merchant.id, "approved"),
        (merchant.id, "suspended"),
    ]
    assert trail[0]["reason"] == "核实仍在营业"


def test_audit_visibility(client, make, area, published):
    merchant, outlet_id = published
    url = "/api/v1/staff/audit"
    assert client.get(url, query_string={"outlet_id": outlet_id}).status_code == 401
    assert client.get(url, query_string={"outlet_id": outlet_id}, headers=make.headers(merchant)).status_code == 403
    assert (
        client.get(url, query_string={"outlet_id": outlet_id}, headers=make.headers(area.other_staff)).status_code
        == 403
    )
    mine = client.get(url, headers=make.headers(area.staff)).get_json()
    assert mine["total"] == 2 and {e["action"] for e in mine["items"]} == {
        "application_submitted",
        "application_approved",
    }
    assert client.get(url, headers=make.headers(area.other_staff)).get_json()["total"] == 0
    everything = client.get(
        url, query_string={"circle_id": area.circle.id}, headers=make.headers(area.admin)
    ).get_json()
    assert everything["total"] == 2
    assert client.get(url, query_string={"outlet_id": 999999}, headers=make.headers(area.admin)).status_code == 404


def test_owned_outlets_listing(client, make, area, published, submit):
    merchant, outlet_id = published
    second_id = submit(merchant, body(lng=ELSEWHERE[0], lat=ELSEWHERE[1], name="老街坊二店")).get_json()["id"]
    client.post(f"/api/v1/staff/applications/{second_id}/approve", headers=make.headers(area.other_staff))
    items = client.get("/api/v1/merchant/outlets", headers=make.headers(merchant)).get_json()["items"]
    assert [o["name"] for o in items] == ["老街坊便利店", "老街坊二店"]
    assert client.get("/api/v1/merchant/outlets", headers=make.headers(make.user())).get_json()["items"] == []
