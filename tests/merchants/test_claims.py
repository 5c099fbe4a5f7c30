"""Claiming a listed outlet (认领): licence + WeChat-verified phone, staff verify, disputes, audit, notification."""

import itertools
import uuid

import pytest
from sqlalchemy import select

from app.merchants.models import Claim
from app.notifications.models import OutboxMessage
from tests.factories import error_code
from tests.merchants.conftest import LAT, LNG, body
from tests.uploads import files

LICENCE_NO = "91110228MA01CLAIM1"
_phones = itertools.count(13900000001)


def phone_code(number=None):
    """A fresh getPhoneNumber code; the stub releases the 11-digit number it contains."""
    return f"phone-{number or next(_phones)}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def census_outlet(make, area):
    """An outlet a census import brought: listed, no owner, a phone on record."""
    return make.outlet(LNG + 0.001, LAT + 0.001, name="老街坊便利店", phone="010-69041234")


@pytest.fixture
def claim(client, make, post_file):
    def post(user, outlet_id, **overrides):
        headers = make.headers(user)
        data = {
            "outlet_id": outlet_id,
            "licence_no": LICENCE_NO,
            "licence_photo_id": post_file(headers, files.jpeg(), purpose="certification", filename="licence.jpg"),
            "contact_name": "王老板",
            "phone_code": phone_code(),
            **overrides,
        }
        return client.post("/api/v1/merchant/claims", json=data, headers=headers)

    return post


def staff_post(client, make, staff, claim_id, action, json=None):
    return client.post(f"/api/v1/staff/claims/{claim_id}/{action}", json=json or {}, headers=make.headers(staff))


def trail(client, make, staff, outlet_id):
    entries = client.get(
        "/api/v1/staff/audit", query_string={"outlet_id": outlet_id, "page_size": 50}, headers=make.headers(staff)
    ).get_json()["items"]
    return [(e["action"], e["claim_id"]) for e in reversed(entries)]


def test_merchant_claims_listed_outlet_and_staff_approve(client, make, db, area, census_outlet, claim):
    merchant = make.user()
    response = claim(merchant, census_outlet.id, phone_code="phone-01069041234-x")
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "pending" and created["outlet_name"] == "老街坊便利店"
    assert created["licence_no"] == LICENCE_NO and created["dispute"] is None and created["decided_at"] is None
    mine = client.get("/api/v1/merchant/claims", headers=make.headers(merchant)).get_json()["items"]
    assert [c["id"] for c in mine] == [created["id"]]

    # Only the staff of the outlet's circle see it; they see the evidence.
    assert client.get("/api/v1/staff/claims", headers=make.headers(area.other_staff)).get_json()["items"] == []
    other = client.get(f"/api/v1/staff/claims/{created['id']}", headers=make.headers(area.other_staff))
    assert other.status_code == 403 and error_code(other) == "out_of_scope"
    queue = client.get("/api/v1/staff/claims", query_string={"status": "pending"}, headers=make.headers(area.staff))
    [item] = queue.get_json()["items"]
    assert item["id"] == created["id"] and item["claimant_user_id"] == merchant.id
    assert item["outlet"]["owner_user_id"] is None and item["outlet"]["name"] == "老街坊便利店"
    licence = client.get(item["licence_url"].split("?")[0], headers=make.headers(area.staff))
    assert licence.status_code == 200  # the reviewing staff read the private licence
    assert client.get(item["licence_url"].split("?")[0], headers=make.headers(make.user())).status_code == 403

    # Not the owner yet: the outlet cannot be managed.
    early = client.get(f"/api/v1/merchant/outlets/{census_outlet.id}", headers=make.headers(merchant))
    assert early.status_code == 403 and error_code(early) == "not_owner"

    approved = staff_post(client, make, area.staff, created["id"], "approve", {"note": "执照与电话核验一致"})
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "approved" and approved.get_json()["decided_at"]
    db.session.refresh(census_outlet)
    assert census_outlet.owner_user_id == merchant.id
    assert census_outlet.certification["licence_number"] == LICENCE_NO
    assert "merchant" in merchant.roles
    owned = client.get(f"/api/v1/merchant/outlets/{census_outlet.id}", headers=make.headers(merchant))
    assert owned.status_code == 200
    assert trail(client, make, area.staff, census_outlet.id) == [
        ("claim_submitted", created["id"]),
        ("claim_approved", created["id"]),
    ]
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == merchant.id))
    assert message.template_id == "tmpl-claim-result" and message.data["phrase2"]["value"] == "已通过"
    assert message.subject == f"claim:{created['id']}"


def test_staff_see_whether_the_verified_phone_matches_the_listing(client, make, area, census_outlet, claim):
    matching = claim(make.user(), census_outlet.id, phone_code="phone-x-01069041234").get_json()
    other_outlet = make.outlet(LNG + 0.002, LAT + 0.001, phone="13700000000")
    different = claim(make.user(), other_outlet.id, phone_code=phone_code(13911112222)).get_json()
    assert different["phone"] == "139****2222"  # the claimant's own view: masked
    seen = {
        c["id"]: c for c in client.get("/api/v1/staff/claims", headers=make.headers(area.staff)).get_json()["items"]
    }
    assert seen[different["id"]]["phone"] == "13911112222"
    assert seen[different["id"]]["phone_matches_listing"] is False
    assert matching["status"] == "pending"


def test_rejection_needs_a_reason_and_tells_the_merchant(client, make, db, area, census_outlet, claim):
    merchant = make.user()
    claim_id = claim(merchant, census_outlet.id).get_json()["id"]
    missing = staff_post(client, make, area.staff, claim_id, "reject")
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["details"]
    rejected = staff_post(client, make, area.staff, claim_id, "reject", {"reason": "执照名称与网点不符"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    mine = client.get(f"/api/v1/merchant/claims/{claim_id}", headers=make.headers(merchant)).get_json()
    assert mine["status"] == "rejected" and mine["reason"] == "执照名称与网点不符"
    again = staff_post(client, make, area.staff, claim_id, "approve")
    assert again.status_code == 409 and error_code(again) == "claim_not_open"
    db.session.refresh(census_outlet)
    assert census_outlet.owner_user_id is None
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == merchant.id))
    assert message.data["phrase2"]["value"] == "未通过" and message.data["thing3"]["value"] == "执照名称与网点不符"
    assert trail(client, make, area.staff, census_outlet.id)[-1] == ("claim_rejected", claim_id)


def test_claim_on_an_owned_outlet_is_disputed_and_moves_only_when_staff_say_so(
    client, make, db, area, census_outlet, claim
):
    first, second = make.user(), make.user()
    first_id = claim(first, census_outlet.id).get_json()["id"]
    assert staff_post(client, make, area.staff, first_id, "approve").status_code == 200
    disputed = claim(second, census_outlet.id)
    assert disputed.status_code == 201
    assert disputed.get_json()["status"] == "disputed" and disputed.get_json()["dispute"] == "网点已有商户"
    second_id = disputed.get_json()["id"]

    queue = client.get("/api/v1/staff/claims", query_string={"status": "disputed"}, headers=make.headers(area.staff))
    assert [c["id"] for c in queue.get_json()["items"]] == [second_id]
    refused = staff_post(client, make, area.staff, second_id, "approve")
    assert refused.status_code == 409 and error_code(refused) == "outlet_owned"
    moved = staff_post(client, make, area.staff, second_id, "approve", {"transfer": True, "note": "原商户已转让"})
    assert moved.status_code == 200, moved.get_json()
    db.session.refresh(census_outlet)
    assert census_outlet.owner_user_id == second.id
    assert db.session.get(Claim, first_id).status == "superseded"
    lost = client.get(f"/api/v1/merchant/outlets/{census_outlet.id}", headers=make.headers(first))
    assert lost.status_code == 403
    assert ("claim_disputed", second_id) in trail(client, make, area.staff, census_outlet.id)
    assert trail(client, make, area.staff, census_outlet.id)[-2:] == [
        ("claim_superseded", first_id),
        ("claim_approved", second_id),
    ]


def test_two_open_claims_on_one_outlet_are_both_disputed(client, make, db, area, census_outlet, claim):
    first = claim(make.user(), census_outlet.id).get_json()
    second = claim(make.user(), census_outlet.id).get_json()
    assert second["status"] == "disputed" and second["dispute"] == "同一网点另有认领申请"
    assert db.session.get(Claim, first["id"]).status == "disputed"
    detail = client.get(f"/api/v1/staff/claims/{first['id']}", headers=make.headers(area.staff)).get_json()
    assert detail["other_open_claims"] == [second["id"]]
    listed = client.get("/api/v1/staff/claims", query_string={"status": "open"}, headers=make.headers(area.staff))
    assert {c["id"] for c in listed.get_json()["items"]} == {first["id"], second["id"]}
    # Rejecting one leaves an ordinary claim.
    staff_post(client, make, area.staff, second["id"], "reject", {"reason": "无法提供原件"})
    assert db.session.get(Claim, first["id"]).status == "pending"
    # Approving one of two disputes the rest as "owned".
    third = claim(make.user(), census_outlet.id).get_json()
    assert staff_post(client, make, area.staff, first["id"], "approve").status_code == 200
    assert db.session.get(Claim, third["id"]).dispute == "网点已有商户"


def test_withdrawing_one_of_two_claims_leaves_an_ordinary_claim(client, make, db, area, census_outlet, claim):
    first = claim(make.user(), census_outlet.id).get_json()["id"]
    leaving = make.user()
    second = claim(leaving, census_outlet.id).get_json()["id"]
    assert db.session.get(Claim, first).status == "disputed"
    assert client.delete(f"/api/v1/merchant/claims/{second}", headers=make.headers(leaving)).status_code == 200
    assert db.session.get(Claim, first).status == "pending" and db.session.get(Claim, first).dispute is None
    assert trail(client, make, area.staff, census_outlet.id)[-1] == ("claim_undisputed", first)


def test_withdraw(client, make, area, census_outlet, claim):
    merchant = make.user()
    claim_id = claim(merchant, census_outlet.id).get_json()["id"]
    others = client.delete(f"/api/v1/merchant/claims/{claim_id}", headers=make.headers(make.user()))
    assert others.status_code == 404 and error_code(others) == "claim_not_found"
    withdrawn = client.delete(f"/api/v1/merchant/claims/{claim_id}", headers=make.headers(merchant))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    again = client.delete(f"/api/v1/merchant/claims/{claim_id}", headers=make.headers(merchant))
    assert again.status_code == 409 and error_code(again) == "claim_closed"
    assert claim(merchant, census_outlet.id).status_code == 201  # may claim again
    assert trail(client, make, area.staff, census_outlet.id)[1] == ("claim_withdrawn", claim_id)


def test_refusals_leave_nothing_behind(client, make, db, area, census_outlet, claim, post_file):
    merchant = make.user()
    bad_phone = claim(merchant, census_outlet.id, phone_code="invalid")
    assert bad_phone.status_code == 422 and error_code(bad_phone) == "invalid_phone_code"
    unknown = claim(merchant, 2_000_000_000)
    assert unknown.status_code == 404 and error_code(unknown) == "outlet_not_found"
    closed = make.outlet(LNG + 0.002, LAT, status="closed")
    refused = claim(merchant, closed.id)
    assert refused.status_code == 409 and error_code(refused) == "outlet_closed"
    photo = post_file(make.headers(merchant))  # an outlet photo is not a licence
    wrong_file = claim(merchant, census_outlet.id, licence_photo_id=photo)
    assert wrong_file.status_code == 422 and "licence_photo_id" in wrong_file.get_json()["error"]["details"]
    bad_number = claim(merchant, census_outlet.id, licence_no="执照")
    assert bad_number.status_code == 422 and "licence_no" in bad_number.get_json()["error"]["details"]
    assert db.session.scalars(select(Claim)).all() == []

    assert claim(merchant, census_outlet.id).status_code == 201
    twice = claim(merchant, census_outlet.id)
    assert twice.status_code == 409 and error_code(twice) == "claim_exists"
    staff_post(client, make, area.staff, _only_claim(db).id, "approve")
    own = claim(merchant, census_outlet.id)
    assert own.status_code == 409 and error_code(own) == "already_owner"
    anonymous = client.post("/api/v1/merchant/claims", json={})
    assert anonymous.status_code == 401
    resident = client.post("/api/v1/staff/claims/1/approve", json={}, headers=make.headers(merchant))
    assert resident.status_code == 403 and error_code(resident) == "role_forbidden"


def _only_claim(db) -> Claim:
    [only] = db.session.scalars(select(Claim)).all()
    return only


def test_one_approved_claim_per_outlet_is_a_database_rule(make, db, area, census_outlet):
    from sqlalchemy.exc import IntegrityError

    for _ in range(2):
        db.session.add(
            Claim(
                outlet_id=census_outlet.id,
                claimant_user_id=make.user().id,
                status="approved",
                licence_no=LICENCE_NO,
                contact_name="甲",
            )
        )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_applying_for_a_listed_shop_points_to_claiming_it(client, make, area, census_outlet, submit):
    response = submit(make.user(), body())
    assert response.status_code == 409 and error_code(response) == "outlet_already_listed"
    [listed] = response.get_json()["error"]["details"]["outlets"]
    assert listed["id"] == census_outlet.id and listed["name"] == "老街坊便利店" and listed["owned"] is False
    assert listed["distance_m"] < 200
    # A different shop that happens to be near says so and is registered.
    confirmed = submit(make.user(), body(not_listed=True))
    assert confirmed.status_code == 201, confirmed.get_json()


def test_claims_in_the_export_and_closed_on_deletion(client, make, db, area, census_outlet, claim):
    merchant = make.user()
    claim_id = claim(merchant, census_outlet.id, phone_code=phone_code(13922223333)).get_json()["id"]
    exported = client.get("/api/v1/me/export", headers=make.headers(merchant)).get_json()
    [record] = exported["records"]["outlet_claims"]
    assert record["id"] == claim_id and record["phone"] == "13922223333"
    answer = client.post("/api/v1/me/deletion", json={"confirm": True}, headers=make.headers(merchant))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["counts"]["claims_withdrawn"] == 1
    db.session.expire_all()
    closed = db.session.get(Claim, claim_id)
    assert closed.status == "withdrawn" and closed.phone is None and closed.licence_upload_id is None


def test_the_new_owner_manages_a_claimed_stall(client, make, db, area, claim, post_file):
    """A census-listed mobile repair stall, claimed: its owner sets hours per day, photos, prices and the schedule."""
    stall = make.outlet(LNG + 0.001, LAT, name="流动修车摊", types=["repair"], mobile=True)
    merchant = make.user()
    claim_id = claim(merchant, stall.id).get_json()["id"]
    staff_post(client, make, area.staff, claim_id, "approve")
    headers = make.headers(merchant)
    photo = post_file(headers)
    hours = {"mon": [["07:00", "11:00"], ["16:00", "19:00"]], "sat": [["08:00", "18:00"]]}
    changes = {
        "hours": hours,
        "photo_ids": [photo],
        "repair_services": [{"code": "bike_repair", "price_min": 5, "price_max": 20, "unit": "次"}],
        "schedule": [{"location": {"lng": LNG + 0.002, "lat": LAT}, "address": "菜市场北门", "hours": hours}],
        "coord": "wgs84",
    }
    edited = client.patch(f"/api/v1/merchant/outlets/{stall.id}", json=changes, headers=headers)
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["published"] == ["hours", "photo_ids", "repair_services", "schedule"]
    mine = client.get(f"/api/v1/merchant/outlets/{stall.id}", query_string={"coord": "wgs84"}, headers=headers)
    outlet = mine.get_json()
    assert outlet["hours"] == hours and [p["upload_id"] for p in outlet["photos"]] == [photo]
    assert [(p["code"], p["price_min"], p["price_max"]) for p in outlet["price_list"]] == [("bike_repair", 5, 20)]
    [slot] = outlet["schedule"]
    assert slot["address"] == "菜市场北门" and slot["hours"] == hours
    assert ("outlet_updated", None) in trail(client, make, area.staff, stall.id)
