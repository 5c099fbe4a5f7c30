"""Outlets that serve a circle without standing in it, and the repair kinds on offer: mobile stalls and
priced offers through the repair package's read API (`repair/stats.py`), on-site services from the outlets'
service-area columns.

- Mobile stalls (outlets.mobile) count at the places of their weekly schedule, not at their home
  address: a stall with a slot within a type's radius of the circle, open at least once a week.
- On-site / same-day services (outlets.on_site_service) count where their service area covers the
  circle: the circle is listed, or the whole circle lies within service_radius_m of the outlet.
"""

from sqlalchemy import text

from app.common.extensions import db
from app.repair.stats import CURRENT_OUTLETS, priced_services, stalls_near

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


def _sql(sql: str, outlets) -> tuple:
    """The statement reading `outlets` (the table, or its versions as of a past date) and that relation's params."""
    relation, params = outlets
    return text(sql.replace("{outlets}", relation)), params


def remote_providers(
    ids: list[int], radii: dict[str, int], online_types, outlets=CURRENT_OUTLETS
) -> dict[int, dict[str, list[dict]]]:
    """circle id -> type -> [{"outlet_id", "kind": "mobile"|"online", "note"}]; on-site services are looked
    for among `online_types` only (the types where same-day service counts). `outlets`: see
    facts.outlets_relation (a past evaluation reads the outlets as they were)."""
    found: dict[int, dict[str, list[dict]]] = {i: {} for i in ids}
    if not ids:
        return found
    for circle_id, stalls in stalls_near(ids, max(radii.values()), outlets).items():
        for stall in stalls:
            for code in stall.types:
                if code in radii and stall.distance_m <= radii[code]:
                    note = f"流动摊点，每周出摊，最近摆摊点距生活圈 {round(stall.distance_m)} 米"
                    found[circle_id].setdefault(code, []).append(
                        {"outlet_id": stall.outlet_id, "kind": "mobile", "note": note}
                    )
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
    outlet_ids_by_circle: dict[int, list[int]], outlets=CURRENT_OUTLETS
) -> dict[int, dict[str, list[int]]]:
    """Repair service codes with a shown price offered by each circle's repair outlets."""
    offers = priced_services({i for ids in outlet_ids_by_circle.values() for i in ids}, outlets)
    kinds = {}
    for circle_id, ids in outlet_ids_by_circle.items():
        by_code: dict[str, list[int]] = {}
        for outlet_id in ids:
            for code in offers.get(outlet_id, ()):
                by_code.setdefault(code, []).append(outlet_id)
        kinds[circle_id] = {code: sorted(set(v)) for code, v in sorted(by_code.items())}
    return kinds
