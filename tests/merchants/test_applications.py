"""Self-registration: submit → the circle's staff review (approve, reject, send back) → published outlet."""

import pytest
import requests
from sqlalchemy import func, select

from app.common import geo
from app.merchants.models import Application
from app.uploads.models import Upload
from tests.merchants.conftest import ELSEWHERE, LAT, LNG, body, repair_body
from tests.uploads import files


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_full_flow_publishes_outlet_and_makes_applicant_merchant(client, make, area, submit, post_file, db):
    resident = make.user()
    photo = post_file(make.headers(resident))
    licence = post_file(make.headers(resident), files.pdf(), purpose="certification", filename="licence.pdf")
    data = body(photo_ids=[photo], certification={"licence_upload_id": licence})
    created = submit(resident, data)
    assert created.status_code == 201, created.get_json()
    application = created.get_json()
    assert application["status"] == "pending" and application["kind"] == "new"
    assert application["circle_id"] == area.circle.id and application["outlet_id"] is None
    assert application["location"] == {"lng": pytest.approx(LNG + 0.001), "lat": pytest.approx(LAT + 0.001)}

    mine = client.get("/api/v1/merchant/applications", headers=make.headers(resident)).get_json()
    assert [a["id"] for a in mine["items"]] == [application["id"]]

    queue = client.get("/api/v1/staff/applications", headers=make.headers(area.staff)).get_json()
    assert [a["id"] for a in queue["items"]] == [application["id"]] and queue["total"] == 1
    other_queue = client.get("/api/v1/staff/applications", headers=make.headers(area.other_staff)).get_json()
    assert other_queue["items"] == []
    detail = client.get(f"/api/v1/staff/applications/{application['id']}", headers=make.headers(area.staff))
    assert detail.status_code == 200
    assert detail.get_json()["licence_url"] == f"/api/v1/uploads/{licence}/file"
    assert client.get(detail.get_json()["licence_url"], headers=make.headers(area.staff)).status_code == 200
    assert client.get(detail.get_json()["licence_url"], headers=make.headers(area.other_staff)).status_code == 403

    url = f"/api/v1/staff/applications/{application['id']}/approve"
    assert client.post(url).status_code == 401
    resident_try = client.post(url, headers=make.headers(resident))
    assert resident_try.status_code == 403 and resident_try.get_json()["error"]["code"] == "role_forbidden"
    other_try = client.post(url, headers=make.headers(area.other_staff))
    assert other_try.status_code == 403 and other_try.get_json()["error"]["code"] == "out_of_scope"
    approved = client.post(url, headers=make.headers(area.staff))
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    outlet_id = approved.get_json()["outlet_id"]

    outlet = client.get(f"/api/v1/outlets/{outlet_id}", query_string={"coord": "wgs84"}).get_json()
    assert outlet["name"] == "老街坊便利店" and outlet["types"] == ["convenience_store", "breakfast"]
    assert outlet["circle_id"] == area.circle.id and outlet["online"] is True and outlet["delivery"] is True
    assert outlet["photo_urls"] == [f"/api/v1/uploads/{photo}/file"]
    nearby = client.get(
        "/api/v1/outlets/nearby", query_string={"lng": LNG, "lat": LAT, "coord": "wgs84", "radius": 500}
    ).get_json()
    assert outlet_id in [i["id"] for i in nearby["items"]]
    assert client.get(f"/api/v1/uploads/{photo}/file").status_code == 200  # public now
    assert client.get(f"/api/v1/uploads/{licence}/file").status_code == 401  # still private
    assert "merchant" in client.get("/api/v1/me", headers=make.headers(resident)).get_json()["roles"]
    owned = client.get("/api/v1/merchant/outlets", headers=make.headers(resident)).get_json()["items"]
    assert [o["id"] for o in owned] == [outlet_id] and owned[0]["certification"]["licence_upload_id"] == licence
    again = client.post(url, headers=make.headers(area.staff))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "application_not_pending"


def test_reject_needs_reason_and_applicant_sees_it(client, make, area, submit):
    resident = make.user()
    application_id = submit(resident).get_json()["id"]
    url = f"/api/v1/staff/applications/{application_id}/reject"
    assert client.post(url, json={}, headers=make.headers(area.staff)).status_code == 422
    assert client.post(url, json={"reason": "x"}, headers=make.headers(area.other_staff)).status_code == 403
    assert client.post(url, json={"reason": "x"}, headers=make.headers(resident)).status_code == 403
    rejected = client.post(url, json={"reason": "营业执照号码与名称不符"}, headers=make.headers(area.staff))
    assert rejected.status_code == 200
    seen = client.get(f"/api/v1/merchant/applications/{application_id}", headers=make.headers(resident)).get_json()
    assert seen["status"] == "rejected" and seen["reason"] == "营业执照号码与名称不符"
    stranger = client.get(f"/api/v1/merchant/applications/{application_id}", headers=make.headers(make.user()))
    assert stranger.status_code == 404
    resubmit = client.put(
        f"/api/v1/merchant/applications/{application_id}", json=body(), headers=make.headers(resident)
    )
    assert resubmit.status_code == 409


def test_send_back_then_resubmit_then_admin_approves(client, make, area, submit):
    resident = make.user()
    application_id = submit(resident).get_json()["id"]
    url = f"/api/v1/staff/applications/{application_id}"
    returned = client.post(f"{url}/return", json={"reason": "请补充门头照片"}, headers=make.headers(area.staff))
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    assert client.post(f"{url}/approve", headers=make.headers(area.staff)).status_code == 409
    resubmitted = client.put(
        f"/api/v1/merchant/applications/{application_id}",
        json=body(name="老街坊便利店（鼓楼店）"),
        headers=make.headers(resident),
    )
    assert resubmitted.status_code == 200, resubmitted.get_json()
    assert resubmitted.get_json()["status"] == "pending" and resubmitted.get_json()["name"] == "老街坊便利店（鼓楼店）"
    approved = client.post(f"{url}/approve", json={"note": "已核实"}, headers=make.headers(area.admin))
    assert approved.status_code == 200
    trail = client.get(
        "/api/v1/staff/audit", query_string={"application_id": application_id}, headers=make.headers(area.staff)
    ).get_json()["items"]
    assert [e["action"] for e in trail] == [
        "application_approved",
        "application_resubmitted",
        "application_returned",
        "application_submitted",
    ]
    assert trail[2]["reason"] == "请补充门头照片" and trail[2]["actor_user_id"] == area.staff.id
    assert trail[1]["after"] == {"name": "老街坊便利店（鼓楼店）"}
    assert trail[0]["after"]["name"] == "老街坊便利店（鼓楼店）" and trail[0]["before"] is None


@pytest.mark.parametrize(
    "change,field,code",
    [
        ({"location": None}, "location", "validation_error"),
        ({"location": {"lng": ELSEWHERE[0] + 0.05, "lat": LAT}}, "location", "outside_circles"),
        ({"types": ["convenience_store", "spaceport"]}, "types", "validation_error"),
        ({"types": []}, "types", "validation_error"),
        ({"types": ["repair"], "repair_services": [{"code": "shoe_repair", "price_min": -5}]}, "repair_services", None),
        (
            {"types": ["repair"], "repair_services": [{"code": "shoe_repair", "price_min": 20, "price_max": 10}]},
            None,
            None,
        ),
        ({"types": ["repair"]}, "repair_services", "validation_error"),
        ({"types": ["repair"], "repair_services": [{"code": "moon_repair", "price_min": 1}]}, "repair_services", None),
        ({"certification": {}}, "certification", "validation_error"),
        ({"certification": {"licence_exempt": True}}, "certification", "validation_error"),
        ({"hours": {"mon": [["25:00", "26:00"]]}}, "hours", "validation_error"),
        ({"mobile": True}, "schedule", "validation_error"),
        ({"on_site_service": True}, "service_area", "validation_error"),
        ({"photo_ids": ["8f1c3a52-0c4e-4c39-9a53-6f7f5a0e2b11"]}, "photo_ids", "invalid_uploads"),
        ({"photo_ids": [1]}, "photo_ids", "validation_error"),  # ids are UUIDs, not sequence numbers
        ({"colour": "red"}, "colour", "validation_error"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_saved(make, area, submit, db, change, field, code):
    before = count(db, Application)
    data = body(**change)
    if change.get("location", 0) is None:
        del data["location"]
    response = submit(make.user(), data)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    if code:
        assert error["code"] == code
    if field:
        assert any(key == field or key.startswith(f"{field}.") for key in error["details"]), error
    assert count(db, Application) == before


def test_someone_elses_photo_is_refused_and_not_shared(make, area, submit, post_file, db):
    owner = make.user()
    photo = post_file(make.headers(owner))
    response = submit(make.user(), body(photo_ids=[photo]))
    assert response.status_code == 422 and "photo_ids" in response.get_json()["error"]["details"]
    assert db.session.get(Upload, photo).circle_id is None
    outside = submit(owner, body(photo_ids=[photo], location={"lng": 100.0, "lat": 30.0}))
    assert outside.status_code == 422 and db.session.get(Upload, photo).circle_id is None


def test_gcj02_is_the_default_and_phone_comes_from_wechat(client, make, area, submit, wechat_stub):
    requests.post(f"{wechat_stub}/stub/reset", timeout=5)
    gcj_lng, gcj_lat = geo.wgs84_to_gcj02(LNG + 0.002, LAT)
    data = body(location={"lng": gcj_lng, "lat": gcj_lat}, phone_code="phone-13912345678")
    del data["coord"], data["phone"]
    created = submit(make.user(), data).get_json()
    assert created["location"] == {"lng": pytest.approx(gcj_lng, abs=1e-7), "lat": pytest.approx(gcj_lat, abs=1e-7)}
    assert created["payload"]["phone"] == "13912345678"
    wgs = client.get(
        f"/api/v1/staff/applications/{created['id']}", query_string={"coord": "wgs84"}, headers=make.headers(area.staff)
    ).get_json()
    assert wgs["location"] == {"lng": pytest.approx(LNG + 0.002, abs=1e-6), "lat": pytest.approx(LAT, abs=1e-6)}
    bad = submit(make.user(), body(phone_code="invalid"))
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_phone_code"


def test_staff_see_possible_duplicates_nearby(client, make, area, submit):
    twin = make.outlet(LNG + 0.0015, LAT + 0.001, types=["convenience_store"], name="老街坊便利店")
    same_type = make.outlet(LNG + 0.0005, LAT + 0.001, types=["breakfast"], name="张记早点")
    make.outlet(LNG + 0.0003, LAT + 0.001, types=["pharmacy"], name="仁和大药房")  # different name and type
    make.outlet(LNG + 0.02, LAT + 0.001, types=["convenience_store"], name="老街坊便利店")  # 1.6 km away
    # The applicants say these listed shops are not theirs (else they would claim them: test_claims.py).
    first = submit(make.user(), body(not_listed=True)).get_json()
    second = submit(make.user(), body(name="老街坊便利", not_listed=True)).get_json()
    detail = client.get(f"/api/v1/staff/applications/{second['id']}", headers=make.headers(area.staff)).get_json()
    found = {(d["kind"], d["id"]): d for d in detail["possible_duplicates"]}
    assert set(found) == {("outlet", twin.id), ("outlet", same_type.id), ("application", first["id"])}
    assert found[("outlet", twin.id)]["likely"] is True and found[("outlet", same_type.id)]["likely"] is False
    assert detail["possible_duplicates"][0]["likely"] is True
    assert 30 < found[("outlet", twin.id)]["distance_m"] < 60


def test_repair_merchant_application_with_prices(client, make, area, submit):
    created = submit(make.user(), repair_body())
    assert created.status_code == 201, created.get_json()
    outlet_id = client.post(
        f"/api/v1/staff/applications/{created.get_json()['id']}/approve", headers=make.headers(area.staff)
    ).get_json()["outlet_id"]
    from app.repair.service import price_list_for

    assert price_list_for(outlet_id) == [
        {"code": "key_cutting", "name_zh": "配钥匙", "price_min": 5.0, "price_max": None, "unit": "把", "note": None},
        {"code": "shoe_repair", "name_zh": "修鞋", "price_min": 10.0, "price_max": 30.0, "unit": "次", "note": None},
    ]


def test_queue_filters_and_scope(client, make, area, submit):
    submit(make.user())
    submit(make.user(), body(lng=ELSEWHERE[0], lat=ELSEWHERE[1]))
    admin_queue = client.get("/api/v1/staff/applications", headers=make.headers(area.admin)).get_json()
    assert admin_queue["total"] == 2
    scoped = client.get(
        "/api/v1/staff/applications",
        query_string={"circle_id": area.other_circle.id, "status": "pending"},
        headers=make.headers(area.other_staff),
    ).get_json()
    assert scoped["total"] == 1 and scoped["items"][0]["circle_id"] == area.other_circle.id
    forbidden = client.get(
        "/api/v1/staff/applications", query_string={"circle_id": area.circle.id}, headers=make.headers(area.other_staff)
    )
    assert forbidden.status_code == 403
    assert client.get("/api/v1/staff/applications", headers=make.headers(make.user())).status_code == 403
    assert client.get("/api/v1/staff/applications").status_code == 401
    assert (
        client.get(
            "/api/v1/staff/applications", query_string={"status": "odd"}, headers=make.headers(area.admin)
        ).status_code
        == 422
    )


def test_mobile_stall_and_on_site_service_applications(client, make, area, submit, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from app.common import clock

    monkeypatch.setattr(clock, "now_local", lambda: datetime(2026, 3, 14, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    place = geo.wgs84_to_gcj02(LNG + 0.003, LAT)
    stall = repair_body(
        name="流动修车摊",
        mobile=True,
        coord="gcj02",
        location={"lng": place[0], "lat": place[1]},
        schedule=[
            {
                "location": {"lng": place[0], "lat": place[1]},
                "address": "菜市场北门",
                "hours": {"sat": [["08:00", "11:00"]]},
            }
        ],
        certification={"licence_exempt": True, "exempt_note": "社区备案的便民摊点"},
    )
    on_site = repair_body(
        name="上门家电维修",
        on_site_service=True,
        service_area={"circle_ids": [area.circle.id]},
        repair_services=[{"code": "appliance_repair", "price_min": 50, "price_max": 200}],
    )
    for data in (stall, on_site):
        created = submit(make.user(), data)
        assert created.status_code == 201, created.get_json()
        approved = client.post(
            f"/api/v1/staff/applications/{created.get_json()['id']}/approve", headers=make.headers(area.staff)
        )
        assert approved.status_code == 200
    items = client.get("/api/v1/repair/nearby", query_string={"lng": LNG, "lat": LAT, "coord": "wgs84"}).get_json()[
        "items"
    ]
    by_name = {i["name"]: i for i in items}
    assert by_name["上门家电维修"]["on_site"] is True and by_name["上门家电维修"]["distance_m"] == 0
    stall_item = by_name["流动修车摊"]
    assert stall_item["mobile"] is True and stall_item["present_now"] is True and stall_item["address"] == "菜市场北门"
    assert stall_item["location"]["lng"] == pytest.approx(LNG + 0.003, abs=1e-6)
    both_mobile_and_on_site = submit(
        make.user(), {**stall, "on_site_service": True, "service_area": {"radius_m": 1000}}
    )
    assert both_mobile_and_on_site.status_code == 422
    bad_area = submit(make.user(), {**on_site, "service_area": {"circle_ids": [999999]}})
    assert bad_area.status_code == 422 and "service_area" in bad_area.get_json()["error"]["details"]


def test_decisions_answer_in_the_coordinate_system_asked_for(client, make, area, submit):
    resident = make.user()
    wgs84 = {"lng": pytest.approx(LNG + 0.001), "lat": pytest.approx(LAT + 0.001)}
    gcj02 = geo.from_wgs84(LNG + 0.001, LAT + 0.001, "gcj02")
    first = submit(resident, body()).get_json()
    url = f"/api/v1/staff/applications/{first['id']}/approve"
    approved = client.post(url, query_string={"coord": "wgs84"}, headers=make.headers(area.staff)).get_json()
    assert approved["location"] == wgs84
    status = client.post(
        f"/api/v1/merchant/outlets/{approved['outlet_id']}/status",
        json={"status": "suspended", "reason": "装修"},
        headers=make.headers(resident),
    ).get_json()  # no coord: the mini-program's default, GCJ-02
    assert status["location"] == {"lng": pytest.approx(gcj02[0]), "lat": pytest.approx(gcj02[1])}
    second = submit(make.user(), body(name="街角早点铺")).get_json()
    rejected = client.post(
        f"/api/v1/staff/applications/{second['id']}/reject",
        query_string={"coord": "wgs84"},
        json={"reason": "资料不全"},
        headers=make.headers(area.staff),
    ).get_json()
    assert rejected["location"] == wgs84
