"""Blind spots against areas worked out by hand: a 1 km square circle and 300 m walking radii."""

import math

import pytest

from app.common import geo
from app.repair import service as repair

HALF_DISK = math.pi * 300**2 / 2 * 0.99839  # a 300 m buffer drawn as a 64-gon (quad_segs=16), cut in half


def features(client, c, headers, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/v1/circles/{c.id}/blind-spots?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {f["properties"]["type"]: f for f in response.get_json()["features"]}


@pytest.fixture
def miyun(world, make):
    """Miyun standards (convenience stores within 300 m); west half 600 people, east half 400."""
    c = world.circle(standards="miyun", population=1000)
    c.community(-500, -500, 0, 500, name="西社区", population=600)
    c.community(0, -500, 500, 500, name="东社区", population=400)
    return c, make.headers(c.staff)


def test_store_on_the_west_edge_covers_a_half_disk(client, miyun):
    c, headers = miyun
    c.outlet("convenience_store", dx=-500, dy=0)
    store = features(client, c, headers, types="convenience_store", coord="wgs84")["convenience_store"]
    p = store["properties"]
    circle_area = p["circle_area_m2"]
    assert circle_area == pytest.approx(1_000_000, rel=0.005)
    assert p["radius_m"] == 300 and p["outlets_considered"] == 1 and p["parts"] == 1
    assert p["area_m2"] == pytest.approx(circle_area - HALF_DISK, rel=0.002)
    assert p["area_share"] == pytest.approx(1 - HALF_DISK / circle_area, abs=0.002)
    # People: the half disk lies in the west community, so 600 × (1 − covered share of it) + all 400.
    west_uncovered = 600 * (1 - HALF_DISK / (circle_area / 2))
    assert p["people_uncovered"] == pytest.approx(west_uncovered + 400, abs=2)
    assert p["people_share_uncovered"] == pytest.approx((west_uncovered + 400) / 1000, abs=0.002)
    assert p["covered_people_share"] == pytest.approx(1 - p["people_share_uncovered"], abs=1e-4)
    assert p["people_basis"] == "communities" and store["geometry"]["type"] == "MultiPolygon"


def test_missing_type_leaves_the_whole_circle_blind_and_centre_covers_all(client, miyun):
    c, headers = miyun
    c.outlet("laundry", dx=0, dy=0)  # 1000 m radius > 707 m half-diagonal
    found = features(client, c, headers, types="pharmacy,laundry")
    assert set(found) == {"pharmacy", "laundry"}
    pharmacy, laundry = found["pharmacy"]["properties"], found["laundry"]["properties"]
    assert pharmacy["area_share"] == 1 and pharmacy["people_share_uncovered"] == 1 and pharmacy["parts"] == 1
    assert laundry["area_m2"] < 1 and laundry["parts"] == 0 and laundry["covered_people_share"] == 1


def test_vegetable_basket_group_and_outlets_outside_the_circle(client, miyun):
    c, headers = miyun
    c.outlet("fresh_grocery", dx=0, dy=-700)  # 200 m south of the boundary: covers a 100 m deep cap
    group = features(client, c, headers, types="wet_market")["wet_market"]["properties"]
    assert group["covering_types"] == ["wet_market", "fresh_grocery"] and group["outlets_considered"] == 1
    r, d = 300, 200  # circular segment of a 300 m disk whose centre is 200 m outside the edge
    segment = r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)
    assert group["area_m2"] == pytest.approx(group["circle_area_m2"] - segment, rel=0.002)


def test_online_same_day_and_mobile_stalls_cover(client, miyun, make):
    c, headers = miyun
    c.outlet("breakfast", dx=3000, dy=0, on_site_service=True, service_circle_ids=[c.id])
    stall = c.outlet("repair", dx=5000, dy=5000, mobile=True)
    repair.set_schedule(stall, [{"lng": c.at(0, 0)[0], "lat": c.at(0, 0)[1], "hours": {"sat": [["09:00", "12:00"]]}}])
    found = features(client, c, headers, types="breakfast,repair")
    breakfast, stalls = found["breakfast"]["properties"], found["repair"]["properties"]
    assert breakfast["area_m2"] == 0 and breakfast["covered_by_online"] and breakfast["people_basis"] == "online"
    assert stalls["outlets_considered"] == 1 and stalls["area_m2"] < 1  # the stall stands at the centre weekly


def test_coordinates_follow_the_coord_parameter(client, miyun):
    c, headers = miyun
    c.outlet("convenience_store", dx=-500, dy=0)
    wgs = features(client, c, headers, types="convenience_store", coord="wgs84")["convenience_store"]
    gcj = features(client, c, headers, types="convenience_store")["convenience_store"]
    x, y = wgs["geometry"]["coordinates"][0][0][0]
    gx, gy = gcj["geometry"]["coordinates"][0][0][0]
    ex, ey = geo.from_wgs84(x, y, "gcj02")
    assert (gx, gy) == (pytest.approx(ex, abs=1e-6), pytest.approx(ey, abs=1e-6)) and abs(gx - x) > 1e-4


def test_without_communities_people_follow_area(client, world, make):
    c = world.circle(population=500)  # no standards: the profile's 15 must-have types
    c.outlet("convenience_store", dx=-500, dy=0)
    found = features(client, c, make.headers(c.staff))
    assert len(found) == 15
    p = found["convenience_store"]["properties"]
    assert p["people_basis"] == "area" and p["people_share_uncovered"] == pytest.approx(p["area_share"], abs=1e-4)
