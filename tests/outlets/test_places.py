"""Places as residents look for them: mobile stalls in every search with their schedule as hours, keywords that
mean services and everyday words, walking minutes, elderly-friendly / delivery / 24-hour filters, sorts."""

from datetime import datetime

from app.common import geo
from app.repair import service as repair
from tests.factories import MIYUN, error_code
from tests.repair.conftest import SHANGHAI

LNG, LAT = MIYUN
URL = "/api/v1/outlets/nearby"


def east(metres):
    return LNG + metres / 84_900


def nearby(client, url=URL, **params):
    response = client.get(url, query_string={"lat": LAT, "lng": LNG, "coord": "wgs84", **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(body):
    return [item["id"] for item in body["items"]]


SCHEDULE = [
    (east(200), LAT, "鼓楼广场东侧", {"sat": [["08:00", "12:00"]]}),
    (east(2500), LAT, "滨河公园门口", {"sun": [["08:00", "12:00"]]}),
]


def test_a_stall_is_found_in_general_search_where_it_is_with_its_schedule_as_hours(client, make, repair_point, at):
    stall = repair_point(
        east(5000), LAT, offers=[("knife_sharpening", 5, 10)], schedule=SCHEDULE, name="张师傅磨刀配钥匙"
    )  # registered 5 km away: only its schedule places it
    shop = make.outlet(east(400), LAT, name="好邻居便利店", hours={"sat": [["07:00", "22:00"]]})
    at(datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI))  # Saturday 10:00: at the square
    body = nearby(client)
    assert ids(body) == [stall.id, shop.id]
    item = body["items"][0]
    assert item["mobile"] is True and item["open_now"] is True and item["address"] == "鼓楼广场东侧"
    assert 195 <= item["distance_m"] <= 205
    assert (
        item["hours_text"]
        == "鼓楼广场东侧：周一至周五 休息；周六 08:00-12:00；周日 休息；滨河公园门口：周一至周六 休息；周日 08:00-12:00"
    )
    # Wherever a resident would look: by name, by what it does, by its type, open now, by rating.
    assert ids(nearby(client, q="张师傅")) == [stall.id]
    assert ids(nearby(client, q="磨刀")) == [stall.id]
    assert ids(nearby(client, types="repair")) == [stall.id]
    assert ids(nearby(client, open_now=1)) == [stall.id, shop.id]
    assert set(ids(nearby(client, sort="rating"))) == {stall.id, shop.id}

    at(datetime(2026, 3, 14, 13, 0, tzinfo=SHANGHAI))  # packed up; next: Sunday morning at the park, 2.5 km
    assert ids(nearby(client)) == [shop.id]
    far = nearby(client, radius=3000)["items"]
    assert [i["id"] for i in far] == [shop.id, stall.id]
    assert far[1]["address"] == "滨河公园门口" and far[1]["open_now"] is False
    assert ids(nearby(client, radius=3000, open_now=1)) == [shop.id]


def test_a_stall_page_shows_the_schedule_as_hours_open_now_and_every_point_in_coord(client, repair_point, at):
    stall = repair_point(east(5000), LAT, schedule=SCHEDULE, name="李师傅流动修鞋摊")
    at(datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI))
    page = client.get(f"/api/v1/outlets/{stall.id}", query_string={"lat": LAT, "lng": LNG, "coord": "wgs84"})
    body = page.get_json()
    assert (
        body["open_now"] is True and body["hours_text"] != "营业时间未登记" and "周六 08:00-12:00" in body["hours_text"]
    )
    assert body["address"] == "鼓楼广场东侧" and 195 <= body["distance_m"] <= 205
    assert body["location"] == {"lat": LAT, "lng": round(east(200), 7)}
    assert [s["present_now"] for s in body["schedule"]] == [True, False]
    assert all(set(s) == {"id", "address", "hours", "hours_text", "present_now", "location"} for s in body["schedule"])
    gcj = client.get(f"/api/v1/outlets/{stall.id}").get_json()
    expected = geo.wgs84_to_gcj02(east(2500), LAT)
    assert gcj["schedule"][1]["location"] == {"lat": round(expected[1], 7), "lng": round(expected[0], 7)}
    at(datetime(2026, 3, 14, 13, 0, tzinfo=SHANGHAI))
    later = client.get(f"/api/v1/outlets/{stall.id}", query_string={"coord": "wgs84"}).get_json()
    assert later["open_now"] is False and later["address"] == "滨河公园门口"


def test_keywords_match_service_items_and_everyday_words(client, make, repair_point, at):
    keys = repair_point(east(300), LAT, types=["hardware_store"], name="永兴五金", offers=[("key_cutting", 5, None)])
    named = make.outlet(east(600), LAT, types=["hardware_store"], name="老李配钥匙")
    breakfast = make.outlet(east(100), LAT, types=["breakfast"], name="庆丰包子铺")
    market = make.outlet(east(200), LAT, types=["wet_market"], name="鼓楼农贸中心")
    pharmacy = make.outlet(east(250), LAT, types=["pharmacy"], name="同仁堂")
    tailor = repair_point(east(350), LAT, types=["laundry"], name="干净洗衣", offers=[("tailoring", 10, 30)])
    store = make.outlet(east(150), LAT, types=["convenience_store"], name="便民小店", services=["parcel_collect"])
    assert ids(nearby(client, q="配钥匙")) == [keys.id, named.id]
    assert ids(nearby(client, q="配钥匙", sort="relevance")) == [named.id, keys.id]  # the name says it: first
    assert ids(nearby(client, q="钥匙")) == [keys.id, named.id]
    assert ids(nearby(client, q="早点")) == [breakfast.id]
    assert ids(nearby(client, q="菜场")) == [market.id]
    assert ids(nearby(client, q="药房")) == [pharmacy.id]
    assert ids(nearby(client, q="改衣服")) == [tailor.id]
    assert ids(nearby(client, q="取快递")) == [store.id]
    assert ids(nearby(client, q="超市")) == [store.id]
    assert ids(nearby(client, q="keys")) == [keys.id, named.id]


def test_repair_services_filter_takes_words_and_names_unknown_ones(client, repair_point, at):
    keys = repair_point(east(300), LAT, offers=[("key_cutting", 5, None)])
    shoes = repair_point(east(400), LAT, offers=[("shoe_repair", 10, None)])
    for words in ("key_cutting", "keys", "配钥匙"):
        assert ids(nearby(client, "/api/v1/repair/nearby", services=words)) == [keys.id]
    assert ids(nearby(client, "/api/v1/repair/nearby", services="配钥匙,修鞋")) == [keys.id, shoes.id]
    bad = client.get("/api/v1/repair/nearby", query_string={"lat": LAT, "lng": LNG, "services": "修鞋,摘星星"})
    assert bad.status_code == 422 and "摘星星" in bad.get_json()["error"]["details"]["services"][0]


def test_walk_minutes_instead_of_radius(client, make):
    near = make.outlet(east(900), LAT)
    make.outlet(east(1100), LAT)
    body = nearby(client, walk_minutes=15)  # 15 × 80 m/min ÷ 1.2 detour = 1000 m
    assert body["radius"] == 1000 and ids(body) == [near.id]
    assert nearby(client, "/api/v1/repair/nearby", walk_minutes=5)["radius"] == 333
    for params in ({"walk_minutes": 46}, {"walk_minutes": 0}, {"walk_minutes": 10, "radius": 500}):
        response = client.get(URL, query_string={"lat": LAT, "lng": LNG, **params})
        assert response.status_code == 422 and "walk_minutes" in response.get_json()["error"]["details"]
        assert error_code(response) == "validation_error"


def test_elderly_friendly_delivery_and_24h_filters(client, make):
    cash_in_person = make.outlet(east(100), LAT, accepts_cash=True)
    marked = make.outlet(east(200), LAT, accepts_cash=False, elderly_friendly=True)
    make.outlet(east(300), LAT, accepts_cash=False)
    make.outlet(east(400), LAT, types=["vending_machine"], accepts_cash=True)
    make.outlet(east(500), LAT, accepts_cash=True, face_to_face=False)
    delivers = make.outlet(east(600), LAT, accepts_cash=False, delivery=True, open_24h=True)
    assert ids(nearby(client, elderly_friendly=1)) == [cash_in_person.id, marked.id]
    assert ids(nearby(client, delivery=1)) == [delivers.id]
    assert ids(nearby(client, open_24h="true")) == [delivers.id]
    assert ids(nearby(client, elderly_friendly=1, delivery=1)) == []
    assert nearby(client, q="x")["items"] == []  # a keyword that means nothing matches nothing


def test_stall_schedules_are_shared_with_the_repair_map(client, repair_point, at):
    stall = repair_point(east(5000), LAT, schedule=SCHEDULE)
    [on_map] = nearby(client, "/api/v1/repair/nearby")["items"]
    [in_search] = nearby(client)["items"]
    assert on_map["id"] == in_search["id"] == stall.id
    assert on_map["hours_text"] == in_search["hours_text"] and on_map["open_now"] == in_search["open_now"] is True
    assert on_map["location"] == in_search["location"] and on_map["address"] == in_search["address"]
    assert repair.schedule_for(stall.id)[0]["present_now"] is True
