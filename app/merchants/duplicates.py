"""Possible duplicates of an application: what already exists nearby with a similar name or the same types."""

from sqlalchemy import text

from app.common import geo
from app.common.extensions import db

NEARBY_M = 200
SIMILAR = 0.3  # pg_trgm similarity; 好邻居便利店 vs 好邻居超市 is 0.3
# Pointing an applicant to claim a listed shop needs its own name, near enough: 老街坊便利 vs 老街坊便利店 is
# 0.62, 老刘修鞋配钥匙 vs 老王修鞋配钥匙 (a neighbour) 0.45.
SAME_NAME = 0.5

_SQL = """
WITH a AS (SELECT COALESCE(m.location, o.location) AS g FROM merchant_applications m
           LEFT JOIN outlets o ON o.id = m.outlet_id WHERE m.id = :application_id)
SELECT 'outlet' AS kind, o.id, o.name, o.types, o.status, o.address,
       ST_X(o.location::geometry) AS lng, ST_Y(o.location::geometry) AS lat,
       ST_Distance(o.location, a.g, true) AS distance_m,
       similarity(o.name, :name) AS name_similarity, o.types && CAST(:types AS varchar[]) AS same_types
FROM outlets o, a
WHERE ST_DWithin(o.location, a.g, :radius, true) AND o.id IS DISTINCT FROM :outlet_id
  AND (similarity(o.name, :name) >= :similar OR o.types && CAST(:types AS varchar[]))
UNION ALL
SELECT 'application', m.id, m.name, CAST(ARRAY(SELECT jsonb_array_elements_text(m.payload -> 'types')) AS varchar[]),
       m.status,
       m.payload ->> 'address', ST_X(m.location::geometry), ST_Y(m.location::geometry),
       ST_Distance(m.location, a.g, true), similarity(m.name, :name),
       CAST(ARRAY(SELECT jsonb_array_elements_text(m.payload -> 'types')) AS varchar[]) && CAST(:types AS varchar[])
FROM merchant_applications m, a
WHERE m.id <> :application_id AND m.kind = 'new' AND m.status IN ('pending', 'returned')
  AND ST_DWithin(m.location, a.g, :radius, true) AND similarity(m.name, :name) >= :similar
ORDER BY distance_m
LIMIT 30
"""


def possible_duplicates(application) -> list[dict]:
    """Outlets and other open applications within 200 m; `likely` when the name is similar and a type is shared."""
    types = application.payload.get("types") or []
    rows = db.session.execute(
        text(_SQL),
        {
            "application_id": application.id,
            "outlet_id": application.outlet_id,
            "name": application.name,
            "types": types,
            "radius": NEARBY_M,
            "similar": SIMILAR,
        },
    ).mappings()
    result = []
    for row in rows:
        item = dict(row)
        item["likely"] = bool(item["name_similarity"] >= SIMILAR and item["same_types"])
        result.append(item)
    result.sort(key=lambda d: (not d["likely"], -d["name_similarity"], d["distance_m"]))
    return result


_LISTED_SQL = f"""
SELECT o.id, o.name, o.address, o.status, o.owner_user_id IS NOT NULL AS owned,
       ST_Distance(o.location, p.g, true) AS distance_m
FROM outlets o, (SELECT {geo.POINT_SQL} AS g) p
WHERE ST_DWithin(o.location, p.g, :radius, true) AND o.status IN ('approved', 'suspended')
  AND similarity(o.name, :name) >= :similar AND o.types && CAST(:types AS varchar[])
ORDER BY similarity(o.name, :name) DESC, distance_m
LIMIT 5
"""


def listed_outlets_like(name: str, types: list[str], lng: float, lat: float) -> list[dict]:
    """Listed outlets within 200 m with a similar name and a shared type: most likely the applicant's own
    shop, listed by a census import or staff, to be claimed rather than registered a second time."""
    rows = db.session.execute(
        text(_LISTED_SQL),
        {"name": name, "types": types, "lng": lng, "lat": lat, "radius": NEARBY_M, "similar": SAME_NAME},
    ).mappings()
    return [{**row, "distance_m": int(round(row["distance_m"]))} for row in rows]
