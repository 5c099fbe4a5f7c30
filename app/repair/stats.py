"""What other domains read about the repair map (the evaluation's 有没有 presence, 一菜一修 and blind spots).

One plain read API, for many circles or outlets at once: mobile stalls at the places of their weekly schedule
(repair_stall_slots, kept by `outlets/stalls.py`) and the service items offered with a shown price
(repair_offers). Each function returns frozen dataclasses or frozensets, so a renamed field fails loudly.

`outlets` is the relation the outlets are read from: the table itself, or (for an evaluation of a past date)
their versions as they were, with its parameters (evaluation's `facts.outlets_relation`). Only approved outlets
count; a stall counts at a place with at least one weekly window.
"""

from dataclasses import dataclass

from sqlalchemy import text

from app.common.extensions import db

# The outlets table itself: today's outlets. A past date passes ("(SELECT … FROM outlet_versions …)", params).
CURRENT_OUTLETS = ("outlets", {})

STALLS_NEAR_SQL = """
SELECT c.id AS circle_id, o.id AS outlet_id, o.types, min(ST_Distance(s.location, c.boundary::geography)) AS d
FROM circles c
JOIN repair_stall_slots s ON ST_DWithin(s.location, c.boundary::geography, :max_radius)
JOIN {outlets} o ON o.id = s.outlet_id
WHERE c.id = ANY(:ids) AND o.status = 'approved' AND o.mobile
  AND s.open_minutes IS NOT NULL AND NOT isempty(s.open_minutes)
GROUP BY c.id, o.id, o.types
"""

STALL_PLACES_SQL = """
SELECT s.outlet_id, o.types, ST_X(s.location::geometry) AS lng, ST_Y(s.location::geometry) AS lat
FROM circles c
JOIN repair_stall_slots s ON ST_DWithin(s.location, c.boundary::geography, :max_radius)
JOIN {outlets} o ON o.id = s.outlet_id
WHERE c.id = :id AND o.status = 'approved' AND o.mobile
  AND s.open_minutes IS NOT NULL AND NOT isempty(s.open_minutes)
ORDER BY s.outlet_id, s.id
"""

PRICED_SERVICES_SQL = """
SELECT r.outlet_id, r.service_code FROM repair_offers r
JOIN {outlets} o ON o.id = r.outlet_id AND o.status = 'approved'
WHERE r.outlet_id = ANY(:outlet_ids) AND r.price_min IS NOT NULL
"""


@dataclass(frozen=True)
class StallNear:
    """A mobile stall with a place of its schedule within reach of a circle."""

    outlet_id: int
    types: tuple[str, ...]
    distance_m: float  # from its nearest such place to the circle's boundary (0 inside)


@dataclass(frozen=True)
class StallPlace:
    """One place of a mobile stall's weekly schedule (WGS-84)."""

    outlet_id: int
    types: tuple[str, ...]
    lng: float
    lat: float


def _execute(sql: str, outlets, **params):
    relation, extra = outlets
    return db.session.execute(text(sql.replace("{outlets}", relation)), {**params, **extra})


def stalls_near(circle_ids, max_radius_m: float, outlets=CURRENT_OUTLETS) -> dict[int, list[StallNear]]:
    """Per circle asked for: the mobile stalls with a place within `max_radius_m` of its boundary."""
    ids = list(circle_ids)
    found: dict[int, list[StallNear]] = {i: [] for i in ids}
    if not ids:
        return found
    for circle_id, outlet_id, types, distance in _execute(STALLS_NEAR_SQL, outlets, ids=ids, max_radius=max_radius_m):
        found[circle_id].append(StallNear(outlet_id, tuple(types), distance))
    return found


def stall_places(circle_id: int, max_radius_m: float, outlets=CURRENT_OUTLETS) -> list[StallPlace]:
    """The places of mobile stalls within `max_radius_m` of a circle's boundary: where they cover it from."""
    rows = _execute(STALL_PLACES_SQL, outlets, id=circle_id, max_radius=max_radius_m)
    return [StallPlace(outlet_id, tuple(types), lng, lat) for outlet_id, types, lng, lat in rows]


def priced_services(outlet_ids, outlets=CURRENT_OUTLETS) -> dict[int, frozenset[str]]:
    """Per outlet asked for: the repair service codes it offers with a shown price (none when not approved)."""
    ids = sorted(set(outlet_ids))
    offered: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        for outlet_id, code in _execute(PRICED_SERVICES_SQL, outlets, outlet_ids=ids):
            offered[outlet_id].add(code)
    return {outlet_id: frozenset(codes) for outlet_id, codes in offered.items()}
