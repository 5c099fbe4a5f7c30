"""Presence (the outlets of each type inside a circle or within the type's radius of its boundary) is the same
for neighbouring circles evaluated in one batch as for each alone, with each list ascending and each outlet
once: PRESENCE_SQL returns packed (circle, type, outlet) triples that `facts._present` sorts and groups."""

from sqlalchemy import text

from app.evaluation import facts
from app.evaluation.profiles import get_profile, radius_for
from app.evaluation.service import circle_rows, standards_for_city
from tests.evaluation.conftest import Built


def _snapshots(circles, city):
    profile, standards = get_profile(city.scoring_profile), standards_for_city(city)
    return facts.build_snapshots(circle_rows(circles), profile, standards, facts.now_local().date())


def test_neighbouring_circles_in_one_batch_see_what_each_alone_sees(make, db, redis):
    city = make.city()
    # Two 1 km squares side by side (touching at x = 500 m from the first centre), a third 3 km away.
    centre = (116.4, 40.1)
    first = Built(make, db, make.circle(center=centre, half_m=500, city=city), centre, None)
    east = first.at(1000, 0)
    second = Built(make, db, make.circle(center=east, half_m=500, city=city), east, None)
    far_centre = first.at(0, 3000)
    far = Built(make, db, make.circle(center=far_centre, half_m=500, city=city), far_centre, None)
    radius = radius_for(standards_for_city(city), "breakfast")
    assert 100 < radius < 2000

    inside = [first.outlet("convenience_store", "breakfast") for _ in range(3)]
    near_border = second.outlet("breakfast", dx=-400, dy=0)  # 100 m into the second, 100 m from the first
    beyond = first.outlet("breakfast", dx=500 + radius + 200, dy=0)  # out of the first's reach
    mobile = first.outlet("breakfast", mobile=True)
    pending = first.outlet("breakfast", status="pending")
    doubled = first.outlet("wet_market")
    db.session.execute(
        text("UPDATE outlets SET types = types || types WHERE id = :id"), {"id": doubled.id}
    )  # a type named twice counts the outlet once
    far_ids = [far.outlet("breakfast").id for _ in range(2)]

    circles = [first.circle, second.circle, far.circle]
    together = _snapshots(circles, city)
    alone = {c.id: _snapshots([c], city)[c.id] for c in circles}
    for c in circles:
        assert together[c.id].present == alone[c.id].present, c.name

    ids = sorted(o.id for o in inside)
    present = together[first.id].present
    assert present["breakfast"] == sorted([*ids, near_border.id])
    assert present["convenience_store"] == ids
    assert present["wet_market"] == [doubled.id]
    assert beyond.id not in present["breakfast"] and mobile.id not in present["breakfast"]
    assert pending.id not in present["breakfast"]
    assert near_border.id in together[second.id].present["breakfast"]
    assert together[far.id].present == {"breakfast": sorted(far_ids)}
