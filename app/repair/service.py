"""Repair-map use cases: offers with prices, stall schedules, service areas, per-circle coverage.

`set_offers`, `set_schedule` and `set_service_area` are building blocks the merchants package calls
inside its own transaction (no commit here); `price_list_for` feeds the outlet detail.
"""

from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import cast, delete, func, select

from app.circles.models import Circle
from app.common import clock
from app.common.errors import ValidationFailed
from app.extensions import db
from app.outlets.hours import HoursError, hours_text, is_open, validate_weekly, week_multirange
from app.outlets.models import Outlet
from app.outlets.service import wgs84_point
from app.repair.models import RepairOffer, StallSlot
from app.repair.search import RepairQuery, search_repair  # noqa: F401  (the nearby use case)
from app.taxonomy.registry import taxonomy

MAX_SLOTS = 20
MAX_OFFERS = 40


def service_names() -> dict[str, str]:
    return {s.code: s.name_zh for s in taxonomy().repair_services}


def check_offers(items: list[dict], field: str = "repair_services") -> list[dict]:
    """Known codes, each once, prices non-negative and min ≤ max; returns normalised items."""
    names, errors, seen, normalised = service_names(), [], set(), []
    if len(items) > MAX_OFFERS:
        raise ValidationFailed(details={field: [f"最多 {MAX_OFFERS} 个服务项目"]})
    for item in items:
        code = item.get("code")
        low, high = item.get("price_min"), item.get("price_max")
        if code not in names:
            errors.append(f"未知的维修服务项目：{code}")
        elif code in seen:
            errors.append(f"服务项目重复：{code}")
        elif low is None or Decimal(str(low)) < 0 or (high is not None and Decimal(str(high)) < 0):
            errors.append(f"{names[code]} 的价格不能为负数或缺失")
        elif high is not None and Decimal(str(high)) < Decimal(str(low)):
            errors.append(f"{names[code]} 的最高价低于最低价")
        seen.add(code)
        normalised.append({**item, "unit": item.get("unit") or "次", "price_max": high})
    if errors:
        raise ValidationFailed("维修服务项目有误", details={field: errors})
    return normalised


def set_offers(outlet: Outlet, items: list[dict]) -> None:
    items = check_offers(items)
    db.session.execute(delete(RepairOffer).where(RepairOffer.outlet_id == outlet.id))
    for item in items:
        db.session.add(
            RepairOffer(
                outlet_id=outlet.id,
                service_code=item["code"],
                price_min=item["price_min"],
                price_max=item.get("price_max"),
                unit=item["unit"],
                note=item.get("note"),
            )
        )


def check_schedule(slots: list[dict], field: str = "schedule") -> list[dict]:
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
    slots = check_schedule(slots)
    db.session.execute(delete(StallSlot).where(StallSlot.outlet_id == outlet.id))
    for slot in slots:
        db.session.add(
            StallSlot(
                outlet_id=outlet.id,
                location=wgs84_point(slot["lng"], slot["lat"]),
                address=slot["address"],
                hours=slot["hours"],
                open_minutes=week_multirange(slot["hours"], False),
            )
        )


def check_service_area(area: dict | None, field: str = "service_area") -> dict:
    """{"circle_ids": [...]} or {"radius_m": n} (around the outlet's location)."""
    area = area or {}
    circle_ids, radius = list(dict.fromkeys(area.get("circle_ids") or [])), area.get("radius_m")
    if bool(circle_ids) == (radius is not None):
        raise ValidationFailed(details={field: ["上门服务范围需填写生活圈列表或服务半径（二选一）"]})
    if circle_ids:
        known = set(db.session.scalars(select(Circle.id).where(Circle.id.in_(circle_ids))))
        missing = [i for i in circle_ids if i not in known]
        if missing:
            raise ValidationFailed(details={field: [f"生活圈不存在：{missing}"]})
    return {"circle_ids": circle_ids, "radius_m": radius}


def set_service_area(outlet: Outlet, on_site: bool, area: dict | None) -> None:
    if not on_site:
        outlet.on_site_service, outlet.service_circle_ids, outlet.service_radius_m = False, [], None
        return
    area = check_service_area(area)
    outlet.on_site_service = True
    outlet.service_circle_ids, outlet.service_radius_m = area["circle_ids"], area["radius_m"]


def _price(value) -> float | None:
    return None if value is None else float(value)


def price_lists_for(outlet_ids) -> dict[int, list[dict]]:
    """Each outlet's repair items with shown prices (明码标价), in taxonomy order."""
    names = service_names()
    order = {code: i for i, code in enumerate(names)}
    result = {outlet_id: [] for outlet_id in outlet_ids}
    offers = db.session.scalars(select(RepairOffer).where(RepairOffer.outlet_id.in_(list(result))))
    for o in sorted(offers, key=lambda o: (o.outlet_id, order.get(o.service_code, len(order)))):
        result[o.outlet_id].append(
            {
                "code": o.service_code,
                "name_zh": names.get(o.service_code, o.service_code),
                "price_min": _price(o.price_min),
                "price_max": _price(o.price_max),
                "unit": o.unit,
                "note": o.note,
            }
        )
    return result


def price_list_for(outlet_id: int) -> list[dict]:
    """The price list the outlet detail shows: [{code, name_zh, price_min, price_max, unit, note}]."""
    return price_lists_for([outlet_id])[outlet_id]


def schedules_for(outlet_ids) -> dict[int, list[dict]]:
    """Stall places (WGS-84 lng/lat) with their windows and whether the stall is there now."""
    now = clock.now_local()
    result = {outlet_id: [] for outlet_id in outlet_ids}
    rows = db.session.execute(
        select(StallSlot, func.ST_X(cast(StallSlot.location, Geometry)), func.ST_Y(cast(StallSlot.location, Geometry)))
        .where(StallSlot.outlet_id.in_(list(result)))
        .order_by(StallSlot.outlet_id, StallSlot.id)
    )
    for slot, lng, lat in rows:
        result[slot.outlet_id].append(
            {
                "id": slot.id,
                "lng": lng,
                "lat": lat,
                "address": slot.address,
                "hours": slot.hours,
                "hours_text": hours_text(slot.hours, False),
                "present_now": is_open(slot.hours, False, False, now),
            }
        )
    return result


def schedule_for(outlet_id: int) -> list[dict]:
    return schedules_for([outlet_id])[outlet_id]
