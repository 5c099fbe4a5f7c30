"""This year's community promotion events (促消费活动) and the staff's on-site assessments of a circle, as
its scenario says. Every note and description says the row is demo data."""

import random
from datetime import timedelta

from geoalchemy2.elements import WKTElement

from app.demo import scenarios, texts
from app.demo.context import CircleContext, Clock
from app.evaluation.profiles import get_profile

MARKET_TYPES = ("wet_market", "fresh_grocery")


def point(lng: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lng} {lat})", srid=4326)


def _organiser(ctx: CircleContext, community: str, rng: random.Random) -> str:
    office = f"{ctx.street}办事处" if ctx.street else f"{ctx.district}人民政府"
    return rng.choice(texts.ORGANISERS).format(p=community, s=office)


def _event(ctx: CircleContext, staff_id: int, starts_on, rng: random.Random) -> dict:
    theme = rng.choice(sorted(texts.EVENTS))
    place = rng.choice(ctx.outlets)
    community = ctx.community_name(place)
    title = rng.choice(texts.EVENTS[theme]).format(p=community, c=ctx.short)
    where = rng.choice(texts.EVENT_PLACES)
    return {
        "circle_id": ctx.id,
        "title": title,
        "theme": theme,
        "description": f"{title}：辖区商户现场让利、便民服务摊位集中服务居民。演示数据（程序生成）。",
        "location": point(place.lng + rng.uniform(-3e-4, 3e-4), place.lat + rng.uniform(-3e-4, 3e-4)),
        "address": f"{community}{where}",
        "starts_on": starts_on,
        "ends_on": starts_on + timedelta(days=rng.choice((0, 0, 1, 2))),
        "organiser": _organiser(ctx, community, rng),
        "created_by": staff_id,
    }


def event_rows(ctx: CircleContext, staff_id: int, clock: Clock, rng: random.Random) -> list[dict]:
    """Held events (they count this year) and, in well-run circles, one announced for the coming weeks."""
    held = rng.randint(*ctx.scenario.events)
    rows = [_event(ctx, staff_id, clock.moment(rng).date(), rng) for _ in range(held)]
    if ctx.scenario.key in scenarios.RATED:
        rows.append(_event(ctx, staff_id, clock.now.date() + timedelta(days=rng.randint(5, 30)), rng))
    return rows


def _names(codes: list[str], names: dict) -> str:
    return "、".join(names[code] for code in codes)


def _facility(present: bool, level: str, rng: random.Random, services: list[str]) -> dict | None:
    """A facility's value for the level of the circle's scenario, or None when staff have not assessed it."""
    if not present or level == "none":
        return None
    if level == "poor" or (level == "partial" and rng.random() < 0.5):
        return {"to_standard": False, "area_sufficient": rng.random() < 0.5, "missing_services": []}
    gaps = 0 if level == "good" and rng.random() < 0.6 else 1 if level == "good" else rng.randint(1, 2)
    area = level == "good" or rng.random() < 0.6
    return {"to_standard": True, "area_sufficient": area, "missing_services": sorted(rng.sample(services, gaps))}


def _verdict(item: str, value: dict, names: dict) -> str:
    if "level" in value:
        return {"full": "符合要求、商居和谐", "basic": "基本符合，个别商户存在占道经营", "none": "不符合，投诉较多"}[
            value["level"]
        ]
    if "meets" in value:
        return "符合要求" if value["meets"] else "导视标识不全，部分区域无监控"
    if not value["to_standard"]:
        return "未达到标准要求"
    parts = ["达到标准"] + ([] if value["area_sufficient"] else ["面积不足"])
    if value["missing_services"]:
        parts.append(f"缺少{_names(value['missing_services'], names)}")
    return "，".join(parts)


def assessment_rows(ctx: CircleContext, staff_id: int, clock: Clock, rng: random.Random) -> list[dict]:
    level = ctx.scenario.staff
    if level == "none":
        return []
    service = get_profile(None).service
    lists = {
        "vegetable_market": (any(t in ctx.present for t in MARKET_TYPES), service["market_repair"]["market_services"]),
        "elderly_care": ("elderly_care" in ctx.present, service["elderly_child"]["elderly_services"]),
        "childcare": ("childcare" in ctx.present, service["elderly_child"]["childcare_services"]),
    }
    values = {item: _facility(present, level, rng, sorted(names)) for item, (present, names) in lists.items()}
    harmony = {"good": "full", "fair": "full", "partial": "basic"}.get(level) or rng.choice(("basic", "none"))
    values["harmony"] = {"level": harmony}
    values["smart_environment"] = {"meets": level in ("good", "fair")}
    rows = []
    for item, value in values.items():
        if value is None:
            continue
        names = lists.get(item, (None, {}))[1]
        rows.append(
            {
                "circle_id": ctx.id,
                "item": item,
                "value": value,
                "note": f"{texts.NOTE}{texts.ASSESSMENT_NOTES[item]}，{_verdict(item, value, names)}",
                "assessed_on": clock.moment(rng).date(),
                "user_id": staff_id,
            }
        )
    return rows
