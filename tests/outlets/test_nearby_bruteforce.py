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


@pytest.fixture
def clustered_outlets(db):
    """A mall: 60 outlets at one address 300 m east of the centre, and 200 spread around it."""
    rng = random.Random(20261202)
    mall = (CENTER[0] + 0.0035, CENTER[1])
    spots = [mall] * 60 + [
        (CENTER[0] + rng.uniform(-0.02, 0.02), CENTER[1] + rng.uniform(-0.015, 0.015)) for _ in range(200)
    ]
    rows = [outlet_row(f"商场网点{i}", lng, lat, types=["convenience_store"]) for i, (lng, lat) in enumerate(spots)]
    db.session.execute(insert(Outlet), rows)
    db.session.flush()
    ids = dict(db.session.execute(db.text("SELECT name, id FROM outlets")).all())
    return [{"id": ids[f"商场网点{i}"], "types": ["convenience_store"], "lnglat": spot} for i, spot in enumerate(spots)]


@pytest.mark.parametrize("lng,lat", [(CENTER[0] + 0.0035, CENTER[1]), (CENTER[0] + 0.0005, CENTER[1] + 0.0005)])
def test_outlets_at_one_spot_page_like_brute_force(client, clustered_outlets, lng, lat):
    """More outlets share a distance than the index walk reads ahead (search.py `covered`): every candidate
    within the cut-off is read again, and the pages still follow the exact distance, ties by id."""
    expected = [i for d, i in brute_force(clustered_outlets, lng, lat, 1000) if d <= 1000 - BOUNDARY_TOLERANCE_M]
    got, page = [], 1
    while len(got) < 80:
        params = {"lat": lat, "lng": lng, "coord": "wgs84", "radius": 1000, "page": page, "page_size": 20}
        body = client.get("/api/v1/outlets/nearby", query_string=params).get_json()
        got.extend(item["id"] for item in body["items"])
        page += 1
    assert got == expected[:80]


NAME_PARTS = [
    "好邻居",
    "好邻居便利",
    "好邻",
    "邻居",
    "早点",
    "早餐",
    "超市",
    "便利",
    "配钥匙",
    "修鞋",
    "Lawson",
    "7天",
    "居家",
    "点心",
    "(东)",
    "24小时",
]
KEYWORDS = [
    "好邻居",
    "好邻居便利店",  # no name holds it; those with 好邻居便利 are word-similar to it
    "邻居",
    "早点",
    "超市",
    "配钥匙",
    "修",
    "lawson",
    "LAW",
    "7天",
    "好邻居便利",
    "早 点",
    "hlj",
    "%",
    "居",
    "hl",  # the initials' lexeme: their first two letters
    "ZD",
    "w",  # one letter: the name only (no initials match)
    "24小时",  # digits and punctuation
    "(东",
    "12",
]


@pytest.fixture
def keyword_outlets(db):
    """Names, addresses and initials made of parts that keywords find whole, in part, or only word-similar."""
    rng = random.Random(20261203)
    rows = []
    for i in range(1500):
        name = "".join(rng.sample(NAME_PARTS, rng.randint(1, 3))) + f"{i}号"
        address = rng.choice(["", "好邻居路", "早点街", "西大桥路"]) + f"{i}号"
        lng, lat = CENTER[0] + rng.uniform(-0.02, 0.02), CENTER[1] + rng.uniform(-0.015, 0.015)
        types = rng.sample(TYPES + ["hardware_store", "supermarket"], rng.randint(1, 2))
        services = rng.sample(["key_cutting", "parcel_pickup", "bill_payment"], rng.randint(0, 1))
        initials = rng.choice(["", "hlj", "zd", "lawson"])
        rows.append(outlet_row(name, lng, lat, address=address, types=types, services=services, name_initials=initials))
    db.session.execute(insert(Outlet), rows)
    db.session.flush()


@pytest.mark.parametrize("q", KEYWORDS)
def test_keyword_pages_match_the_plain_filter(db, client, keyword_outlets, q):
    """What the distance walk tests inside the index (search._keyword_lexemes) is only what every match has: the
    pages equal the keyword's own filter applied to every outlet in range, nearest first."""
    from app.outlets import search

    query = search.NearbyQuery(lng=CENTER[0], lat=CENTER[1], radius=2000, q=q)
    params = search._base_params(query)
    where = search._filters(query, params)
    expected = (
        db.session.execute(
            db.text(
                f"SELECT o.id FROM outlets o WHERE {where.fixed}"
                f" AND ST_Distance(o.location, {search.POINT_SQL}, true) <= 2000"
                f" ORDER BY ST_Distance(o.location, {search.POINT_SQL}, true), o.id"
            ),
            {**params, "radius": 2000},
        )
        .scalars()
        .all()
    )
    got, page = [], 1
    while True:
        params = {"lat": CENTER[1], "lng": CENTER[0], "coord": "wgs84", "radius": 2000, "q": q, "page": page}
        body = client.get("/api/v1/outlets/nearby", query_string={**params, "page_size": 50}).get_json()
        got.extend(item["id"] for item in body["items"])
        if not body["has_more"]:
            break
        page += 1
    assert got == expected
    assert len(expected) > 0 or q in ("%", "早 点")
