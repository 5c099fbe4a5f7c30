"""Submitting a need: placement, kinds, content safety, photos, roles, bad input."""

import pytest
from sqlalchemy import func, select

from app.common import geo
from app.demands.models import Demand, DemandEvent
from app.uploads.models import Upload
from tests.demands.world import OUTSIDE, demand_body, offset, submit
from tests.factories import MIYUN
from tests.transactions import commit


def count(db):
    return db.session.scalar(select(func.count()).select_from(Demand))


def test_missing_type_is_placed_in_its_circle_and_community(client, world, db):
    body = submit(client, world.h.resident, address="鼓楼东大街 1 号")
    assert body["circle_id"] == world.circle.id and body["community_id"] == world.community.id
    assert (body["kind"], body["business_type"], body["business_type_name"]) == ("missing_type", "breakfast", "早餐店")
    assert (body["status"], body["priority"], body["moderation"], body["support_count"]) == (
        "submitted",
        "normal",
        "visible",
        0,
    )
    assert body["location"] == {"lat": MIYUN[1], "lng": MIYUN[0]}
    assert body["address"] == "鼓楼东大街 1 号"
    assert [e["action"] for e in body["timeline"]] == ["submitted"]
    assert body["timeline"][0]["by"] == "居民" and "actor_id" not in body["timeline"][0]
    stored = db.session.get(Demand, body["id"])
    assert stored.user_id == world.resident.id and stored.source == "app"


def test_gcj02_location_is_converted_at_the_edge(client, world, db):
    gcj_lng, gcj_lat = geo.from_wgs84(*MIYUN, "gcj02")
    body = submit(client, world.h.resident, location={"lat": gcj_lat, "lng": gcj_lng}, coord="gcj02")
    detail = client.get(f"/api/v1/demands/{body['id']}?coord=wgs84").get_json()
    assert detail["location"]["lng"] == pytest.approx(MIYUN[0], abs=2e-6)
    assert detail["location"]["lat"] == pytest.approx(MIYUN[1], abs=2e-6)
    assert body["location"]["lng"] == pytest.approx(gcj_lng, abs=2e-6)


def test_service_quality_names_an_outlet(client, world, make, db):
    outlet = make.outlet(*MIYUN, name="好邻居便利店")
    commit()
    body = submit(client, world.h.resident, kind="service_quality", business_type=None, outlet_id=outlet.id)
    assert body["outlet"] == {"id": outlet.id, "name": "好邻居便利店"} and body["business_type"] is None


def test_outside_every_circle_is_a_clear_422(client, world, db):
    response = client.post("/api/v1/demands", json=demand_body(at=OUTSIDE), headers=world.h.resident)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "outside_circles" and "location" in error["details"]
    assert count(db) == 0


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"business_type": None}, "business_type"),
        ({"business_type": "no_such_type"}, "business_type"),
        ({"kind": "other", "business_type": None, "outlet_id": 1}, "outlet_id"),
        ({"kind": "service_quality", "business_type": None, "outlet_id": 999999}, "outlet_id"),
        ({"kind": "wishes"}, "kind"),
        ({"text": "   "}, "text"),
        ({"text": "长" * 501}, "text"),
        ({"location": {"lat": 95, "lng": 116.8}}, "location"),
        ({"location": ...}, "location"),
        ({"photo_ids": list(range(1, 12))}, "photo_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_with_the_field(client, world, db, overrides, field):
    response = client.post("/api/v1/demands", json=demand_body(**overrides), headers=world.h.resident)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] in ("validation_error", "invalid_uploads") and field in error["details"]
    assert count(db) == 0


def test_unparseable_and_form_bodies(client, world):
    broken = client.post("/api/v1/demands", data="{", content_type="application/json", headers=world.h.resident)
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "invalid_json"
    form = client.post("/api/v1/demands", data={"kind": "other"}, headers=world.h.resident)
    assert form.status_code == 415


def test_risky_text_is_refused_with_a_chinese_message(client, world, db):
    response = client.post("/api/v1/demands", json=demand_body(text="这里有人赌博"), headers=world.h.resident)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "content_rejected" and "违规" in error["message"] and "text" in error["details"]
    assert count(db) == 0


def test_text_under_review_is_saved_but_held(client, world, db):
    body = submit(client, world.h.resident, text="早餐店请加微信联系")
    assert body["moderation"] == "held" and body["moderation_name"] == "内容审核中"
    assert client.get(f"/api/v1/demands/{body['id']}").status_code == 404
    public = client.get(f"/api/v1/circles/{world.circle.id}/demands").get_json()
    assert public["items"] == [] and public["total"] == 0
    queue = client.get("/api/v1/staff/demands?moderation=held", headers=world.h.staff).get_json()
    assert [d["id"] for d in queue["items"]] == [body["id"]]
    assert queue["items"][0]["timeline"][-1]["action"] == "held"
    assert queue["items"][0]["timeline"][-1]["note"] == "review:10001"


def test_wechat_down_holds_instead_of_failing(client, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    body = submit(client, world.h.resident)
    stored = db.session.get(Demand, body["id"])
    assert (stored.moderation, stored.moderation_label) == ("held", "check_unavailable")


def test_text_is_checked_once_per_submission(client, world, stub):
    import requests

    submit(client, world.h.resident)
    calls = requests.get(f"{stub}/stub/calls", timeout=5).json()["counts"]
    assert calls["/wxa/msg_sec_check"] == 1


@pytest.mark.parametrize("who,status", [(None, 401), ("merchant", 403), ("staff", 403), ("admin", 403)])
def test_only_residents_submit(client, world, db, who, status):
    headers = getattr(world.h, who) if who else {}
    response = client.post("/api/v1/demands", json=demand_body(), headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] in ("unauthorized", "role_forbidden")
    assert count(db) == 0


def _upload(db, owner, media_check, purpose="demand_photo"):
    upload = Upload(
        owner_user_id=owner.id,
        kind="image",
        purpose=purpose,
        content_type="image/jpeg",
        size=100,
        storage_key=f"aa/bb/{owner.id}-{media_check}-{purpose}.jpg",
        thumb_key=f"thumbs/aa/bb/{owner.id}-{media_check}.jpg",
        sha256="0" * 64,
        media_check=media_check,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def test_photos_show_publicly_only_once_checked(client, world, db):
    passed, pending = _upload(db, world.resident, "pass"), _upload(db, world.resident, "pending")
    commit()
    body = submit(client, world.h.resident, photo_ids=[passed.id, pending.id])
    assert [(p["id"], p["media_check"]) for p in body["photos"]] == [(passed.id, "pass"), (pending.id, "pending")]
    public = client.get(f"/api/v1/demands/{body['id']}").get_json()
    assert [p["id"] for p in public["photos"]] == [passed.id]
    assert public["photos"][0]["url"].endswith(f"/api/v1/uploads/{passed.id}/file")
    assert db.session.get(Upload, passed.id).circle_id == world.circle.id
    assert db.session.get(Demand, body["id"]).photo_ids == [passed.id, pending.id]


def test_someone_elses_or_wrong_purpose_photo_is_refused(client, world, db):
    theirs = _upload(db, world.neighbour, "pass")
    wrong = _upload(db, world.resident, "pass", purpose="certification")
    commit()
    for photo in (theirs, wrong):
        response = client.post("/api/v1/demands", json=demand_body(photo_ids=[photo.id]), headers=world.h.resident)
        assert response.status_code == 422 and "photo_ids" in response.get_json()["error"]["details"]
    assert count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(DemandEvent)) == 0


def test_public_view_never_names_the_submitter(client, world):
    body = submit(client, world.h.resident)
    text = client.get(f"/api/v1/demands/{body['id']}").get_data(as_text=True)
    listing = client.get(f"/api/v1/circles/{world.circle.id}/demands").get_data(as_text=True)
    for page in (text, listing):
        assert "stub-openid-resident-a" not in page and "submitter" not in page and "user_id" not in page
        assert "actor_id" not in page


def test_point_on_the_edge_of_the_community_is_still_in_the_circle(client, world):
    lng, lat = offset(*MIYUN, east_m=600)  # inside the circle (800 m), outside the community (400 m)
    body = submit(client, world.h.resident, at=(lng, lat))
    assert body["circle_id"] == world.circle.id and body["community_id"] is None


@pytest.mark.parametrize("variant", ["missing", "outlet", "held_with_photos", "existing_reason"])
def test_the_answer_is_the_need_as_stored(client, world, make, db, variant):
    """The submission is answered from what its one statement wrote (app/demands/filing.py), not read back: the
    answer must equal the submitter's own view of the need read afterwards, every field of it (that view is
    marshmallow's dump of DemandOwnSchema; the answer is its fast-path projection, app/common/fastjson.py)."""
    overrides = {"address": "鼓楼东大街 1 号"}
    if variant == "outlet":
        outlet = make.outlet(*MIYUN, name="好邻居便利店")
        commit()
        overrides |= {"kind": "service_quality", "business_type": None, "outlet_id": outlet.id}
    elif variant == "held_with_photos":
        passed, pending = _upload(db, world.resident, "pass"), _upload(db, world.resident, "pending")
        commit()
        overrides |= {"text": "早餐店请加微信联系", "photo_ids": [pending.id, passed.id]}
    elif variant == "existing_reason":
        make.outlet(*offset(*MIYUN, 80), name="好邻居早餐", types=["breakfast"])
        commit()
        overrides |= {"existing_reason": "too_expensive"}
    body = submit(client, world.h.resident, **overrides)
    mine = client.get("/api/v1/me/demands?coord=wgs84", headers=world.h.resident).get_json()["items"]
    assert [item["id"] for item in mine] == [body["id"]]
    assert body == mine[0]
    stored = db.session.get(Demand, body["id"])
    events = db.session.scalars(select(DemandEvent).where(DemandEvent.demand_id == stored.id).order_by(DemandEvent.id))
    expected = [("submitted", True)] + ([("held", False)] if variant == "held_with_photos" else [])
    assert [(e.action, e.public) for e in events] == expected
    assert (stored.status, stored.priority, stored.support_count, stored.source) == ("submitted", "normal", 0, "app")
    if variant == "existing_reason":
        assert stored.existing_reason == "too_expensive" and len(stored.existing_outlet_ids) == 1
    else:
        assert stored.existing_reason is None and stored.existing_outlet_ids == []


@pytest.mark.parametrize("with_photo", [False, True])
def test_a_keyed_submission_binds_its_key_to_the_need(client, world, db, redis, with_photo):
    """The key is bound in the need's own statement, or (photos claimed first: their flush bound it) pointed at
    the need afterwards; either way a retry replays the first answer and the binding names the need."""
    from app.common.models import IdempotencyRecord

    overrides = {}
    if with_photo:
        overrides["photo_ids"] = [_upload(db, world.resident, "pass").id]
        commit()
    headers = {**world.h.resident, "Idempotency-Key": f"bind-{with_photo}"}
    first = client.post("/api/v1/demands", json=demand_body(**overrides), headers=headers)
    assert first.status_code == 201, first.get_json()
    records = db.session.scalars(select(IdempotencyRecord)).all()
    assert [(r.resource_id, r.status) for r in records] == [(first.get_json()["id"], 201)]
    redis.flushdb()  # the fast path forgot it: PostgreSQL's binding answers
    again = client.post("/api/v1/demands", json=demand_body(**overrides), headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert count(db) == 1
