"""Turns stored outlet rows (WGS-84) into the contract's items, in the coordinate system asked for."""

from flask import current_app

from app.common import geo
from app.common.clock import now_local
from app.outlets.hours import hours_text, is_open


def point_out(lng: float, lat: float, coord: str) -> dict:
    out_lng, out_lat = geo.from_wgs84(lng, lat, coord)
    return {"lat": round(out_lat, 7), "lng": round(out_lng, 7)}


def walk_minutes(distance_m: float | None) -> int | None:
    if distance_m is None:
        return None
    config = current_app.config
    return geo.walk_minutes(distance_m, config["WALK_SPEED_M_PER_MIN"], config["WALK_DETOUR_FACTOR"])


def item(row: dict, coord: str) -> dict:
    distance = row.get("distance_m")
    return {
        **row,
        "location": point_out(row["lng"], row["lat"], coord),
        "distance_m": None if distance is None else int(round(distance)),
        "walk_minutes": walk_minutes(distance),
        "hours_text": hours_text(row["hours"] or {}, row["open_24h"], row["closed_on_holidays"]),
        "rating": {
            "avg": None if row["rating_avg"] is None else round(row["rating_avg"], 2),
            "count": row["rating_count"],
        },
        "photo_urls": [p["url"] if isinstance(p, dict) else p for p in row["photos"] or []],
    }


def detail(outlet, lnglat: tuple[float, float], coord: str, distance_m: float | None) -> dict:
    row = {column.key: getattr(outlet, column.key) for column in outlet.__table__.columns if column.key != "location"}
    row.update(lng=lnglat[0], lat=lnglat[1], distance_m=distance_m)
    row["open_now"] = outlet.status == "approved" and is_open(
        outlet.hours or {}, outlet.open_24h, outlet.closed_on_holidays, now_local()
    )
    result = item(row, coord)
    result["avg_spend"] = None if outlet.avg_spend is None else float(outlet.avg_spend)
    result["services"] = {
        "add_on": list(outlet.services or []),
        "delivery": outlet.delivery,
        "accepts_cash": outlet.accepts_cash,
        "elderly_friendly": outlet.elderly_friendly,
        "qr_payment": outlet.qr_payment,
        "open_24h": outlet.open_24h,
    }
    # repair and ratings build on outlets, not the reverse: imported here to keep the dependency one-way
    from app.ratings.service import recent_ratings_for
    from app.repair.service import price_list_for, schedule_for

    result["price_list"] = price_list_for(outlet.id)
    result["mobile"], result["on_site"] = outlet.mobile, outlet.on_site_service
    result["schedule"] = [{**s, "location": point_out(s["lng"], s["lat"], coord)} for s in schedule_for(outlet.id)]
    result["recent_ratings"] = recent_ratings_for(outlet.id)
    return result
