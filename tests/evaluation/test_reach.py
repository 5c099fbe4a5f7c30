"""The stored outlet ↔ circle reach (app/evaluation/reach.py) equals a from-scratch build after each kind of
change (an outlet moved across a boundary, retyped, closed, deleted; a boundary edited; a circle deleted; both
bulk imports), and presence from it equals presence by geometry; while a change is not yet refreshed,
presence uses the geometry."""

import math

from sqlalchemy import text

from app.circles.importer import import_circles
from app.evaluation import facts, reach
from app.evaluation.profiles import get_profile
from app.evaluation.service import circle_rows, standards_for_city
from app.outlets.importer import import_outlet_data
from tests.evaluation.conftest import Built
from tests.factories import square

CENTRE = (116.4, 40.1)


def rows(db) -> set:
    return set(db.session.execute(text("SELECT circle_id, code, outlet_id, distance_m FROM outlet_reach")).all())


def noted(db) -> tuple[int, int, int | None]:
    return (
        db.session.scalar(text("SELECT count(*) FROM outlet_reach_dirty_outlets")),
        db.session.scalar(text("SELECT count(*) FROM outlet_reach_dirty_circles")),
        db.session.scalar(text("SELECT radius_m FROM outlet_reach_state")),
    )


def refreshed_equals_scratch(db) -> set:
    """Refreshes what is noted, then builds the reach again from scratch: both must hold the same rows."""
    done = reach.refresh()
    assert noted(db)[:2] == (0, 0)
    incremental = rows(db)
    db.session.execute(text("UPDATE outlet_reach_state SET radius_m = NULL"))
    assert reach.refresh()["rebuilt"]
    assert rows(db) == incremental, done
    return incremental


def pairs_of(found: set, circle_id: int) -> set[tuple[str, int]]:
    return {(code, outlet) for c, code, outlet, _ in found if c == circle_id}


def at(circle: Built, dx, dy):
    lng, lat = circle.center
    return lng + dx / (111_320 * math.cos(math.radians(lat))), lat + dy / 111_320


def town(make, db):
    """Two 1 km squares side by side and a third 3 km north; outlets inside, near a border, far away."""
    city = make.city()
    first = Built(make, db, make.circle(center=CENTRE, half_m=500, city=city), CENTRE, None)
    east_centre = first.at(1000, 0)
    east = Built(make, db, make.circle(center=east_centre, half_m=500, city=city), east_centre, None)
    north_centre = first.at(0, 3000)
    north = Built(make, db, make.circle(center=north_centre, half_m=500, city=city), north_centre, None)
    return city, first, east, north


def test_each_kind_of_change_leaves_the_reach_as_a_build_from_scratch(make, db, redis):
    city, first, east, north = town(make, db)
    first_id, east_id, north_id = first.circle.id, east.circle.id, north.circle.id
    shop = first.outlet("convenience_store", "breakfast", dx=300, dy=0).id
    border = east.outlet("breakfast", dx=-400, dy=0).id  # 100 m into the east circle, 100 m from the first
    far = north.outlet("pharmacy").id
    doomed = first.outlet("wet_market").id
    mobile = first.outlet("breakfast", mobile=True).id
    built = refreshed_equals_scratch(db)
    assert pairs_of(built, first_id) >= {("convenience_store", shop), ("breakfast", shop), ("breakfast", border)}
    assert ("breakfast", mobile) not in pairs_of(built, first_id)
    assert {r[3] for r in built if r[0] == first_id and r[2] == shop} == {0.0}
    assert 99 < next(r[3] for r in built if r[0] == first_id and r[2] == border) < 101

    # An outlet moved across the boundary into the east circle (the area trigger gives it its circle).
    db.session.execute(
        text("UPDATE outlets SET location = ST_MakePoint(:lng, :lat)::geography WHERE id = :id"),
        {"lng": at(first, 700, 0)[0], "lat": at(first, 700, 0)[1], "id": shop},
    )
    assert noted(db)[0] == 1
    after = refreshed_equals_scratch(db)
    assert {r[3] for r in after if r[0] == east_id and r[2] == shop} == {0.0}
    assert 199 < next(r[3] for r in after if r[0] == first_id and r[2] == shop) < 201

    # Retyped, closed, deleted, made mobile.
    db.session.execute(text("UPDATE outlets SET types = '{pharmacy}' WHERE id = :id"), {"id": border})
    db.session.execute(text("UPDATE outlets SET status = 'closed' WHERE id = :id"), {"id": far})
    db.session.execute(text("DELETE FROM outlets WHERE id = :id"), {"id": doomed})
    db.session.execute(text("UPDATE outlets SET mobile = false WHERE id = :id"), {"id": mobile})
    assert noted(db)[0] == 4
    after = refreshed_equals_scratch(db)
    assert pairs_of(after, east_id) >= {("pharmacy", border)} and ("breakfast", border) not in pairs_of(after, east_id)
    assert not pairs_of(after, north_id)
    assert all(r[2] != doomed for r in after)
    assert ("breakfast", mobile) in pairs_of(after, first_id)

    # A boundary edited (the north circle grows south to take in the first's outlets' surroundings), a circle
    # created, another deleted.
    db.session.execute(
        text("UPDATE circles SET boundary = ST_GeomFromGeoJSON(:b) WHERE id = :id"),
        {"b": _geojson(square(*north.at(0, -1500), 1200)), "id": north_id},
    )
    make.circle(center=first.at(-1000, 0), half_m=500, city=city)
    db.session.execute(text("DELETE FROM circles WHERE id = :id"), {"id": east_id})
    assert noted(db)[1] == 3
    after = refreshed_equals_scratch(db)
    assert all(r[0] != east_id for r in after)
    assert ("breakfast", mobile) in pairs_of(after, north_id)


def test_bulk_imports_leave_the_reach_as_a_build_from_scratch(make, db, redis, monkeypatch):
    city, first, east, north = town(make, db)
    first_id = first.circle.id
    first.outlet("breakfast")
    refreshed_equals_scratch(db)

    lng, lat = first.at(100, 100)
    csv = (
        "external_id,name,types,lng,lat,coord,address,phone,hours,chain,online\n"
        f"R-1,早点铺,breakfast,{lng:.6f},{lat:.6f},wgs84,,,,,\n"
        f"R-2,药店,pharmacy,{east.center[0]:.6f},{east.center[1]:.6f},wgs84,,,,,\n"
    )
    result = import_outlet_data(csv.encode(), fmt="csv")
    assert result.created == 2
    assert noted(db)[2] is None  # the bulk load asks for a build from scratch
    after = refreshed_equals_scratch(db)
    created = db.session.scalar(text("SELECT id FROM outlets WHERE external_id = 'R-1'"))
    assert {r[3] for r in after if r[0] == first_id and r[2] == created} == {0.0}

    plan = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "新圈", "city": city.name},
                "geometry": square(*first.at(0, -1000), 500),
            }
        ],
    }
    assert import_circles(plan).circles.created == 1
    assert noted(db)[1] >= 1
    refreshed_equals_scratch(db)

    # Many outlets noted at once: built from scratch instead.
    db.session.execute(text("UPDATE outlets SET types = types"))
    monkeypatch.setattr(reach, "REBUILD_OVER", 1)
    assert noted(db)[0] > 1
    built = rows(db)
    assert reach.refresh()["rebuilt"] and rows(db) == built and noted(db)[:2] == (0, 0)


def test_presence_from_the_reach_equals_presence_by_geometry(make, db, redis):
    city, first, east, north = town(make, db)
    first_id = first.circle.id
    first.outlet("convenience_store", "breakfast")
    first.outlet("breakfast", dx=480, dy=0)
    east.outlet("breakfast", dx=-400, dy=0)
    east.outlet("wet_market", dx=-100, dy=200)
    north.outlet("pharmacy")
    first.outlet("breakfast", mobile=True)
    first.outlet("breakfast", status="pending")
    circles = [first.circle, east.circle, north.circle]
    rows_of = circle_rows(circles)
    profile, standards = get_profile(city.scoring_profile), standards_for_city(city)
    today = facts.now_local().date()

    by_geometry = facts.build_snapshots(rows_of, profile, standards, today)
    ids = [c.id for c in rows_of]
    radii = facts.presence_radii(profile, standards)
    codes = sorted(radii)
    assert not reach.presence_pairs(ids, codes, [radii[c] for c in codes])[0]  # noted: not usable

    reach.refresh()
    usable, _ = reach.presence_pairs(ids, codes, [radii[c] for c in codes])
    assert usable
    from_reach = facts.build_snapshots(rows_of, profile, standards, today)
    for c in rows_of:
        assert from_reach[c.id].present == by_geometry[c.id].present, c.name
    assert from_reach[first_id].present["breakfast"]

    # A radius larger than the reach was built for: the geometry again.
    assert not reach.presence_pairs(ids, codes, [radii[c] + 10_000 for c in codes])[0]


def _geojson(shape) -> str:
    import json

    return json.dumps(shape)
