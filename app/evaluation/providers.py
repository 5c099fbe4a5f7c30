"""Outlets that serve a circle without standing in it, and the repair kinds on offer, read from the
repair package's tables (repair_stall_slots, repair_offers) and the outlets' service-area columns.

- Mobile stalls (outlets.mobile) count at the places of their weekly schedule, not at their home
  address: a stall with a slot within a type's radius of the circle, open at least once a week.
- On-site / same-day services (outlets.on_site_service) count where their service area covers the
  circle: the circle is listed, or the whole circle lies within service_radius_m of the outlet.
Repair has no read API of its own yet (issue 14): these statements are the one place evaluation reads its tables.
"""

from sqlalchemy import text

from app.extensions import db

MOBILE_SQL = """
SELECT c.id AS circle_id, o.id AS outlet_id, o.types, min(ST_Distance(s.location, c.boundary::geography)) AS d
FROM circles c
JOIN repair_stall_slots s ON ST_DWithin(s.location, c.boundary::geography, :max_radius)
JOIN {outlets} o ON o.id = s.outlet_id
WHERE c.id = ANY(:ids) AND o.status = 'approved' AND o.mobile
  AND s.open_minutes IS NOT NULL AND NOT isempty(s.open_minutes)
GROUP BY c.id, o.id, o.types
"""

# Only the types whose same-day service counts (早餐, 维修) are looked for: the types index finds them.
ON_SITE_SQL = """
WITH p AS MATERIALIZED (
    SELECT id, types, location, service_circle_ids, service_radius_m FROM {outlets} o
    WHERE types && CAST(:types AS varchar[]) AND on_site_service AND status = 'approved'
)
SELECT c.id AS circle_id, p.id AS outlet_id, p.types
FROM circles c JOIN p ON c.id = ANY(p.service_circle_ids)
     OR (p.service_radius_m IS NOT NULL
         AND ST_DWithin(p.location, c.boundary::geography, p.service_radius_m)
         AND ST_Covers(ST_Buffer(p.location, p.service_radius_m)::geometry, c.boundary))
WHERE c.id = ANY(:ids)
"""

OFFERS_SQL = """
SELECT r.outlet_id, r.service_code FROM repair_offers r
JOIN {outlets} o ON o.id = r.outlet_id AND o.status = 'approved'
WHERE r.outlet_id = ANY(:outlet_ids) AND r.price_min IS NOT NULL
"""


def _sql(sql: str, outlets) -> tuple:
    """The statement reading `outlets` (the table, or its versions as of a past date) and that relation's params."""
    relation, params = outlets
    return text(sql.replace("{outlets}", relation)), params


def remote_providers(
    ids: list[int], radii: dict[str, int], online_types, outlets=("outlets", {})
) -> dict[int, dict[str, list[dict]]]:
    """circle id -> type -> [{"outlet_id", "kind": "mobile"|"online", "note"}]; on-site services are looked
    for among `online_types` only (the types where same-day service counts). `outlets`: see
    facts.outlets_relation (a past evaluation reads the outlets as they were)."""
    found: dict[int, dict[str, list[dict]]] = {i: {} for i in ids}
    if not ids:
        return found
    statement, params = _sql(MOBILE_SQL, outlets)
    rows = db.session.execute(statement, {**params, "ids": ids, "max_radius": max(radii.values())})
    for circle_id, outlet_id, types, distance in rows:
        for code in types:
            if code in radii and distance <= radii[code]:
                note = f"流动摊点，每周出摊，最近摆摊点距生活圈 {round(distance)} 米"
                found[circle_id].setdefault(code, []).append({"outlet_id": outlet_id, "kind": "mobile", "note": note})
    online_types = sorted(online_types)
    statement, params = _sql(ON_SITE_SQL, outlets)
    rows = db.session.execute(statement, {**params, "ids": ids, "types": online_types}) if online_types else ()
    for circle_id, outlet_id, types in rows:
        for code in set(types) & set(online_types):
            found[circle_id].setdefault(code, []).append(
                {"outlet_id": outlet_id, "kind": "online", "note": "线上下单、当日上门/配送，服务范围覆盖生活圈"}
            )
    return found


def repair_kinds(
    outlet_ids_by_circle: dict[int, list[int]], outlets=("outlets", {})
) -> dict[int, dict[str, list[int]]]:
    """Repair service codes with a shown price offered by each circle's repair outlets."""
    every = sorted({i for ids in outlet_ids_by_circle.values() for i in ids})
    offers: dict[int, set[str]] = {}
    statement, params = _sql(OFFERS_SQL, outlets)
    for outlet_id, code in db.session.execute(statement, {**params, "outlet_ids": every}) if every else ():
        offers.setdefault(outlet_id, set()).add(code)
    kinds = {}
    for circle_id, ids in outlet_ids_by_circle.items():
        by_code: dict[str, list[int]] = {}
        for outlet_id in ids:
            for code in offers.get(outlet_id, ()):
                by_code.setdefault(code, []).append(outlet_id)
        kinds[circle_id] = {code: sorted(set(v)) for code, v in sorted(by_code.items())}
    return kinds
