"""The gap list (一单) of a Miyun-standards circle worked out by hand."""

import pytest


@pytest.fixture
def circle(world, make):
    """7000 people: west community 4000 (30% aged 60+), east 3000 (12% aged 80+)."""
    c = world.circle(standards="miyun", population=7000, circle_type="old_town")
    west = c.community(-500, -500, 0, 500, name="西社区", population=4000, share_60_plus=0.30, share_80_plus=0.05)
    east = c.community(0, -500, 500, 500, name="东社区", population=3000, share_60_plus=0.20, share_80_plus=0.12)
    c.outlet("convenience_store", dx=-250, dy=0)  # west only
    c.outlet("wet_market", dx=-200, dy=100)
    c.outlet("fresh_grocery", dx=-200, dy=-100)  # 菜篮子: two in the west, none in the east
    c.outlet("breakfast", dx=-100, dy=0)
    c.need("breakfast", supports=5, text="东边没有早餐")
    c.need("bookstore", supports=2, text="想要书店")
    c.need("florist", status="submitted", supports=9, text="未受理的需求不进一单")
    return c, west, east, make.headers(c.staff)


def lines_of(client, c, headers, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/v1/circles/{c.id}/gaps?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def find(items, what, rule, community=None):
    return next(i for i in items if i["what"] == what and i["rule"] == rule and i["community_name"] == community)


def test_gap_lines_and_reasons(client, circle):
    c, west, east, headers = circle
    body = lines_of(client, c, headers)
    items = body["items"]
    assert body["standards"] == "miyun"
    store = find(items, "convenience_store", "per_community", "东社区")
    assert (store["required"], store["have"], store["missing"], store["six_ones"]) == (1, 0, 1, "一店")
    assert not any(i["what"] == "convenience_store" and i["community_name"] == "西社区" for i in items)
    basket = find(items, "wet_market", "per_community", "东社区")
    assert basket["what_name"] == "菜市场、生鲜超市/菜店" and basket["missing"] == 2
    breakfast = find(items, "breakfast", "per_people")
    # ⌈7000 / 3000⌉ = 3 breakfast points needed, one exists; the accepted need rides on this line.
    assert (breakfast["required"], breakfast["have"], breakfast["missing"]) == (3, 1, 2)
    assert breakfast["needs"] == [{"id": breakfast["needs"][0]["id"], "text": "东边没有早餐", "supports": 5}]
    assert breakfast["support_count"] == 6 and breakfast["priority"] == 1
    elderly = find(items, "elderly_care", "elderly_care", "西社区")
    assert "60 岁以上占比 ≥ 25%" in elderly["why"] and elderly["six_ones"] == "一老"
    day_care = find(items, "elderly_care", "day_care", "东社区")
    assert "80 岁以上占比 > 10%" in day_care["why"] and "300 米" in day_care["why"]
    assert not any(i["rule"] == "elderly_care" and i["community_name"] == "东社区" for i in items)
    bookstore = find(items, "bookstore", "needs")
    assert bookstore["missing"] == 1 and bookstore["support_count"] == 3 and bookstore["six_ones"] is None
    assert not any(i["what"] == "florist" for i in items)
    laundry = find(items, "laundry", "per_circle")
    assert laundry["why"] == "配置标准：每个生活圈不少于 1 个"
    radius = find(items, "convenience_store", "radius")
    assert radius["missing"] >= 1 and "服务半径 300 米未覆盖" in radius["why"]
    quality = find(items, "quality_groups", "quality_groups")
    assert quality["required"] == 3 and quality["have"] == 0
    assert find(items, "group:health", "required_group")["why"].startswith("old_town")
    # 六个一 first, then residents' support: ranks are 1..n in that order.
    assert [i["priority"] for i in items] == list(range(1, len(items) + 1))
    six = [i["six_ones"] is not None for i in items]
    assert six == sorted(six, reverse=True)
    assert bookstore["priority"] == six.count(True) + 1  # the first line after the 六个一, by support


def test_gaps_per_community(client, circle):
    c, west, east, headers = circle
    items = lines_of(client, c, headers, community_id=east.id)["items"]
    assert {i["community_name"] for i in items} == {None, "东社区"}
    body = lines_of(client, c, headers)
    east_entry = next(e for e in body["communities"] if e["community_id"] == east.id)
    assert find(body["items"], "convenience_store", "per_community", "东社区")["priority"] in east_entry["priorities"]
    other = client.get(f"/api/v1/circles/{c.id}/gaps?community_id=999999", headers=headers)
    assert other.status_code == 422 and "community_id" in other.get_json()["error"]["details"]


def test_residents_read_the_public_gap_list(client, circle):
    """我的生活圈 in the mini-program: the same lines in the same order, without the staff's counting inputs."""
    c, west, east, headers = circle
    full = lines_of(client, c, headers)["items"]
    public = client.get(f"/api/v1/circles/{c.id}/gap-summary")  # no token: anyone
    assert public.status_code == 200, public.get_json()
    items = public.get_json()["items"]
    assert [(i["priority"], i["what"], i["community_name"], i["missing"], i["why"]) for i in items] == [
        (i["priority"], i["what"], i["community_name"], i["missing"], i["why"]) for i in full
    ]
    breakfast = next(i for i in items if i["what"] == "breakfast" and i["support_count"])
    assert breakfast["support_count"] == 6 and breakfast["six_ones"] == "一早"  # 1 need + 5 "me too"
    assert all("needs" not in i and "required" not in i and "rule" not in i for i in items)
    assert client.get("/api/v1/circles/999999/gap-summary").status_code == 404
