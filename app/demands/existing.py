"""Filing "missing" for something that exists: the nearest outlets of the type, shown before submitting.

A resident who still files (the shop is too expensive, often closed, poor) says why; that reason and the
outlets they were shown stay on the need, so staff read "there is one 101 m away, but it is too expensive"
instead of a bare "missing".
"""

from app.common.errors import Conflict
from app.demands.models import EXISTING_REASONS
from app.outlets import present as outlet_present
from app.outlets.search import NearbyQuery, search_nearby
from app.taxonomy.registry import taxonomy

SHOWN = 5  # nearest outlets shown


def nearest_of_type(business_type: str, lng: float, lat: float, limit: int = SHOWN) -> tuple[list[dict], int]:
    """Approved, open-for-business outlets of the type within its walking radius, nearest first (WGS-84 rows)."""
    radius = taxonomy().business_type(business_type).radius_m
    found, _ = search_nearby(NearbyQuery(lng=lng, lat=lat, radius=radius, types=(business_type,), page_size=limit))
    return found.items, radius


def outlets_out(rows: list[dict], coord: str) -> list[dict]:
    keys = ("id", "name", "address", "location", "distance_m", "walk_minutes", "open_now", "hours_text")
    return [{k: item[k] for k in keys} for item in (outlet_present.item(row, coord) for row in rows)]


def reasons_out() -> list[dict]:
    return [{"code": code, "name": name} for code, name in EXISTING_REASONS.items()]


def hint(business_type: str, lng: float, lat: float, coord: str) -> dict:
    """What the filing page shows once a type is chosen."""
    rows, radius = nearest_of_type(business_type, lng, lat)
    return {
        "business_type": business_type,
        "radius_m": radius,
        "items": outlets_out(rows, coord),
        "reason_required": bool(rows),
        "reasons": reasons_out(),
    }


def check_missing(
    business_type: str, lng: float, lat: float, reason: str | None, coord: str, nearest=None
) -> list[int]:
    """Refuses a "missing" need without a reason while outlets of the type exist nearby; returns their ids.
    `nearest`: `nearest_of_type`'s answer for the same type and point, when the caller read it already."""
    rows, radius = nearest if nearest is not None else nearest_of_type(business_type, lng, lat)
    if rows and reason is None:
        nearest = rows[0]
        name = taxonomy().business_type(business_type).name_zh
        raise Conflict(
            f"附近 {int(round(nearest['distance_m']))} 米已有{name}「{nearest['name']}」；"
            "如仍需提交，请说明理由（价格太贵、经常关门、质量差等）",
            code="existing_outlets",
            details={
                "existing_reason": ["附近已有同类网点，请选择理由后再提交"],
                "nearest": {"radius_m": radius, "items": outlets_out(rows, coord), "reasons": reasons_out()},
            },
        )
    return [row["id"] for row in rows]
