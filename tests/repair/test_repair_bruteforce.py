"""Repair nearby against brute force: fixed points, and mobile stalls at the place they are now (or next)."""

import random
from datetime import datetime

import pytest
from pyproj import Geod
from sqlalchemy import insert

from app.outlets.hours import DAYS, MINUTES_PER_WEEK, minute_of_week, week_multirange, week_ranges
from app.outlets.models import Outlet, StallSlot
from app.repair.models import RepairOffer
from app.repair.service import service_names
from tests.factories import outlet_row
from tests.repair.conftest import SHANGHAI

GEOD = Geod(ellps="WGS84")
CENTER = (116.8431, 40.3765)
NOW = datetime(2026, 3, 18, 15, 7, tzinfo=SHANGHAI)  # a Wednesday afternoon
TOLERANCE_M = 1.0
SERVICES = sorted(service_names())


def _outlet_row(i, lng, lat, mobile):
    return outlet_row(f"随机维修{i}", lng, lat, types=["repair"], address=f"住址{i}", mobile=mobile)


def _random_point(rng):
    return CENTER[0] + rng.uniform(-0.03, 0.03), CENTER[1] + rng.uniform(-0.025, 0.025)


def _random_hours(rng):
    hours = {}
    for day in rng.sample(DAYS, rng.randint(1, 3)):
        start = rng.randrange(6 * 60, 20 * 60, 30)
        end = start + rng.choice([60, 120, 180, 240])
        hours[day] = [[f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"]]
    return hours


@pytest.fixture
def world(db):
    rng = random.Random(20261201)
    points = []
    for i in range(400):
        mobile = i % 4 == 0
        lng, lat = _random_point(rng)
        slots = [(*_random_point(rng), _random_hours(rng)) for _ in range(rng.randint(1, 3))] if mobile else []
        points.append(
            {
                "i": i,
                "home": (lng, lat),
                "mobile": mobile,
                "slots": slots,
                "services": rng.sample(SERVICES, rng.randint(1, 3)),
            }
        )
    db.session.execute(insert(Outlet), [_outlet_row(p["i"], *p["home"], p["mobile"]) for p in points])
    ids = dict(db.session.execute(db.text("SELECT name, id FROM outlets WHERE name LIKE '随机维修%'")).all())
    for p in points:
        p["id"] = ids[f"随机维修{p['i']}"]
    db.session.execute(
        insert(RepairOffer),
        [
            {"outlet_id": p["id"], "service_code": code, "price_min": 10, "unit": "次"}
            for p in points
            for code in p["services"]
        ],
    )
    slot_rows = []
    for p in points:
        for lng, lat, hours in p["slots"]:
            slot_rows.append(
                {
                    "outlet_id": p["id"],
                    "location": f"SRID=4326;POINT({lng} {lat})",
                    "address": "",
                    "hours": hours,
                    "open_minutes": week_multirange(hours, False),
                }
            )
    db.session.execute(insert(StallSlot), slot_rows)
    db.session.flush()
    return points


def where_now(point):
    """(lng, lat, present) of the place the brute force expects for this point at NOW."""
    if not point["mobile"]:
        return (*point["home"], None)
    minute = minute_of_week(NOW)
    best = None
    for index, (lng, lat, hours) in enumerate(point["slots"]):
        ranges = week_ranges(hours, False)
        present = any(a <= minute < b for a, b in ranges)
        wait = min((a - minute) % MINUTES_PER_WEEK for a, _ in ranges)
        key = (not present, wait, index)
        if best is None or key < best[0]:
            best = (key, (lng, lat, present))
    return best[1]


def brute_force(points, lng, lat, radius, services=None, present_only=False):
    hits = []
    for p in points:
        if services and not set(services) & set(p["services"]):
            continue
        plng, plat, present = where_now(p)
        if present_only and not present:
            continue
        _, _, distance = GEOD.inv(lng, lat, plng, plat)
        if distance <= radius + TOLERANCE_M:
            hits.append((distance, p["id"]))
    return sorted(hits)


QUERIES = [
    (CENTER[0], CENTER[1], 1000, None, False),
    (CENTER[0] + 0.01, CENTER[1] - 0.008, 2500, None, False),
    (CENTER[0] - 0.015, CENTER[1] + 0.01, 3000, ["key_cutting", "shoe_repair", "tailoring"], False),
    (CENTER[0], CENTER[1] + 0.005, 3000, None, True),
]


@pytest.mark.parametrize("lng,lat,radius,services,present_only", QUERIES)
def test_every_page_matches_brute_force(client, world, at, lng, lat, radius, services, present_only):
    at(NOW)
    expected = brute_force(world, lng, lat, radius, services, present_only)
    got, page = [], 1
    while True:
        params = {"lat": lat, "lng": lng, "coord": "wgs84", "radius": radius, "page": page, "page_size": 50}
        if services:
            params["services"] = ",".join(services)
        if present_only:
            params["present_now"] = 1
        body = client.get("/api/v1/repair/nearby", query_string=params).get_json()
        got.extend(body["items"])
        if not body["has_more"]:
            break
        page += 1
    assert len(got) >= (1 if present_only else 20)
    assert any(item["mobile"] for item in got)  # stalls are in the comparison, at their current places
    on_edge = {i for d, i in expected if d > radius - TOLERANCE_M}
    assert [i["id"] for i in got if i["id"] not in on_edge] == [i for d, i in expected if i not in on_edge]
    exact = {i: d for d, i in expected}
    by_id = {p["id"]: p for p in world}
    for item in got:
        assert abs(item["distance_m"] - exact[item["id"]]) <= 1
        plng, plat, present = where_now(by_id[item["id"]])
        assert item["location"] == {"lng": pytest.approx(plng, abs=1e-6), "lat": pytest.approx(plat, abs=1e-6)}
        if item["mobile"]:
            assert item["present_now"] is present
        if services:
            assert set(services) & {s["code"] for s in item["services"]}
