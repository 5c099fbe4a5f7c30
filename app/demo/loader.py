"""Writes the demo data: two cities, their plans' circles and communities (upserted by external_id, so
re-running keeps the ids that staff scopes and other rows point at), the synthetic outlets (bulk
upsert; the database trigger assigns each outlet's circle and community from its location) with repair
prices and mobile stalls, and the live year the evaluation reads (activity.py)."""

import random
import zlib
from dataclasses import dataclass, field

from shapely.geometry import MultiPolygon, Polygon, mapping
from sqlalchemy import exists, select

from app.circles.models import Circle
from app.circles.service import find_or_create_city
from app.common.extensions import db
from app.common.tx import write_use_case
from app.demo import enrich, geometry, people, records, repairs, writer
from app.demo.activity import ActivityResult, load_activity
from app.demo.context import stream
from app.demo.outlets import Place, circle_outlets
from app.demo.sources import CircleSpec, circle_specs, shortages
from app.evaluation import invalidation
from app.outlets.models import Outlet

DEFAULT_SEED = 2023
DEFAULT_PER_10K = 72.0  # ≈ 4,000 outlets over the two towns' ~590,000 people
CITIES = {
    "miyun": dict(name="密云区", code="miyun", province="北京市", tier="tier1", standards_profile="miyun"),
    "zhongwei": dict(
        name="中卫市", code="zhongwei", province="宁夏回族自治区", tier="other", standards_profile="zhongwei"
    ),
}
GEOMETRY_NOTE = (
    "演示数据：边界为程序生成的合成几何（位于真实城区中心附近，仅示意，并非测绘边界）；社区边界是生活圈"
    "按人口切分的条带；社区人口拆分与年龄结构、全部网点均为合成数据。"
)


@dataclass
class LoadResult:
    skipped: bool = False
    circles: int = 0
    communities: int = 0
    outlets: int = 0
    fallback_circles: tuple = ()
    activity: ActivityResult | None = None


@dataclass
class CirclePlan:
    spec: CircleSpec
    shape: Polygon | MultiPolygon  # local metres, see geometry.py
    streets: dict  # {"E", "S", "W", "N"} → street name, for addresses
    people: list[people.People]
    strips: list  # one area per community, in the spec's order
    fallback: bool  # placed on the neat grid because its 四至 conflicted
    outlets: list[dict] = field(default_factory=list)


@write_use_case
def load(
    seed: int = DEFAULT_SEED, per_10k: float = DEFAULT_PER_10K, if_empty: bool = False, places_only: bool = False
) -> LoadResult:
    """Loads (or replaces) the demo data; with if_empty, does nothing when any circle exists. With
    places_only: circles, communities and shops as before anyone used the platform (no repair prices or
    stalls, residents, surveys, ratings, needs, projects, events, assessments; an earlier load's go)."""
    if if_empty and db.session.scalar(select(exists().where(Circle.id.is_not(None)))):
        return LoadResult(skipped=True)
    cities = {key: find_or_create_city(**fields) for key, fields in CITIES.items()}
    plans = _plan(seed, per_10k)
    stalls, offers = [], {}
    if not places_only:
        for city in CITIES:
            stalls += repairs.mobile_stalls(city, _city_rows(plans, city), _rng(seed, "stalls", city))
        for plan in plans:
            offers |= repairs.repair_offers(plan.outlets, _rng(seed, plan.spec.external_id, "prices"))
        offers |= repairs.repair_offers([row for row, _ in stalls], _rng(seed, "stall-prices"))
    rows = [row for plan in plans for row in plan.outlets] + [row for row, _ in stalls]
    city_ids = [city.id for city in cities.values()]
    writer.check_names(city_ids, [plan.spec.name for plan in plans])
    staff = records.demo_staff(create=not places_only)
    records.delete_activity(city_ids, staff)
    writer.delete_stale_outlets(city_ids, [row["external_id"] for row in rows])
    writer.upsert_areas(cities, [_circle_fields(plan) for plan in plans])
    writer.upsert_outlets(rows)
    records.write_repairs(_outlet_ids(list(offers) + [row["external_id"] for row, _ in stalls]), offers, stalls)
    specs = {plan.spec.external_id: plan.spec for plan in plans}
    live = None if places_only else load_activity(seed, cities, specs, staff)
    if places_only:
        records.delete_residents()
    records.refresh_ratings(city_ids)
    for city_id in city_ids:  # bulk writes bypass the session hook that versions cached evaluations
        invalidation.invalidate_city(city_id)
    circles, communities, outlets = writer.counts(city_ids)
    fallback = tuple(plan.spec.name for plan in plans if plan.fallback)
    return LoadResult(False, circles, communities, outlets, fallback, live)


_rng = stream  # one stream per circle and purpose


def _city_rows(plans: list["CirclePlan"], city: str) -> list[list[dict]]:
    return [plan.outlets for plan in plans if plan.spec.city == city]


def _outlet_ids(external_ids: list[str]) -> dict[str, int]:
    query = select(Outlet.external_id, Outlet.id).where(Outlet.external_id.in_(external_ids))
    return dict(db.session.execute(query).all())


def _plan(seed: int, per_10k: float) -> list[CirclePlan]:
    """Everything to write, computed in memory first: geometry (metres), people, outlets (WGS-84)."""
    specs = circle_specs()
    layouts = {"miyun": geometry.miyun_layout([s for s in specs if s.city == "miyun"], _rng(seed, "layout", "miyun"))}
    layouts["zhongwei"], fallback = geometry.zhongwei_layout(
        [s for s in specs if s.city == "zhongwei"], _rng(seed, "layout", "zhongwei")
    )
    plans = []
    for spec in specs:
        rng = _rng(seed, spec.external_id)
        shape, streets = layouts[spec.city][spec.no]
        residents = people.community_people(spec, rng)
        strips = geometry.split_strips(shape, [p.population * rng.uniform(0.85, 1.15) for p in residents])
        plans.append(
            CirclePlan(spec, shape, streets, residents, strips, spec.city == "zhongwei" and spec.no in fallback)
        )
    for city in CITIES:
        everyone = [p for plan in plans if plan.spec.city == city for p in plan.people]
        people.make_very_old(everyone, _rng(seed, "very-old", city))
    for plan in plans:
        plan.outlets = _outlets(plan, per_10k, _rng(seed, plan.spec.external_id, "outlets"))
        enrich.add_services(plan.outlets, plan.spec.city, _rng(seed, plan.spec.external_id, "services"))
    return plans


def _outlets(plan: CirclePlan, per_10k: float, rng: random.Random) -> list[dict]:
    spec = plan.spec
    gaps = shortages() if spec.city == "zhongwei" else {}

    def points_in(strip):
        def points(n):
            return [geometry.lnglat(spec.city, x, y) for x, y in geometry.sample_points(strip, plan.shape, n, rng)]

        return points

    places = [
        Place(name, p.population, points_in(strip), gaps.get(name))
        for name, p, strip in zip(spec.communities, plan.people, plan.strips, strict=True)
    ]
    return circle_outlets(spec, places, plan.streets, per_10k, rng)


# Made-up community office numbers in each town's format (area code, then 8 or 7 digits), stable per community.
PHONE_FORMATS = {"miyun": ("010", 8), "zhongwei": ("0955", 7)}


def _community_phone(city: str, external_id: str) -> str:
    area, digits = PHONE_FORMATS[city]
    number = zlib.crc32(external_id.encode()) % 10 ** (digits - 1)
    return f"{area}-6{number:0{digits - 1}d}"


def _geojson(shape, city):
    return mapping(geometry.to_wgs84(shape, city))


def _circle_fields(plan: CirclePlan) -> dict:
    spec, streets = plan.spec, plan.streets
    profile = dict(spec.profile, synthetic_geometry=True, geometry_note=GEOMETRY_NOTE)
    if spec.city == "miyun":  # the plan names no boundary streets; the layout's are made up
        profile["synthetic_four_bounds"] = "东至{E}，南至{S}，西至{W}，北至{N}（演示合成街道名）".format(**streets)
    if spec.sparse:
        profile["demo_outlet_density"] = "sparse"  # the plan: 周边生活服务设施少
    if plan.fallback:
        profile["geometry_fallback"] = "四至与其他生活圈冲突，演示几何放在城区南侧的规整网格中"
    communities = [
        {
            "external_id": f"{spec.external_id}-c{k + 1}",
            "name": name,
            "population": p.population,
            "share_60_plus": p.share_60_plus,
            "share_65_plus": p.share_65_plus,
            "share_80_plus": p.share_80_plus,
            "share_0_3": p.share_0_3,
            "phone": _community_phone(spec.city, f"{spec.external_id}-c{k + 1}"),
            "boundary": _geojson(strip, spec.city),
        }
        for k, (name, p, strip) in enumerate(zip(spec.communities, plan.people, plan.strips, strict=True))
    ]
    return {
        "city": spec.city,
        "external_id": spec.external_id,
        "name": spec.name,
        "circle_type": spec.circle_type,
        "population": spec.population,
        "planned_year": spec.planned_year,
        "district": spec.district,
        "street": spec.street,
        "four_bounds": spec.four_bounds,
        "profile": profile,
        "boundary": _geojson(plan.shape, spec.city),
        "communities": communities,
    }
