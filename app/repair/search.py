"""Repair nearby: fixed repair points, mobile stalls at the place they are now (or next), and on-site
services whose area holds the resident — one SQL query per page, ordered by ellipsoidal distance.

The repair subset of outlets is small (hundreds per city), so exact ST_DWithin(…, true) filtering with
the GiST index is enough; no sphere-then-ellipsoid two-step as in the general nearby search.
"""

from dataclasses import dataclass

from app.common import clock, reads
from app.common.geo import POINT_SQL
from app.common.paging import Page, window
from app.outlets.hours import is_public_holiday, minute_of_week
from app.outlets.search import OPEN_NOW, RADIUS_SLACK
from app.outlets.stalls import current_places_sql

# Written so the planner can combine indexes (BitmapOr of the types GIN index and the ids with offers, ANDed
# with the location box): with `'repair' = ANY(types) OR EXISTS (…)` it walked every outlet in the box and
# measured each one's ellipsoidal distance (~18,000 rows at 1M outlets: 0.3-0.9 s).
IS_REPAIR_POINT = (
    "(o.types && CAST(ARRAY['repair'] AS varchar[]) OR o.id = ANY(ARRAY(SELECT ro.outlet_id FROM repair_offers ro)))"
)
# The fixed points near here, written so each arm of the OR is one index scan: the repair points' own spatial
# index (ix_outlets_repair_location, partial: its predicate is the first test here) for the box, or the ids with
# offers. Through the ANDed box and the types GIN index instead, the box's every outlet met the city's every
# repair point in a bitmap (≈ 18,500 and ≈ 22,500 rows: ≈ 17 ms); through the search index (the repair type as
# a lexeme) the box's every outlet's lexemes were tested (≈ 800 index pages at 1M outlets). The exact radius is
# then ST_Distance on those few rows, not ST_DWithin, whose own box would be ANDed in as a scan again.
NEAR_REPAIR_POINT = (
    "((o.types && CAST(ARRAY['repair'] AS varchar[])"
    f" AND o.location && _ST_Expand({POINT_SQL}, CAST(:radius AS float8) * {RADIUS_SLACK}))"
    " OR o.id = ANY(ARRAY(SELECT ro.outlet_id FROM repair_offers ro)))"
)


@dataclass(frozen=True)
class RepairQuery:
    lng: float  # WGS-84
    lat: float
    radius: int = 1000
    services: tuple[str, ...] = ()
    present_now: bool = False
    sort: str = "distance"
    page: int = 1
    page_size: int = 20


def _where(query: RepairQuery, params: dict) -> str:
    clauses = ["o.status = 'approved'"]
    if query.services:
        clauses.append(
            "EXISTS (SELECT 1 FROM repair_offers rs WHERE rs.outlet_id = o.id"
            " AND rs.service_code = ANY(CAST(:services AS varchar[])))"
        )
        params["services"] = list(query.services)
    return " AND ".join(clauses)


def _sql(where: str, query: RepairQuery) -> str:
    """`where`: the filters on an outlet apart from being a repair point (IS_REPAIR_POINT / NEAR_REPAIR_POINT)."""
    anywhere = f"{where} AND {IS_REPAIR_POINT}"
    present = "WHERE pl.present_now" if query.present_now else ""
    if query.sort == "rating":  # ranked by the outlet's columns: every place joined, then the page
        source = f"places pl JOIN outlets o ON o.id = pl.outlet_id {present}"
        order = "o.rating_avg DESC NULLS LAST, o.rating_count DESC, pl.distance_m, o.id"
        page = "LIMIT :limit OFFSET :offset"
    else:  # by distance: the page of places first, then only its outlets read (255 → 21 at 1M outlets)
        source = f"""(SELECT * FROM places pl {present} ORDER BY pl.distance_m, pl.outlet_id
                 LIMIT :limit OFFSET :offset) AS pl JOIN outlets o ON o.id = pl.outlet_id"""
        order, page = "pl.distance_m, o.id", ""
    return f"""
    WITH p AS (SELECT {POINT_SQL} AS g),
    here AS (SELECT COALESCE(array_agg(c.id), '{{}}') AS ids FROM circles c, p
             WHERE ST_Covers(c.boundary, p.g::geometry)),
    stall AS ({current_places_sql(anywhere)}
    ),
    places AS (
        SELECT o.id AS outlet_id, CAST(NULL AS integer) AS slot_id, o.location AS g, o.address,
               {OPEN_NOW} AS present_now, false AS on_site,
               ST_Distance(o.location, p.g, true) AS distance_m
        FROM outlets o, p
        WHERE {where} AND {NEAR_REPAIR_POINT} AND NOT o.mobile AND NOT o.on_site_service
          AND ST_Distance(o.location, p.g, true) <= :radius
        UNION ALL
        SELECT st.outlet_id, st.slot_id, st.g, st.address, st.present_now, false, ST_Distance(st.g, p.g, true)
        FROM stall st, p WHERE ST_DWithin(st.g, p.g, :radius, true)
        UNION ALL
        SELECT o.id, NULL, o.location, o.address, {OPEN_NOW}, true, 0.0
        FROM outlets o, p, here
        WHERE {anywhere} AND o.on_site_service AND NOT o.mobile
          AND (o.service_circle_ids && here.ids
               OR (o.service_radius_m IS NOT NULL AND ST_DWithin(o.location, p.g, o.service_radius_m, true)))
    )
    SELECT o.id, o.name, o.types, pl.address, o.phone, CAST(o.hours AS text) AS hours_json, o.open_24h,
           o.closed_on_holidays, o.photos,
           o.chain, o.brand, o.online, o.delivery, o.rating_avg, o.rating_count, o.synthetic, o.circle_id,
           o.community_id, o.status, o.mobile, pl.slot_id, pl.present_now, pl.present_now AS open_now,
           pl.on_site, pl.distance_m, ST_X(pl.g::geometry) AS lng, ST_Y(pl.g::geometry) AS lat
    FROM {source}
    ORDER BY {order}
    {page}
    """


def search_repair(query: RepairQuery) -> Page:
    """A page of repair points near a WGS-84 point (rows with lng/lat of the place)."""
    moment = clock.now_local()
    offset, limit = window(query.page, query.page_size)
    params = {
        "lng": query.lng,
        "lat": query.lat,
        "radius": query.radius,
        "minute": minute_of_week(moment),
        "holiday": is_public_holiday(moment.date()),
        "limit": limit,
        "offset": offset,
    }
    where = _where(query, params)
    return Page.of(reads.rows(_sql(where, query), params), query.page, query.page_size)
