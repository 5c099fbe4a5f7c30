"""Turns stored outlet rows (WGS-84) into the contract's items, in the coordinate system asked for.

The bottom of the outlet pages: repair items, stall schedules and ratings are added one layer up
(app/places/page.py), so outlets depends on none of them.
"""

from flask import current_app

from app.common import clock, geo
from app.outlets import stalls
from app.outlets.hours import hours_text, hours_text_of_json, is_open


def walking() -> tuple[float, float]:
    """(speed in m/min, detour factor) of every item's walk_minutes."""
    config = current_app.config
    return config["WALK_SPEED_M_PER_MIN"], config["WALK_DETOUR_FACTOR"]


def walk_minutes(distance_m: float | None, pace: tuple[float, float] | None = None) -> int | None:
    if distance_m is None:
        return None
    return geo.walk_minutes(distance_m, *(pace or walking()))


def item(row: dict, coord: str, schedule: list[dict] | None = None, pace: tuple[float, float] | None = None) -> dict:
    """One outlet row → the contract's item; a mobile stall's hours are its schedule (given as `schedule`).
    `pace`: `walking()` read once for a whole page."""
    distance = row.get("distance_m")
    result = {
        **row,
        "location": geo.point_out(row["lng"], row["lat"], coord),
        "distance_m": None if distance is None else int(round(distance)),
        "walk_minutes": walk_minutes(distance, pace),
        "hours_text": (
            hours_text_of_json(row["hours_json"], row["open_24h"], row["closed_on_holidays"])
            if "hours_json" in row  # the read path's rows (search.py): the column as text, decoded only if new
            else hours_text(row["hours"] or {}, row["open_24h"], row["closed_on_holidays"])
        ),
        "rating": {
            "avg": None if row["rating_avg"] is None else round(row["rating_avg"], 2),
            "count": row["rating_count"],
        },
        "photo_urls": [p["url"] if isinstance(p, dict) else p for p in row["photos"] or []],
    }
    if row.get("mobile"):
        result["hours_text"] = stalls.stall_status(schedule or [])["hours_text"]
    return result


def items(rows: list[dict], coord: str) -> list[dict]:
    """A page of rows → items; the stalls among them read their schedules (one query, only if any)."""
    schedules = stalls.schedules_for([row["id"] for row in rows if row.get("mobile")])
    pace = walking()
    return [item(row, coord, schedules.get(row["id"]), pace) for row in rows]


def detail(outlet, lnglat: tuple[float, float], coord: str, distance_m: float | None, schedule: list[dict]) -> dict:
    """The outlet's own part of its page; a mobile stall is where its schedule says now (or next)."""
    row = {column.key: getattr(outlet, column.key) for column in outlet.__table__.columns if column.key != "location"}
    row.update(lng=lnglat[0], lat=lnglat[1], distance_m=distance_m)
    if outlet.mobile:
        row["open_now"] = outlet.status == "approved" and stalls.stall_status(schedule)["open_now"]
    else:
        row["open_now"] = outlet.status == "approved" and is_open(
            outlet.hours or {}, outlet.open_24h, outlet.closed_on_holidays, clock.now_local()
        )
    result = item(row, coord, schedule)
    result["avg_spend"] = None if outlet.avg_spend is None else float(outlet.avg_spend)
    result["services"] = {
        "add_on": list(outlet.services or []),
        "delivery": outlet.delivery,
        "accepts_cash": outlet.accepts_cash,
        "elderly_friendly": outlet.elderly_friendly,
        "face_to_face": outlet.face_to_face,
        "qr_payment": outlet.qr_payment,
        "open_24h": outlet.open_24h,
    }
    result["mobile"], result["on_site"] = outlet.mobile, outlet.on_site_service
    result["schedule"] = [slot_out(slot, coord) for slot in schedule]
    return result


def slot_out(slot: dict, coord: str) -> dict:
    """A stall place (WGS-84 lng/lat) → its public shape, the place only as `location` in `coord`."""
    return {
        **{k: v for k, v in slot.items() if k not in ("lng", "lat")},
        "location": geo.point_out(slot["lng"], slot["lat"], coord),
    }
