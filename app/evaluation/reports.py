"""Use cases over whole circles and cities: gap list (一单), blind spots (一账), e-map (一图), city view."""

from geoalchemy2 import Geometry
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import cast, func, select

from app.circles.models import Circle, City, Community
from app.circles.service import get_circle
from app.common.errors import Forbidden, ValidationFailed
from app.common.extensions import db
from app.common.policy import authorize_circle
from app.evaluation import blind_spots, cache, gaps, geojson, kpis
from app.evaluation.facts import build_snapshots
from app.evaluation.models import EvaluationSnapshot
from app.evaluation.profiles import get_profile, plan_for_city, standards_for_city
from app.evaluation.service import circle_rows, evaluate_circles, get_city, today
from app.outlets.models import Outlet


def authorize_city(user, city_id: int):
    """Admins everywhere; a bureau in its cities; staff in a city where they look after at least one circle."""
    if user.has_role("admin") or city_id in user.scope_city_ids:
        return
    if not any(c.city_id == city_id for c in user.circles):
        raise Forbidden("不在您负责的城市范围内", code="out_of_scope")


def _groups(circle: Circle, types: list[str] | None):
    groups = blind_spots.required_groups(standards_for_city(circle.city), get_profile(circle.city.scoring_profile))
    if types:
        wanted = set(types)
        known = {c for g in groups for c in g["covering"]}
        unknown = sorted(wanted - known)
        if unknown:
            raise ValidationFailed(details={"types": [f"不是本城市配置标准要求的业态：{', '.join(unknown)}"]})
        groups = [g for g in groups if wanted & set(g["covering"])]
    return groups


def blind_spot_features(circle: Circle, types: list[str] | None = None) -> list[dict]:
    """WGS-84 features, cached per circle, profile version, day and type filter."""
    profile = get_profile(circle.city.scoring_profile)
    groups = _groups(circle, types)
    field = cache.circle_field(circle, "blind", profile.tag, today(), ",".join(sorted(g["code"] for g in groups)))
    cached = cache.get(cache.circle_key(circle.id), field)
    if cached is not None:
        return cached["features"]
    population = _population(circle)
    features = blind_spots.compute(circle.id, groups, population)
    cache.put(cache.circle_key(circle.id), field, {"features": features})
    return features


def _population(circle: Circle) -> int | None:
    if circle.population:
        return circle.population
    total = db.session.scalar(select(func.sum(Community.population)).where(Community.circle_id == circle.id))
    return int(total) if total else None


def circle_blind_spots(actor, circle_id: int, types: list[str] | None, coord: str) -> dict:
    circle = get_circle(circle_id)
    authorize_circle(actor, circle_id)
    features = blind_spot_features(circle, types)
    return {
        "type": "FeatureCollection",
        "circle_id": circle.id,
        "coord": coord,
        "features": geojson.features_in(features, coord),
    }


def gap_lines(circle: Circle) -> list[dict]:
    city = circle.city
    profile = get_profile(city.scoring_profile)
    field = cache.circle_field(circle, "gaps", profile.tag, today())
    cached = cache.get(cache.circle_key(circle.id), field)
    if cached is not None:
        return cached["lines"]
    standards = standards_for_city(city)
    snapshot = build_snapshots(circle_rows([circle]), profile, standards, today())[circle.id]
    lines = gaps.circle_gaps(circle, standards, profile, snapshot, blind_spot_features(circle))
    cache.put(cache.circle_key(circle.id), field, {"lines": lines})
    return lines


def circle_gaps(actor, circle_id: int, community_id: int | None = None) -> dict:
    circle = get_circle(circle_id)
    authorize_circle(actor, circle_id)
    if community_id is not None and community_id not in {m.id for m in circle.communities}:
        raise ValidationFailed(details={"community_id": ["该社区不属于此生活圈"]})
    lines = gap_lines(circle)
    if community_id is not None:
        lines = [ln for ln in lines if ln["community_id"] in (None, community_id)]
    by_community = {m.id: {"community_id": m.id, "name": m.name, "priorities": []} for m in circle.communities}
    for line in lines:
        if line["community_id"] in by_community:
            by_community[line["community_id"]]["priorities"].append(line["priority"])
    standards = standards_for_city(circle.city)
    return {
        "circle_id": circle.id,
        "standards": standards.code if standards else None,
        "computed_on": today(),
        "items": lines,
        "communities": list(by_community.values()),
    }


# What residents read of the gap list: what is missing, where and why, not the staff's counting inputs.
PUBLIC_GAP_FIELDS = ("priority", "what", "what_name", "scope", "community_name", "missing", "why", "six_ones")


def public_gaps(circle_id: int) -> dict:
    """The gap list (一单) as residents see it in the mini-program's 我的生活圈: open to anyone, like the
    public evaluation summary, with each line's count of residents' "me too" on accepted needs."""
    circle = get_circle(circle_id)
    items = [
        {**{k: line[k] for k in PUBLIC_GAP_FIELDS}, "support_count": line["support_count"]}
        for line in gap_lines(circle)
    ]
    return {"circle_id": circle.id, "computed_on": today(), "items": items}


def _frozen_rated_by_year(circle_ids: list[int]) -> dict[int, dict[int, int]]:
    """city id -> year -> circles of the city whose latest frozen assessment up to that year is rated."""
    rows = db.session.execute(
        select(Circle.city_id, EvaluationSnapshot.circle_id, EvaluationSnapshot.period, EvaluationSnapshot.final_type)
        .join(Circle, Circle.id == EvaluationSnapshot.circle_id)
        .where(EvaluationSnapshot.circle_id.in_(circle_ids))
        .order_by(EvaluationSnapshot.period)
    ).all()
    by_city = {}
    for r in rows:
        by_city.setdefault(r.city_id, []).append(r)
    counts = {}
    for city_id, city_rows in by_city.items():
        for year in sorted({int(r.period[:4]) for r in city_rows}):
            latest = {}
            for r in city_rows:
                if int(r.period[:4]) <= year:
                    latest[r.circle_id] = r.final_type
            counts.setdefault(city_id, {})[year] = sum(1 for t in latest.values() if t)
    return counts


def city_evaluation(actor, city_id: int, use_cache: bool = True) -> dict:
    city = get_city(city_id)
    authorize_city(actor, city_id)
    return city_views([city], use_cache)[city.id]


def city_views(cities: list[City], use_cache: bool = True, ttl_s: int | None = None) -> dict[int, dict]:
    """The city views (every circle's result, KPIs, targets, build progress) of many cities at once: the
    circles whose results are not cached are evaluated together, set-based (a whole province in one
    batch), each view then assembled from them. Views and results are cached for `ttl_s`."""
    at = today()
    profiles = {city.id: get_profile(city.scoring_profile) for city in cities}
    fields = {city.id: cache.city_field(city.id, "city", profiles[city.id].tag, at) for city in cities}
    views = {}
    if use_cache:
        found = cache.get_many({cache.city_key(city.id): fields[city.id] for city in cities})
        views = {city.id: found[cache.city_key(city.id)] for city in cities if cache.city_key(city.id) in found}
    wanted = [city for city in cities if city.id not in views]
    if not wanted:
        return views
    circles = list(
        db.session.scalars(
            select(Circle).where(Circle.city_id.in_([city.id for city in wanted])).order_by(Circle.city_id, Circle.id)
        )
    )
    results = evaluate_circles(circles, at, use_cache=use_cache, ttl_s=ttl_s, evidence=False)
    by_city = {city.id: [] for city in wanted}
    for circle in circles:
        by_city[circle.city_id].append(circle)
    frozen = _frozen_rated_by_year([c.id for c in circles])
    fresh = {}
    for city in wanted:
        fresh[city.id] = _city_view(city, profiles[city.id], by_city[city.id], results, frozen, at)
    cache.put_many({cache.city_key(cid): (fields[cid], view) for cid, view in fresh.items()}, ttl_s)
    return views | fresh


def _city_view(city: City, profile, circles: list[Circle], results: dict, frozen: dict, at) -> dict:
    plan = plan_for_city(city)
    totals = kpis.city_kpis([results[c.id] for c in circles])
    return {
        "city_id": city.id,
        "name": city.name,
        "tier": city.tier,
        "profile": profile.code,
        "profile_version": profile.tag,
        "standards": city.standards_profile,
        "plan": plan.name_zh if plan else None,
        "computed_on": at.isoformat(),
        "circles": [_circle_row(c, results[c.id]) for c in circles],
        "kpis": totals,
        "targets": kpis.targets(plan, totals),
        "progress": kpis.build_progress(plan, circles, results, at.year, frozen.get(city.id, {})),
    }


def _circle_row(circle: Circle, result: dict) -> dict:
    k = result["kpis"]
    return {
        "circle_id": circle.id,
        "name": circle.name,
        "circle_type": circle.circle_type,
        "planned_year": circle.planned_year,
        "presence_score": result["presence"]["score"],
        "service_score": result["service"]["score"],
        "score": result["presence"]["score"],
        "provisional_type": result["provisional_type"],
        "grade": result["grade"],
        "final_type": result["final_type"],
        "stars": result["stars"],
        "not_rated_reason": result["not_rated_reason"],
        "kpis": {key: k[key] for key in ("outlets", "chain_rate", "online_rate", "quality_brand_share", "satisfaction")}
        | {"six_ones_coverage": k["six_ones_coverage"], "six_ones_covered": k["six_ones_covered"]},
    }


def circle_map(actor, circle_id: int, coord: str) -> dict:
    """一图: the circle's boundary, its communities, its approved outlets and its blind spots."""
    circle = get_circle(circle_id)
    authorize_circle(actor, circle_id)
    features = [_area_feature("boundary", circle.id, circle.name, circle.boundary, coord)]
    features += [_area_feature("community", m.id, m.name, m.boundary, coord) for m in circle.communities if m.boundary]
    point = cast(Outlet.location, Geometry)
    rows = db.session.execute(
        select(Outlet, func.ST_X(point), func.ST_Y(point))
        .where(Outlet.circle_id == circle.id, Outlet.status == "approved")
        .order_by(Outlet.id)
    ).all()
    for outlet, lng, lat in rows:
        features.append(
            {
                "type": "Feature",
                "geometry": geojson.point(lng, lat, coord),
                "properties": {
                    "kind": "outlet",
                    "id": outlet.id,
                    "name": outlet.name,
                    "types": outlet.types,
                    "address": outlet.address,
                    "chain": outlet.chain,
                    "brand": outlet.brand,
                    "online": outlet.online,
                    "open_24h": outlet.open_24h,
                    "community_id": outlet.community_id,
                },
            }
        )
    features += geojson.features_in(blind_spot_features(circle), coord)
    return {
        "type": "FeatureCollection",
        "circle_id": circle.id,
        "name": circle.name,
        "coord": coord,
        "features": features,
    }


def _area_feature(kind: str, ident: int, name: str, boundary, coord: str) -> dict:
    return {
        "type": "Feature",
        "geometry": geojson.convert(mapping(to_shape(boundary)), coord),
        "properties": {"kind": kind, "id": ident, "name": name},
    }
