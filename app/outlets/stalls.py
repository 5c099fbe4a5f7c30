"""Mobile stalls (流动摊点): where a stall is now, and its schedule as its opening hours.

A stall has no fixed place: it is found at the place of its schedule where it is now, or else where it goes
next (wrapping the week), and it is open while it is at one of its places. This one rule serves every view
of a stall: general nearby search, the repair map and the outlet page (SQL below for the searches,
`stall_status` for Python). The repair package builds its map on these; merchants set schedules through
`set_schedule`.
"""

from sqlalchemy import text

from app.common import clock, geo, reads
from app.common.errors import ValidationFailed
from app.common.extensions import db
from app.common.models import replace_children
from app.outlets.hours import (
    MINUTES_PER_WEEK,
    HoursError,
    hours_text,
    is_open,
    minute_of_week,
    validate_weekly,
    week_multirange,
)
from app.outlets.models import Outlet, StallSlot

MAX_SLOTS = 20

# Whether the stall is at slot `s` at :minute (minute of the week, Asia/Shanghai).
PRESENT_NOW = "COALESCE(s.open_minutes @> CAST(:minute AS integer), false)"
# Minutes from :minute until the start of each window of slot `s`, wrapping the week; the smallest is its
# next visit there.
NEXT_START = f"""(SELECT min(((lower(r) - CAST(:minute AS integer)) % {MINUTES_PER_WEEK} + {MINUTES_PER_WEEK})
    % {MINUTES_PER_WEEK}) FROM unnest(s.open_minutes) AS r)"""


def current_places_sql(where: str, outlet_ids: str | None = None) -> str:
    """SELECT of each mobile stall's place now (or next): outlet_id, slot_id, g, address, present_now.

    `where` filters the stalls (over `o`, trusted SQL built by the caller); `outlet_ids` optionally
    narrows them first (a subquery, e.g. the stalls with a place near the resident).
    """
    narrow = f" AND o.id IN ({outlet_ids})" if outlet_ids else ""
    return f"""
        SELECT DISTINCT ON (s.outlet_id) s.outlet_id, s.id AS slot_id, s.location AS g, s.address,
               {PRESENT_NOW} AS present_now
        FROM repair_stall_slots s JOIN outlets o ON o.id = s.outlet_id
        WHERE {where} AND o.mobile{narrow}
        ORDER BY s.outlet_id, present_now DESC, {NEXT_START} NULLS LAST, s.id"""


def check_schedule(slots: list[dict], field: str = "schedule") -> list[dict]:
    """Places (WGS-84 lng/lat) with weekly windows: at most MAX_SLOTS, each with a valid, non-empty week."""
    if len(slots) > MAX_SLOTS:
        raise ValidationFailed(details={field: [f"最多 {MAX_SLOTS} 个摆摊地点"]})
    normalised = []
    for i, slot in enumerate(slots):
        try:
            hours = validate_weekly(slot.get("hours") or {})
        except HoursError as error:
            raise ValidationFailed(details={field: [f"第 {i + 1} 个地点：{error}"]}) from None
        if not hours:
            raise ValidationFailed(details={field: [f"第 {i + 1} 个地点没有出摊时段"]})
        normalised.append(
            {"lng": slot["lng"], "lat": slot["lat"], "address": slot.get("address") or "", "hours": hours}
        )
    return normalised


def set_schedule(outlet: Outlet, slots: list[dict]) -> None:
    """Replaces the stall's places (a building block: the caller's transaction commits)."""
    rows = [
        {
            "location": geo.point(slot["lng"], slot["lat"]),
            "address": slot["address"],
            "hours": slot["hours"],
            "open_minutes": week_multirange(slot["hours"], False),
        }
        for slot in check_schedule(slots)
    ]
    replace_children(StallSlot.outlet_id, outlet.id, rows)


def schedules_for(outlet_ids) -> dict[int, list[dict]]:
    """Stall places (WGS-84 lng/lat) with their windows and whether the stall is there now. On the read path
    (app/common/reads.py), where a search page read its rows."""
    now = clock.now_local()
    slots = reads.rows_of_each(
        "SELECT id, outlet_id, ST_X(location::geometry) AS lng, ST_Y(location::geometry) AS lat, address, hours"
        " FROM repair_stall_slots WHERE outlet_id = ANY(CAST(:ids AS bigint[])) ORDER BY outlet_id, id",
        outlet_ids,
    )
    return {
        outlet_id: [
            {
                "id": slot["id"],
                "lng": slot["lng"],
                "lat": slot["lat"],
                "address": slot["address"],
                "hours": slot["hours"],
                "hours_text": hours_text(slot["hours"], False),
                "present_now": is_open(slot["hours"], False, False, now),
            }
            for slot in items
        ]
        for outlet_id, items in slots.items()
    }


def schedule_for(outlet_id: int) -> list[dict]:
    return schedules_for([outlet_id])[outlet_id]


def stall_status(schedule: list[dict]) -> dict:
    """A stall's `hours_text` (each place with its windows) and `open_now` (at one of its places now)."""
    if not schedule:
        return {"hours_text": hours_text({}, False), "open_now": False}
    text = "；".join(f"{slot['address'] or '流动'}：{slot['hours_text']}" for slot in schedule)
    return {"hours_text": text, "open_now": any(slot["present_now"] for slot in schedule)}


def current_slots(outlet_ids) -> dict[int, int]:
    """Each stall's place now (or next): outlet id → slot id, by the same rule as the searches."""
    ids = list(outlet_ids)
    if not ids:
        return {}
    sql = f"SELECT pl.outlet_id, pl.slot_id FROM ({current_places_sql('o.id = ANY(:ids)')}) AS pl"
    rows = db.session.execute(text(sql), {"ids": ids, "minute": minute_of_week(clock.now_local())})
    return {outlet_id: slot_id for outlet_id, slot_id in rows}


def place_now(schedule: list[dict], slot_id: int | None) -> dict | None:
    """The schedule's entry of the place a stall is at now (or goes next), if it has one."""
    return next((slot for slot in schedule if slot["id"] == slot_id), None)
