"""Which 小修小补 kinds a circle has: the 好不好 table (item 5, 一菜一修) wants at least 8 kinds."""

from sqlalchemy import text

from app.circles.service import get_circle
from app.common.extensions import db
from app.repair.search import IS_REPAIR_POINT
from app.taxonomy.registry import taxonomy

TARGET_KINDS = 8

# Points that serve a circle: fixed points inside it, mobile stalls with a place inside it, and on-site
# services whose area lists it or whose radius reaches its representative point.
SERVING = f"""
WITH c AS (SELECT id, boundary FROM circles WHERE id = :circle_id),
serving AS (
    SELECT o.id, 'fixed' AS how FROM outlets o, c
    WHERE o.status = 'approved' AND {IS_REPAIR_POINT} AND NOT o.mobile AND NOT o.on_site_service
      AND o.circle_id = c.id
    UNION
    SELECT o.id, 'mobile' FROM outlets o JOIN repair_stall_slots s ON s.outlet_id = o.id, c
    WHERE o.status = 'approved' AND {IS_REPAIR_POINT} AND o.mobile AND ST_Covers(c.boundary, s.location::geometry)
    UNION
    SELECT o.id, 'on_site' FROM outlets o, c
    WHERE o.status = 'approved' AND {IS_REPAIR_POINT} AND o.on_site_service AND NOT o.mobile
      AND (c.id = ANY(o.service_circle_ids) OR (o.service_radius_m IS NOT NULL
           AND ST_DWithin(o.location, CAST(ST_PointOnSurface(c.boundary) AS geography), o.service_radius_m, true)))
)
"""


def service_coverage(circle_id: int) -> dict:
    """Each taxonomy repair item with how many points serving the circle offer it, and the kinds missing."""
    circle = get_circle(circle_id)
    params = {"circle_id": circle_id}
    counts = {
        row.service_code: row
        for row in db.session.execute(
            text(
                SERVING
                + """SELECT ro.service_code, count(DISTINCT s.id) AS points,
                      count(DISTINCT s.id) FILTER (WHERE s.how = 'fixed') AS fixed,
                      count(DISTINCT s.id) FILTER (WHERE s.how = 'mobile') AS mobile,
                      count(DISTINCT s.id) FILTER (WHERE s.how = 'on_site') AS on_site
                   FROM serving s JOIN repair_offers ro ON ro.outlet_id = s.id GROUP BY ro.service_code"""
            ),
            params,
        )
    }
    total = db.session.execute(text(SERVING + "SELECT count(DISTINCT id) FROM serving"), params).scalar_one()
    items = []
    for service in taxonomy().repair_services:
        row = counts.get(service.code)
        items.append(
            {
                "code": service.code,
                "name_zh": service.name_zh,
                "points": row.points if row else 0,
                "fixed": row.fixed if row else 0,
                "mobile": row.mobile if row else 0,
                "on_site": row.on_site if row else 0,
            }
        )
    offered = [i["code"] for i in items if i["points"]]
    return {
        "circle_id": circle.id,
        "circle_name": circle.name,
        "repair_points": total,
        "items": items,
        "kinds_offered": len(offered),
        "kinds_missing": [i["code"] for i in items if not i["points"]],
        "target_kinds": TARGET_KINDS,
        "meets_target": len(offered) >= TARGET_KINDS,
    }
