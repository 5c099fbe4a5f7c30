"""Evidence staff can read: for every outlet the 有没有 table counts, its name, address, business type,
distance to the circle's boundary (0 inside) and status, instead of bare ids.

The contract keeps `evidence` as type → outlet ids (the mini-program and outside checks read it); the
details go into a parallel `evidence_outlets` (type → list of outlets) next to each `evidence`, so both
readers are served.

Only a reader of one circle's full result needs them (its page, ledger, a frozen assessment): they are
looked up when asked and cached per circle apart from the result, under the same input version (so a
change drops both). A province's scores and city views never compute them: they are most of the cost
(≈ 1,700 outlet-circle pairs per circle, a geodesic distance each) and of the size (≈ 300 KB a circle).
"""

from datetime import date

from sqlalchemy import text

from app.common.extensions import db
from app.evaluation.facts import outlets_relation
from app.taxonomy.registry import taxonomy

STATUS_NAMES = {"approved": "在营", "pending": "待审核", "suspended": "暂停营业", "closed": "已关闭"}

# {outlets}: the outlets table, or their versions at the end of a past evaluation date (facts.outlets_relation),
# so a 2025 result names the outlets as they were then.
# An outlet inside the boundary is 0 m from it without a geodesic distance (the costly part: 40 µs a pair,
# and a province's results name millions of pairs); the boundaries are cast to geography once per circle.
OUTLETS_SQL = """
WITH p AS (SELECT * FROM unnest(CAST(:circles AS int[]), CAST(:outlets AS int[])) AS p(circle_id, outlet_id)),
c AS MATERIALIZED (
    SELECT id, boundary, boundary::geography AS g FROM circles WHERE id IN (SELECT DISTINCT circle_id FROM p))
SELECT p.circle_id, o.id, o.name, o.address, o.status,
       CASE WHEN ST_Covers(c.boundary, o.location::geometry) THEN 0
            ELSE round(ST_Distance(o.location, c.g))::int END AS distance_m
FROM p
JOIN {outlets} o ON o.id = p.outlet_id
JOIN c ON c.id = p.circle_id
"""


def _tables(result: dict):
    presence = result.get("presence") or {}
    return [(part, presence[part]) for part in ("basic", "quality") if isinstance(presence.get(part), dict)]


def describe(results: dict[int, dict], at: date) -> dict[int, dict[str, dict]]:
    """circle id → {"basic"|"quality": type → outlets}: the `evidence_outlets` of each circle's presence
    tables, with the outlets as they were on `at` (one statement for all the circles)."""
    pairs = sorted(
        {
            (circle_id, outlet_id)
            for circle_id, result in results.items()
            for _, table in _tables(result)
            for ids in (table.get("evidence") or {}).values()
            for outlet_id in ids
        }
    )
    found = {}
    if pairs:
        relation, extra = outlets_relation(at)
        rows = db.session.execute(
            text(OUTLETS_SQL.replace("{outlets}", relation)),
            {"circles": [c for c, _ in pairs], "outlets": [o for _, o in pairs], **extra},
        ).all()
        found = {(row.circle_id, row.id): row for row in rows}
    return {
        circle_id: {
            part: {
                code: [_outlet(found.get((circle_id, outlet_id)), outlet_id, code) for outlet_id in ids]
                for code, ids in (table.get("evidence") or {}).items()
            }
            for part, table in _tables(result)
        }
        for circle_id, result in results.items()
    }


def attach(result: dict, outlets: dict[str, dict]) -> dict:
    """The result with `evidence_outlets` after each presence table's `evidence` (a copy: cached results
    are shared)."""
    presence = result.get("presence")
    if not outlets or not isinstance(presence, dict):
        return result
    presence = {**presence}
    for part, by_type in outlets.items():
        presence[part] = {**presence[part], "evidence_outlets": by_type}
    return {**result, "presence": presence}


def _outlet(row, outlet_id: int, code: str) -> dict:
    business_type = taxonomy().business_type(code)
    if row is None:  # deleted since: the id stays, the rest is unknown
        return {"id": outlet_id, "name": None, "address": None, "type": code, "status": "deleted"}
    return {
        "id": row.id,
        "name": row.name,
        "address": row.address or None,
        "type": code,
        "type_name": business_type.name_zh if business_type else code,
        "distance_m": row.distance_m,
        "inside": row.distance_m == 0,
        "status": row.status,
        "status_name": STATUS_NAMES.get(row.status, row.status),
    }


def outlet_line(outlet: dict) -> str:
    """One outlet in a ledger cell: 名称（地址，在圈内 / 距边界 n 米，状态，编号 n）."""
    where = "圈内" if outlet.get("inside") else f"距边界 {outlet.get('distance_m')} 米"
    parts = [outlet.get("address"), where, outlet.get("status_name") or outlet.get("status"), f"编号 {outlet['id']}"]
    return f"{outlet.get('name') or '（已删除）'}（{'，'.join(p for p in parts if p)}）"
