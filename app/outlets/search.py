"""Nearby search: one index-ordered query per page, with exact ellipsoidal distances.

The GiST index orders candidates by spherical distance (`<->`), which is fast but differs from the
WGS-84 ellipsoid by up to ~0.5%. So the first step takes the k nearest by sphere, and the second
re-reads every outlet whose spherical distance could still make it one of the k nearest on the
ellipsoid (ratio bound below) and orders those by the exact ellipsoidal distance.
"""

import re
from dataclasses import dataclass

from app.common import reads
from app.common.clock import now_local
from app.outlets.hours import is_public_holiday, minute_of_week

# Over a short path, ellipsoid/sphere distance ratios lie within [0.9944, 1.0044] (meridional and
# prime-vertical radii of curvature vs the 6371008.8 m mean sphere). A spherical cut-off of k-th
# spherical distance × 1.0044/0.9944 ≈ 1.0101 keeps every outlet that may rank ≤ k on the ellipsoid.
SPHERE_TO_ELLIPSOID_SLACK = 1.011
RADIUS_SLACK = 1.006  # spherical search radius covering an ellipsoidal radius
AUTO_EXTEND_STEPS = (1000, 2000, 3000)

ITEM_COLUMNS = """
    o.id, o.name, o.types, o.address, o.phone, o.hours, o.open_24h, o.closed_on_holidays, o.photos,
    o.chain, o.brand, o.online, o.delivery, o.rating_avg, o.rating_count, o.synthetic, o.circle_id,
    o.community_id, o.status, ST_X(o.location::geometry) AS lng, ST_Y(o.location::geometry) AS lat,
    (COALESCE(o.open_minutes @> CAST(:minute AS integer), false)
        AND NOT (CAST(:holiday AS boolean) AND o.closed_on_holidays)) AS open_now
"""


@dataclass(frozen=True)
class NearbyQuery:
    lng: float  # WGS-84
    lat: float
    radius: int = 1000
    types: tuple[str, ...] = ()
    q: str | None = None
    open_now: bool = False
    sort: str = "distance"
    page: int = 1
    page_size: int = 20
    auto_extend: bool = False
    extra_where: str = ""  # a trusted SQL fragment from another package (repair points), never user text
    extra_params: tuple = ()


def _filters(query: NearbyQuery, params: dict) -> str:
    # Mobile stalls are found where they are at the moment, through the repair map, not at a home address.
    clauses = ["o.status = 'approved'", "NOT o.mobile"]
    if query.types:
        clauses.append("o.types && CAST(:types AS varchar[])")
        params["types"] = list(query.types)
    if query.q:
        keyword = query.q.strip()
        params["q"] = keyword
        params["q_like"] = "%" + re.sub(r"([%_\\])", r"\\\1", keyword) + "%"
        match = ["o.name ILIKE :q_like", "o.address ILIKE :q_like", "CAST(:q AS text) <% o.name"]
        if re.fullmatch(r"[A-Za-z]{2,}", keyword):
            params["q_initials"] = keyword.lower() + "%"
            match.append("o.name_initials LIKE :q_initials")
        clauses.append("(" + " OR ".join(match) + ")")
    if query.open_now:
        clauses.append("o.open_minutes @> CAST(:minute AS integer)")
        clauses.append("NOT (CAST(:holiday AS boolean) AND o.closed_on_holidays)")
    if query.extra_where:
        clauses.append(query.extra_where)
        params.update(dict(query.extra_params))
    return " AND ".join(clauses)


def _base_params(query: NearbyQuery) -> dict:
    moment = now_local()
    return {
        "lng": query.lng,
        "lat": query.lat,
        "minute": minute_of_week(moment),
        "holiday": is_public_holiday(moment.date()),
    }


POINT = "CAST(ST_SetSRID(ST_MakePoint(:lng, :lat), 4326) AS geography)"


def _page_by_distance(query: NearbyQuery, radius: int, params: dict, where: str) -> list[dict]:
    offset = (query.page - 1) * query.page_size
    limit = query.page_size + 1  # one more tells whether there is a next page
    params.update(
        radius=radius,
        r_search=radius * RADIUS_SLACK,
        k=offset + limit,
        limit=limit,
        offset=offset,
        slack=SPHERE_TO_ELLIPSOID_SLACK,
    )
    # The point is written out in place (not a CTE) so the planner sees a constant the GiST index can
    # order by (`Order By: location <-> point`); a CTE value forces a sort of every candidate. The KNN
    # step is bounded by the index box rather than ST_DWithin: PostGIS estimates ST_DWithin on geography
    # ~100x too low, which led the planner to bitmap scans, parallel workers and JIT (15-800 ms); the box
    # is estimated right. Extra rows the box admits cannot change the cutoff, which is capped at r_search.
    sql = f"""
    WITH knn AS (
        SELECT o.location <-> {POINT} AS ds FROM outlets o
        WHERE {where} AND o.location && _ST_Expand({POINT}, CAST(:r_search AS float8))
        ORDER BY o.location <-> {POINT} LIMIT :k
    ),
    cutoff AS (SELECT CASE WHEN count(*) < :k THEN CAST(:r_search AS float8)
                           ELSE LEAST(max(ds) * :slack, :r_search) END AS d FROM knn)
    SELECT {ITEM_COLUMNS}, ST_Distance(o.location, {POINT}, true) AS distance_m
    FROM outlets o, cutoff
    WHERE {where} AND ST_DWithin(o.location, {POINT}, cutoff.d, false)
      AND ST_Distance(o.location, {POINT}, true) <= :radius
    ORDER BY distance_m, o.id
    LIMIT :limit OFFSET :offset
    """
    return _rows(sql, params)


def _page_by_rating(query: NearbyQuery, radius: int, params: dict, where: str) -> list[dict]:
    offset = (query.page - 1) * query.page_size
    params.update(radius=radius, limit=query.page_size + 1, offset=offset)
    sql = f"""
    SELECT {ITEM_COLUMNS}, ST_Distance(o.location, {POINT}, true) AS distance_m
    FROM outlets o
    WHERE {where} AND ST_DWithin(o.location, {POINT}, :radius, true)
    ORDER BY o.rating_avg DESC NULLS LAST, o.rating_count DESC, distance_m, o.id
    LIMIT :limit OFFSET :offset
    """
    return _rows(sql, params)


def _count_up_to(query: NearbyQuery, radius: int, params: dict, where: str, cap: int) -> int:
    sql = f"""
    SELECT count(*) FROM (SELECT 1 FROM outlets o
        WHERE {where} AND ST_DWithin(o.location, {POINT}, :radius, true) LIMIT :cap) AS hit
    """
    return reads.scalar(sql, {**params, "radius": radius, "cap": cap})


def _rows(sql: str, params: dict) -> list[dict]:
    return reads.rows(sql, params)  # the read path: autocommit, prepared, a replica when configured


def _radius_for(query: NearbyQuery, params: dict, where: str) -> int:
    """auto_extend: the smallest step radius whose results fill a page (Tencent place search does the same)."""
    if not query.auto_extend:
        return query.radius
    steps = [query.radius] + [r for r in AUTO_EXTEND_STEPS if r > query.radius]
    for radius in steps[:-1]:
        if _count_up_to(query, radius, params, where, query.page_size) >= query.page_size:
            return radius
    return steps[-1]


def search_nearby(query: NearbyQuery) -> tuple[list[dict], int, bool]:
    """Approved outlets near a WGS-84 point → (page of rows, radius used, has_more)."""
    params = _base_params(query)
    where = _filters(query, params)
    radius = _radius_for(query, params, where)
    if query.sort == "rating":
        rows = _page_by_rating(query, radius, params, where)
    else:
        rows = _page_by_distance(query, radius, params, where)
    has_more = len(rows) > query.page_size
    return rows[: query.page_size], radius, has_more
