"""Nearby search against brute force: every page of several queries, exact ellipsoidal distances."""

import random

import pytest
from pyproj import Geod
from sqlalchemy import insert

from app.outlets.models import Outlet
from app.outlets.service import name_initials
from tests.factories import outlet_row

GEOD = Geod(ellps="WGS84")
CENTER = (116.8431, 40.3765)
TYPES = ["convenience_store", "breakfast", "pharmacy", "repair", "barber"]
BOUNDARY_TOLERANCE_M = 1.0


@pytest.fixture
def random_outlets(db):
    rng = random.Random(20261125)
    rows = []
    for i in range(3000):
        lng = CENTER[0] + rng.uniform(-0.045, 0.045)  # about ±3.8 km east-west
        lat = CENTER[1] + rng.uniform(-0.035, 0.035)  # about ±3.9 km north-south
        types = rng.sample(TYPES, rng.randint(1, 2))
        name = f"随机网点{i}"
        rows.append(
            {**outlet_row(name, lng, lat, name_initials=name_initials(name), types=types), "_lnglat": (lng, lat)}
        )
    db.session.execute(insert(Outlet), [{k: v for k, v in r.items() if k != "_lnglat"} for r in rows])
    db.session.flush()
    ids = dict(db.session.execute(db.text("SELECT name, id FROM outlets")).all())
    return [{"id": ids[r["name"]], "types": r["types"], "lnglat": r["_lnglat"]} for r in rows]


def brute_force(outlets, lng, lat, radius, types=None):
    hits = []
    for o in outlets:
        if types and not set(types) & set(o["types"]):
            continue
        _, _, distance = GEOD.inv(lng, lat, *o["lnglat"])
        if distance <= radius + BOUNDARY_TOLERANCE_M:
            hits.append((distance, o["id"]))
    return sorted(hits)


QUERIES = [
    (CENTER[0], CENTER[1], 1000, None),
    (CENTER[0] + 0.01, CENTER[1] - 0.008, 500, None),
    (CENTER[0] - 0.02, CENTER[1] + 0.015, 3000, ["breakfast"]),
    (CENTER[0] + 0.03, CENTER[1] + 0.02, 1500, ["pharmacy", "repair"]),
]


@pytest.mark.parametrize("lng,lat,radius,types", QUERIES)
def test_every_page_matches_brute_force(client, random_outlets, lng, lat, radius, types):
    expected = brute_force(random_outlets, lng, lat, radius, types)
    got, page = [], 1
    while True:
        params = {"lat": lat, "lng": lng, "coord": "wgs84", "radius": radius, "page": page, "page_size": 50}
        if types:
            params["types"] = ",".join(types)
        body = client.get("/api/v1/outlets/nearby", query_string=params).get_json()
        got.extend(body["items"])
        if not body["has_more"]:
            break
        page += 1
    assert len(got) > 20
    expected_ids = [i for d, i in expected if d <= radius - BOUNDARY_TOLERANCE_M]
    within_tolerance = {i for d, i in expected if d > radius - BOUNDARY_TOLERANCE_M}
    got_ids = [item["id"] for item in got if item["id"] not in within_tolerance]
    assert got_ids == expected_ids
    exact = {i: d for d, i in expected}
    for item in got:
        assert abs(item["distance_m"] - exact[item["id"]]) <= 1  # distance_m is rounded to whole metres
        if types:
            assert set(types) & set(item["types"])
    distances = [exact[item["id"]] for item in got]
    assert distances == sorted(distances)
