"""Every coordinate of every response follows the request's `coord` (the contract's Coordinates rule).

Walks the OpenAPI document: each GET operation is called against a seeded world (a circle with a community,
a shop, a mobile stall with its schedule, a repair point, a need, a project, an event, a merchant's
application) once with coord=wgs84 and once with coord=gcj02 (its own point parameters converted too).
A generic walk over both answers pairs every point (`{"lat", "lng"}` objects, GeoJSON `coordinates`, CSV
`lng`/`lat` columns) and checks the gcj02 one is the wgs84 one converted. An operation that answers
coordinates must take `coord`; one that takes `coord` must answer at least one point here (so the seed
covers it). Writes use the same presenters as these reads (tests of each domain check their answers).
"""

import csv
import io
import re
from datetime import timedelta

import pytest

from app.common import geo
from app.common.clock import now_local
from app.repair import service as repair
from tests.demands.world import build_world, demand_body
from tests.factories import MIYUN
from tests.transactions import commit

LNG, LAT = MIYUN
TOLERANCE = 2e-7  # answers print 7 decimals


def east(metres):
    return LNG + metres / 84_900


@pytest.fixture
def seeded(client, make, db, stub):
    world = build_world(make, db)
    ids = {"circle_id": world.circle.id, "community_id": world.community.id, "city_id": world.circle.city_id}
    shop = make.outlet(east(100), LAT, types=["convenience_store", "breakfast"], name="好邻居便利店")
    stall = make.outlet(
        east(5000), LAT, types=["repair"], name="张师傅流动修鞋摊", mobile=True, owner_user_id=world.merchant.id
    )
    repair.set_offers(stall, [{"code": "shoe_repair", "price_min": 10}])
    every_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    repair.set_schedule(stall, [{"lng": east(200), "lat": LAT, "address": "鼓楼广场", "hours": every_day}])
    commit()
    ids["outlet_id"] = stall.id
    h = world.h
    demand = client.post(
        "/api/v1/demands", json=demand_body(at=(east(50), LAT), existing_reason="too_expensive"), headers=h.resident
    )
    assert demand.status_code == 201, demand.get_json()
    ids["demand_id"] = demand.get_json()["id"]
    similar = client.post(
        "/api/v1/demands",
        json=demand_body(at=(east(60), LAT), text="想要早餐店", existing_reason="poor"),
        headers=h.neighbour,
    )
    assert similar.status_code == 201, similar.get_json()
    project = client.post(
        "/api/v1/staff/projects",
        json={
            "circle_id": world.circle.id,
            "business_type": "breakfast",
            "title": "鼓楼东街新增早餐点",
            "location": {"lat": LAT, "lng": east(80)},
            "coord": "wgs84",
        },
        headers=h.admin,
    )
    assert project.status_code == 201, project.get_json()
    ids["project_id"] = project.get_json()["id"]
    today = now_local().date()
    event = client.post(
        "/api/v1/staff/events",
        json={
            "title": "邻里节",
            "theme": "neighbourhood",
            "location": {"lat": LAT, "lng": east(120)},
            "coord": "wgs84",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat(),
            "organiser": "鼓楼社区",
        },
        headers=h.admin,
    )
    assert event.status_code == 201, event.get_json()
    ids["event_id"] = event.get_json()["id"]
    application = client.post(
        "/api/v1/merchant/applications",
        json={
            "name": "老街坊早餐",
            "types": ["breakfast"],
            "location": {"lng": east(150), "lat": LAT},
            "coord": "wgs84",
            "address": "鼓楼东大街 12 号",
            "certification": {"licence_number": "91110228MA01ABCD2X"},
        },
        headers=h.merchant,
    )
    assert application.status_code == 201, application.get_json()
    ids["application_id"] = application.get_json()["id"]
    ids["shop_id"] = shop.id
    return world, ids


# Values for required query parameters that are not points.
QUERY_VALUES = {"business_type": "breakfast"}
# Answers with points that do not take `coord` yet (found by this test; reported to their domains' owners).
NOT_YET: dict[str, str] = {}
# Operations that take `coord` but answer no point with this seed, each with why.
NO_POINT_HERE = {
    "/api/v1/circles/locate": "coord names the system of the point asked about; the answer has no point",
    "/api/v1/circles/{circle_id}/satisfied-list": "needs a done need confirmed solved; same presenter as …/demands",
}


def _operations(spec):
    for path, item in spec["paths"].items():
        op = item.get("get")
        if op is not None and path.startswith("/api/v1/"):
            yield path, op


def _points(value, path=""):
    """Every point in an answer: (where, lng, lat)."""
    if isinstance(value, dict):
        if isinstance(value.get("lat"), (int, float)) and isinstance(value.get("lng"), (int, float)):
            yield path, value["lng"], value["lat"]
        for key, item in value.items():
            if key == "coordinates":
                yield from _positions(item, f"{path}.coordinates")
            elif key not in ("lat", "lng"):
                yield from _points(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _points(item, f"{path}[{i}]")


def _positions(value, path):
    if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
        yield path, value[0], value[1]
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _positions(item, f"{path}[{i}]")


def _answer_points(response):
    if response.mimetype == "application/json" or response.mimetype.endswith("+json"):
        return list(_points(response.get_json()))
    if response.mimetype == "text/csv":
        rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
        return [(f"row {i}", float(r["lng"]), float(r["lat"])) for i, r in enumerate(rows) if r.get("lng")]
    return []


def _call(client, world, path, op, ids, coord):
    url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
    params = {}
    names = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    if "lat" in names:
        point = geo.from_wgs84(east(30), LAT, coord)
        params.update(lng=point[0], lat=point[1])
    for name, param in names.items():
        if name in QUERY_VALUES:
            params[name] = QUERY_VALUES[name]
        elif param.get("required") and name not in params:
            enum = param.get("schema", {}).get("enum")
            params[name] = enum[0] if enum else ids.get(name) or now_local().year
    if "coord" in names:
        params["coord"] = coord
    people = (world.h.admin, world.h.resident, world.h.merchant)
    if path.startswith(("/api/v1/me/", "/api/v1/merchant/")):  # one's own records: their owner first
        people = (world.h.resident, world.h.merchant) if "/me/" in path else (world.h.merchant,)
    for headers in people:
        response = client.get(url, query_string=params, headers=headers)
        if response.status_code not in (401, 403):
            return response
    return response


def test_every_point_of_every_answer_follows_coord(app, client, seeded):
    world, ids = seeded
    spec = client.get("/api/openapi.json").get_json()
    problems, checked = [], 0
    for path, op in _operations(spec):
        takes_coord = any(p["name"] == "coord" for p in op.get("parameters", []))
        wgs = _call(client, world, path, op, ids, "wgs84")
        if wgs.status_code != 200:
            if takes_coord:
                problems.append(f"{path}: {wgs.status_code} {wgs.get_data(as_text=True)[:200]}")
            continue
        wgs_points = _answer_points(wgs)
        if not takes_coord:
            if wgs_points and path not in NOT_YET:
                problems.append(f"{path}: answers points {wgs_points[:2]} but takes no coord")
            continue
        gcj_points = _answer_points(_call(client, world, path, op, ids, "gcj02"))
        if not wgs_points and path not in NO_POINT_HERE:
            problems.append(f"{path}: takes coord but answered no point with the seed")
        if len(gcj_points) != len(wgs_points):
            problems.append(f"{path}: {len(wgs_points)} points in wgs84, {len(gcj_points)} in gcj02")
            continue
        for (where, lng, lat), (_, g_lng, g_lat) in zip(wgs_points, gcj_points, strict=True):
            expected = geo.wgs84_to_gcj02(lng, lat)
            if abs(expected[0] - g_lng) > TOLERANCE or abs(expected[1] - g_lat) > TOLERANCE:
                problems.append(f"{path} {where}: wgs84 {lng},{lat} → gcj02 {g_lng},{g_lat}, expected {expected}")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked > 50
