"""Repair nearby: prices, service filter, mobile stalls where they are now (or next), on-site service areas."""

from datetime import datetime

import pytest
from pyproj import Geod

from app.common import geo
from app.repair.service import price_list_for
from tests.factories import MIYUN
from tests.repair.conftest import SHANGHAI

LNG, LAT = MIYUN
GEOD = Geod(ellps="WGS84")
EAST_1M = 1 / (111_320 * 0.7618)  # degrees of longitude per metre at 40.38° N (approximately)


def east(metres):
    return LNG + metres * EAST_1M


def nearby(client, **params):
    query = {"lng": LNG, "lat": LAT, "coord": "wgs84", "radius": 1000, **params}
    response = client.get("/api/v1/repair/nearby", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_items_show_prices_and_only_repair_points(client, make, repair_point, at):
    shoes = repair_point(east(300), LAT, offers=[("shoe_repair", 10, 30), ("key_cutting", 5, None)], name="老王修鞋")
    phones = repair_point(east(600), LAT, offers=[("phone_repair", 50, 300)])
    tailor = repair_point(east(450), LAT, types=["laundry"], offers=[("tailoring", 15, 40)])  # repairs without the type
    make.outlet(east(100), LAT, types=["convenience_store"])
    make.outlet(east(200), LAT, types=["repair"], status="closed")
    body = nearby(client)
    assert [i["id"] for i in body["items"]] == [shoes.id, tailor.id, phones.id]
    first = body["items"][0]
    assert first["services"] == [
        {"code": "key_cutting", "name_zh": "配钥匙", "price_min": 5.0, "price_max": None, "unit": "次", "note": None},
        {"code": "shoe_repair", "name_zh": "修鞋", "price_min": 10.0, "price_max": 30.0, "unit": "次", "note": None},
    ]
    assert first["mobile"] is False and first["on_site"] is False and first["schedule"] == []
    assert 295 <= first["distance_m"] <= 305 and first["walk_minutes"] == 5
    assert price_list_for(shoes.id) == first["services"]
    only_keys = nearby(client, services="key_cutting,umbrella_repair")
    assert [i["id"] for i in only_keys["items"]] == [shoes.id]
    bad = client.get("/api/v1/repair/nearby", query_string={"lng": LNG, "lat": LAT, "services": "moon_repair"})
    assert bad.status_code == 422 and "services" in bad.get_json()["error"]["details"]
    assert client.get("/api/v1/repair/nearby", query_string={"lng": LNG}).status_code == 422


def test_coordinates_in_and_out_follow_coord(client, repair_point, at):
    point = repair_point(east(300), LAT)
    gcj_lng, gcj_lat = geo.wgs84_to_gcj02(LNG, LAT)
    body = client.get("/api/v1/repair/nearby", query_string={"lng": gcj_lng, "lat": gcj_lat}).get_json()
    [item] = body["items"]
    expected = geo.wgs84_to_gcj02(east(300), LAT)
    assert item["id"] == point.id and body["coord"] == "gcj02"
    assert item["location"] == {
        "lng": pytest.approx(expected[0], abs=1e-7),
        "lat": pytest.approx(expected[1], abs=1e-7),
    }


SCHEDULE = [
    (east(200), LAT, "鼓楼广场东侧", {"sat": [["08:00", "12:00"]]}),
    (east(2500), LAT, "滨河公园门口", {"sun": [["08:00", "12:00"]], "wed": [["18:00", "21:00"]]}),
]


def test_mobile_stall_is_found_where_it_is_now_or_next(client, repair_point, at):
    stall = repair_point(east(5000), LAT, offers=[("knife_sharpening", 5, 10)], schedule=SCHEDULE)  # home 5 km away
    at(datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI))  # Saturday 10:00: at the square
    [item] = nearby(client)["items"]
    assert (
        item["id"] == stall.id and item["mobile"] is True and item["present_now"] is True and item["open_now"] is True
    )
    assert 195 <= item["distance_m"] <= 205 and item["address"] == "鼓楼广场东侧"
    assert [s["address"] for s in item["schedule"]] == ["鼓楼广场东侧", "滨河公园门口"]
    assert [s["present_now"] for s in item["schedule"]] == [True, False]
    assert item["schedule"][0]["hours_text"] == "周一至周五 休息；周六 08:00-12:00；周日 休息"

    at(datetime(2026, 3, 14, 13, 0, tzinfo=SHANGHAI))  # Saturday 13:00: next is Sunday at the park, 2.5 km away
    assert nearby(client)["items"] == []
    [far] = nearby(client, radius=3000)["items"]
    assert far["address"] == "滨河公园门口" and far["present_now"] is False and 2490 <= far["distance_m"] <= 2510

    at(datetime(2026, 3, 13, 20, 0, tzinfo=SHANGHAI))  # Friday 20:00: next is Saturday morning at the square
    [soon] = nearby(client)["items"]
    assert soon["address"] == "鼓楼广场东侧" and soon["present_now"] is False
    assert nearby(client, present_now=1)["items"] == []

    at(datetime(2026, 3, 15, 22, 0, tzinfo=SHANGHAI))  # Sunday 22:00: next is Wednesday evening at the park
    assert nearby(client, radius=3000)["items"][0]["address"] == "滨河公园门口"


def test_present_now_filter_uses_hours_for_fixed_points(client, repair_point, at):
    open_point = repair_point(east(300), LAT, hours={"sat": [["09:00", "18:00"]]})
    repair_point(east(400), LAT, hours={"sat": [["14:00", "18:00"]]})
    assert [i["id"] for i in nearby(client, present_now="true")["items"]] == [open_point.id]


def test_on_site_services_appear_for_residents_inside_their_area(client, make, repair_point, at):
    radius_service = repair_point(
        east(1500), LAT, offers=[("appliance_repair", 50, 200)], on_site_service=True, service_radius_m=2000
    )
    circle = make.circle(center=(east(3000), LAT), half_m=500)
    circle_service = repair_point(
        east(8000), LAT, offers=[("plumbing", 80, None)], on_site_service=True, service_circle_ids=[circle.id]
    )
    fixed = repair_point(east(100), LAT)
    here = nearby(client)["items"]
    assert [i["id"] for i in here] == [radius_service.id, fixed.id]
    assert here[0]["on_site"] is True and here[0]["distance_m"] == 0 and here[0]["walk_minutes"] == 0
    in_circle = nearby(client, lng=east(3000))["items"]
    assert {i["id"] for i in in_circle} == {circle_service.id, radius_service.id}
    far_away = nearby(client, lng=east(4000))["items"]
    assert far_away == []


def test_sort_by_rating_and_paging(client, repair_point, at):
    points = [repair_point(east(100 * (i + 1)), LAT, rating_avg=3 + i * 0.5, rating_count=i + 1) for i in range(4)]
    by_rating = nearby(client, sort="rating")["items"]
    assert [i["id"] for i in by_rating] == [p.id for p in reversed(points)]
    page_one = nearby(client, page_size=3)
    page_two = nearby(client, page_size=3, page=2)
    assert page_one["has_more"] is True and page_two["has_more"] is False
    assert [i["id"] for i in page_one["items"] + page_two["items"]] == [p.id for p in points]


def test_circle_coverage_lists_kinds_and_what_is_missing(client, make, repair_point, at):
    circle = make.circle(center=MIYUN, half_m=600)
    repair_point(east(100), LAT, offers=[("key_cutting", 5, None), ("shoe_repair", 10, 20)])
    repair_point(east(200), LAT, offers=[("key_cutting", 6, None)])
    repair_point(
        east(5000),
        LAT,
        offers=[("watch_repair", 20, None)],
        schedule=[(east(300), LAT, "社区工坊", {"tue": [["09:00", "11:00"]]})],
    )
    repair_point(
        east(9000), LAT, offers=[("appliance_repair", 50, None)], on_site_service=True, service_circle_ids=[circle.id]
    )
    repair_point(east(5000), LAT, offers=[("phone_repair", 50, None)])  # outside the circle
    body = client.get("/api/v1/repair/services", query_string={"circle_id": circle.id}).get_json()
    counts = {i["code"]: i for i in body["items"]}
    assert counts["key_cutting"]["points"] == 2 and counts["key_cutting"]["fixed"] == 2
    assert counts["watch_repair"]["mobile"] == 1 and counts["appliance_repair"]["on_site"] == 1
    assert counts["phone_repair"]["points"] == 0
    assert body["repair_points"] == 4 and body["kinds_offered"] == 4 and body["meets_target"] is False
    assert (
        body["target_kinds"] == 8
        and "phone_repair" in body["kinds_missing"]
        and "key_cutting" not in body["kinds_missing"]
    )
    assert client.get("/api/v1/repair/services", query_string={"circle_id": 999999}).status_code == 404
    assert client.get("/api/v1/repair/services").status_code == 422
