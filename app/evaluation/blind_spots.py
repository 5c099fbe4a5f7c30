"""一账: walking blind spots per required type — the part of a circle farther than the type's radius from
every outlet of that type — with area, share of the circle's area and share of its people uncovered.

Buffers are geodesic (ST_Buffer on geography, then cast to geometry), unioned per type and subtracted
from the boundary. People are estimated by community populations, area-weighted (a community half in a
blind spot leaves half its people uncovered); without community boundaries, by area.
"""

from sqlalchemy import text

from app.common.extensions import db
from app.evaluation import providers
from app.evaluation.profiles import ScoringProfile, radius_for
from app.repair.stats import stall_places
from app.taxonomy.registry import taxonomy

BLIND_SQL = """
WITH c AS (SELECT boundary, boundary::geography AS g FROM circles WHERE id = :id),
t AS (SELECT * FROM jsonb_to_recordset(CAST(:spec AS jsonb)) AS t(code text, radius_m int, covering text[])),
pts AS (
    SELECT o.location, o.types FROM outlets o, c
    WHERE o.status = 'approved' AND NOT o.mobile AND ST_DWithin(o.location, c.g, :max_radius)
    UNION ALL  -- mobile stalls cover from the places of their weekly schedule (repair.stats.stall_places)
    SELECT CAST(ST_SetSRID(ST_MakePoint(s.lng, s.lat), 4326) AS geography), s.types
    FROM jsonb_to_recordset(CAST(:stalls AS jsonb)) AS s(lng float8, lat float8, types varchar[])
),
cover AS (
    SELECT t.code, ST_Union(ST_Buffer(p.location, t.radius_m, 'quad_segs=16')::geometry) AS g, count(*) AS n
    FROM t JOIN pts p ON p.types && CAST(t.covering AS varchar[]) JOIN c ON ST_DWithin(p.location, c.g, t.radius_m)
    GROUP BY t.code
),
b AS (
    SELECT t.code, coalesce(cover.n, 0) AS n,
           ST_Multi(ST_CollectionExtract(
               CASE WHEN cover.g IS NULL THEN c.boundary ELSE ST_Difference(c.boundary, cover.g) END, 3)) AS g
    FROM t CROSS JOIN c LEFT JOIN cover ON cover.code = t.code
),
people AS (
    SELECT b.code,
           sum(m.population * ST_Area(ST_Intersection(m.boundary, b.g)::geography)
               / nullif(ST_Area(m.boundary::geography), 0)) AS uncovered,
           sum(m.population) AS total
    FROM b JOIN communities m ON m.circle_id = :id AND m.boundary IS NOT NULL AND m.population > 0
    GROUP BY b.code
)
SELECT b.code, b.n, ST_AsGeoJSON(b.g, 7) AS geojson, ST_Area(b.g::geography) AS area_m2,
       ST_NumGeometries(b.g) AS parts, (SELECT ST_Area(g) FROM c) AS circle_area_m2,
       people.uncovered, people.total
FROM b LEFT JOIN people ON people.code = b.code
"""


def required_groups(standards, profile: ScoringProfile) -> list[dict]:
    """The types the city's standards require (菜篮子 types that count together form one group); without
    standards, the profile's must-have basic types."""
    rules = standards.rules if standards else {code: {} for code in profile.presence["basic_types"]}
    groups, seen = [], set()
    for code, rule in rules.items():
        covering = [code, *[c for c in rule.get("counts_with", []) if c != code]]
        if frozenset(covering) in seen:
            continue
        seen.add(frozenset(covering))
        names = [taxonomy().business_type(c).name_zh for c in covering]
        groups.append(
            {
                "code": code,
                "name_zh": "、".join(names),
                "radius_m": radius_for(standards, code),
                "covering": covering,
                "online_counts": bool(rule.get("online_same_day_counts"))
                or code in profile.presence.get("online_same_day_types", []),
            }
        )
    return groups


def compute(circle_id: int, groups: list[dict], population: int | None) -> list[dict]:
    """Blind spots of one circle (WGS-84 GeoJSON geometries), one feature per required type group."""
    if not groups:
        return []
    import json

    radii = {g["code"]: g["radius_m"] for g in groups}
    online_types = {c for g in groups if g["online_counts"] for c in g["covering"]}
    online = providers.remote_providers([circle_id], radii, online_types)[circle_id]
    spec = [{"code": g["code"], "radius_m": g["radius_m"], "covering": g["covering"]} for g in groups]
    max_radius = max(g["radius_m"] for g in groups)
    stalls = [{"lng": p.lng, "lat": p.lat, "types": p.types} for p in stall_places(circle_id, max_radius)]
    params = {"id": circle_id, "spec": json.dumps(spec), "stalls": json.dumps(stalls), "max_radius": max_radius}
    rows = {row.code: row for row in db.session.execute(text(BLIND_SQL), params)}
    features = []
    for group in groups:
        row = rows[group["code"]]
        by_online = sorted(
            {r["outlet_id"] for c in group["covering"] for r in online.get(c, []) if r["kind"] == "online"}
        )
        covered_online = bool(by_online) and group["online_counts"]
        area = 0.0 if covered_online else float(row.area_m2 or 0)
        circle_area = float(row.circle_area_m2 or 0)
        area_share = area / circle_area if circle_area else 0.0
        if covered_online:
            uncovered, total, basis = 0.0, row.total or population, "online"
        elif row.total:
            uncovered, total, basis = float(row.uncovered or 0), int(row.total), "communities"
        else:
            total = population
            uncovered, basis = (area_share * population if population else None), "area"
        people_share = (uncovered / total) if (total and uncovered is not None) else None
        geometry = json.loads(row.geojson) if not covered_online else {"type": "MultiPolygon", "coordinates": []}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "kind": "blind_spot",
                    "type": group["code"],
                    "name_zh": group["name_zh"],
                    "covering_types": group["covering"],
                    "radius_m": group["radius_m"],
                    "outlets_considered": int(row.n),
                    "covered_by_online": by_online if covered_online else [],
                    "parts": 0 if covered_online or area < 1 else int(row.parts or 0),
                    "area_m2": round(area, 1),
                    "circle_area_m2": round(circle_area, 1),
                    "area_share": round(area_share, 4),
                    "covered_area_share": round(1 - area_share, 4),
                    "people_uncovered": None if uncovered is None else round(uncovered),
                    "people_share_uncovered": None if people_share is None else round(people_share, 4),
                    "covered_people_share": None if people_share is None else round(1 - people_share, 4),
                    "people_basis": basis,
                },
            }
        )
    return features
