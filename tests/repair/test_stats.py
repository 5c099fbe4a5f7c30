"""Repair's read API for other domains (`repair/stats.py`): stalls near circles, their places, priced offers."""

import dataclasses

import pytest

from app.repair.stats import StallNear, StallPlace, priced_services, stall_places, stalls_near
from tests.factories import MIYUN
from tests.repair.test_repair_nearby import east

LNG, LAT = MIYUN
SAT = {"sat": [["09:00", "12:00"]]}


def test_stalls_near_a_circle_at_the_places_of_their_schedule(make, repair_point):
    circle, far = make.circle(half_m=600), make.circle(center=(LNG + 1, LAT))
    # Home address inside the circle, but its one place is ~300 m east of the boundary: it counts from there.
    stall = repair_point(LNG, LAT, schedule=[(east(900), LAT, "东门外", SAT), (east(2000), LAT, "集市", SAT)])
    repair_point(east(700), LAT, schedule=[(east(700), LAT, "", SAT)], status="closed")  # not approved
    repair_point(LNG, LAT)  # a fixed point, not a stall
    found = stalls_near([circle.id, far.id], 500)
    assert list(found) == [circle.id, far.id] and found[far.id] == []
    [near] = found[circle.id]
    assert isinstance(near, StallNear) and (near.outlet_id, near.types) == (stall.id, ("repair",))
    assert near.distance_m == pytest.approx(300, abs=5)  # its nearest place
    assert stalls_near([circle.id], 200) == {circle.id: []}
    assert stalls_near([], 500) == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        near.distance_m = 0


def test_stall_places_are_where_they_cover_a_circle_from(make, repair_point):
    circle = make.circle(half_m=600)
    stall = repair_point(LNG, LAT, types=("repair", "breakfast"), schedule=[(east(900), LAT, "东门外", SAT)])
    repair_point(east(3000), LAT, schedule=[(east(3000), LAT, "", SAT)])  # too far
    assert stall_places(circle.id, 500) == [StallPlace(stall.id, ("repair", "breakfast"), east(900), LAT)]


def test_priced_services_of_approved_outlets(make, repair_point):
    keys = repair_point(LNG, LAT, offers=[("key_cutting", 5, None), ("shoe_repair", 10, 30)])
    closed = repair_point(LNG, LAT, status="closed")
    plain = make.outlet(LNG, LAT)
    assert priced_services([keys.id, closed.id, plain.id, keys.id]) == {
        keys.id: frozenset({"key_cutting", "shoe_repair"}),
        closed.id: frozenset(),
        plain.id: frozenset(),
    }
    assert priced_services([]) == {}
