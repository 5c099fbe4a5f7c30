"""Nearby search behaviour residents rely on: filters, sorting, paging, coordinates, bad input."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.common import geo
from tests.factories import MIYUN

URL = "/api/v1/outlets/nearby"
LNG, LAT = MIYUN


def east(metres):
    """A point `metres` east of the Miyun centre (WGS-84)."""
    return LNG + metres / 84_900, LAT  # ~84.9 km per degree of longitude at 40.4°N


def nearby(client, **params):
    params = {"lat": LAT, "lng": LNG, "coord": "wgs84", **params}
    return client.get(URL, query_string=params)


def ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_sorted_by_distance_with_walk_minutes_and_contract_fields(client, make):
    far = make.outlet(*east(780), name="远处便利店")
    near = make.outlet(*east(100), name="近处便利店", phone="010-1234", chain=True, brand="好邻居")
    body = nearby(client).get_json()
    assert [i["id"] for i in body["items"]] == [near.id, far.id]
    item = body["items"][0]
    assert {
        "id",
        "name",
        "types",
        "location",
        "address",
        "distance_m",
        "walk_minutes",
        "open_now",
        "hours_text",
        "phone",
        "rating",
        "photo_urls",
        "chain",
        "online",
        "delivery",
        "open_24h",
        "synthetic",
    } <= set(item)
    assert 95 <= item["distance_m"] <= 105 and isinstance(item["distance_m"], int)
    assert item["walk_minutes"] == 2  # 100 m × 1.2 detour ÷ 80 m/min, rounded up
    assert body["items"][1]["walk_minutes"] == 12
    assert item["rating"] == {"avg": None, "count": 0}
    assert body["page"] == 1 and body["page_size"] == 20 and body["has_more"] is False and body["radius"] == 1000


def test_only_approved_open_outlets_within_radius(client, make):
    visible = make.outlet(*east(200))
    make.outlet(*east(300), status="pending")
    make.outlet(*east(300), status="closed")
    make.outlet(*east(300), status="suspended")
    make.outlet(*east(1200))
    assert ids(nearby(client)) == [visible.id]


def test_type_filter_and_one_outlet_many_types(client, make):
    both = make.outlet(*east(100), types=["convenience_store", "breakfast"])
    pharmacy = make.outlet(*east(200), types=["pharmacy"])
    breakfast = make.outlet(*east(300), types=["breakfast"])
    assert ids(nearby(client, types="breakfast")) == [both.id, breakfast.id]
    assert ids(nearby(client, types="breakfast,pharmacy")) == [both.id, pharmacy.id, breakfast.id]


def test_keyword_chinese_substring_address_and_pinyin_initials(client, make):
    a = make.outlet(*east(100), name="好邻居便利店", address="鼓楼东大街1号")
    b = make.outlet(*east(200), name="老北京早餐", address="檀城西区")
    assert ids(nearby(client, q="邻居")) == [a.id]
    assert ids(nearby(client, q="檀城")) == [b.id]
    assert ids(nearby(client, q="hlj")) == [a.id]
    assert ids(nearby(client, q="早餐")) == [b.id]


@pytest.mark.parametrize("q", ["'; DROP TABLE outlets; --", "%", "_", "\\", "' OR 1=1 --"])
def test_sqlish_keywords_are_plain_text(client, make, q):
    make.outlet(*east(100), name="普通网点")
    response = nearby(client, q=q)
    assert response.status_code == 200
    assert response.get_json()["items"] == []


def test_open_now_uses_shanghai_time(client, make, monkeypatch):
    # Wednesday 2026-11-25 21:30 in Shanghai (13:30 UTC)
    moment = datetime(2026, 11, 25, 21, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr("app.common.clock.now_local", lambda: moment)
    day = make.outlet(*east(100), hours={d: [["07:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    night = make.outlet(*east(200), hours={"wed": [["18:00", "02:00"]]})
    always = make.outlet(*east(300), open_24h=True)
    assert ids(nearby(client, open_now=1)) == [night.id, always.id]
    items = nearby(client).get_json()["items"]
    assert [i["open_now"] for i in items] == [False, True, True]
    assert items[0]["hours_text"] == "周一至周五 07:00-20:00；周六、周日 休息"
    assert items[2]["hours_text"] == "24小时营业"
    assert day.id == items[0]["id"]


def test_overnight_hours_reach_into_next_morning(client, make, monkeypatch):
    moment = datetime(2026, 11, 26, 1, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # Thursday 01:30
    monkeypatch.setattr("app.common.clock.now_local", lambda: moment)
    night = make.outlet(*east(200), hours={"wed": [["18:00", "02:00"]]})
    assert ids(nearby(client, open_now="true")) == [night.id]


def test_closed_on_public_holidays(client, make, monkeypatch):
    moment = datetime(2026, 10, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 国庆节, a Friday
    monkeypatch.setattr("app.common.clock.now_local", lambda: moment)
    every_day = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    make.outlet(*east(100), hours=every_day, closed_on_holidays=True)
    open_on_holiday = make.outlet(*east(200), hours=every_day)
    assert ids(nearby(client, open_now=1)) == [open_on_holiday.id]


def test_sort_by_rating(client, make):
    unrated = make.outlet(*east(50))
    good = make.outlet(*east(500), rating_avg=4.8, rating_count=12)
    ok = make.outlet(*east(100), rating_avg=3.9, rating_count=40)
    assert ids(nearby(client, sort="rating")) == [good.id, ok.id, unrated.id]


def test_paging(client, make):
    created = [make.outlet(*east(10 * (i + 1))).id for i in range(7)]
    first = nearby(client, page_size=3).get_json()
    second = nearby(client, page_size=3, page=2).get_json()
    third = nearby(client, page_size=3, page=3).get_json()
    assert [i["id"] for i in first["items"] + second["items"] + third["items"]] == created
    assert (first["has_more"], second["has_more"], third["has_more"]) == (True, True, False)


def test_auto_extend_widens_until_a_page_is_full(client, make):
    make.outlet(*east(500))
    for i in range(3):
        make.outlet(*east(1500 + i))
    body = nearby(client, auto_extend=1, page_size=3).get_json()
    assert body["radius"] == 2000 and len(body["items"]) == 3
    body = nearby(client, auto_extend=1, page_size=10).get_json()
    assert body["radius"] == 3000 and len(body["items"]) == 4
    body = nearby(client, page_size=3).get_json()
    assert body["radius"] == 1000 and len(body["items"]) == 1


def test_gcj02_in_and_out(client, make):
    outlet = make.outlet(*east(100))
    wgs = (outlet_lng := east(100)[0], LAT)
    gcj_lng, gcj_lat = geo.wgs84_to_gcj02(*wgs)
    centre_gcj = geo.wgs84_to_gcj02(LNG, LAT)
    body = client.get(URL, query_string={"lat": centre_gcj[1], "lng": centre_gcj[0]}).get_json()
    item = body["items"][0]
    assert item["id"] == outlet.id and body["coord"] == "gcj02"
    assert item["location"]["lng"] == pytest.approx(gcj_lng, abs=1e-6)
    assert item["location"]["lat"] == pytest.approx(gcj_lat, abs=1e-6)
    assert 95 <= item["distance_m"] <= 105
    wgs_body = nearby(client).get_json()
    assert wgs_body["items"][0]["location"]["lng"] == pytest.approx(outlet_lng, abs=1e-6)


@pytest.mark.parametrize(
    "params,field",
    [
        ({"lat": None}, "lat"),
        ({"lat": "abc"}, "lat"),
        ({"lat": 91}, "lat"),
        ({"lng": "NaN"}, "lng"),
        ({"radius": 0}, "radius"),
        ({"radius": 10**9}, "radius"),
        ({"types": "spaceship"}, "types"),
        ({"page_size": 1000}, "page_size"),
        ({"page": 0}, "page"),
        ({"sort": "price"}, "sort"),
        ({"coord": "bd09"}, "coord"),
        ({"open_now": "maybe"}, "open_now"),
        ({"unknown": "x"}, "unknown"),
    ],
)
def test_bad_input_gets_the_error_envelope(client, params, field):
    query = {"lat": LAT, "lng": LNG, **params}
    query = {k: v for k, v in query.items() if v is not None}
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]
    assert error["message"] == "请求参数有误"


def test_detail_and_not_found(client, make):
    outlet = make.outlet(
        *east(100),
        hours={"mon": [["08:00", "18:00"]]},
        services=["parcel_collect", "bill_payment"],
        delivery=True,
        avg_spend=25,
    )
    body = client.get(
        f"/api/v1/outlets/{outlet.id}", query_string={"lat": LAT, "lng": LNG, "coord": "wgs84"}
    ).get_json()
    assert body["id"] == outlet.id
    assert body["hours"] == {"mon": [["08:00", "18:00"]]}
    assert body["services"]["add_on"] == ["parcel_collect", "bill_payment"] and body["services"]["delivery"] is True
    assert body["avg_spend"] == 25.0
    assert 95 <= body["distance_m"] <= 105
    assert body["price_list"] == [] and body["recent_ratings"] == []
    pending = make.outlet(*east(100), status="pending")
    for missing in (pending.id, 999999):
        response = client.get(f"/api/v1/outlets/{missing}")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "outlet_not_found"
