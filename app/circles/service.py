"""Circle use cases: locate a point, read a circle, admin edits, bulk import."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from app.circles.models import CIRCLE_TYPES, Circle, City, Community
from app.common import geo, reads
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.common.extensions import db
from app.common.paging import Page, paginate
from app.common.policy import authorize_circle
from app.common.shapes import area_from_geojson
from app.common.tx import write_use_case

CIRCLE_TYPE_BY_NAME = {name: code for code, name in CIRCLE_TYPES.items()} | {
    name.removesuffix("生活圈"): code for code, name in CIRCLE_TYPES.items()
}


def circle_type_code(value: str | None) -> str | None:
    """Accepts the code (old_town) or the plan's Chinese name (老城区住宅生活圈)."""
    if value in (None, ""):
        return None
    if value in CIRCLE_TYPES:
        return value
    if value in CIRCLE_TYPE_BY_NAME:
        return CIRCLE_TYPE_BY_NAME[value]
    raise ValidationFailed(details={"circle_type": [f"未知的生活圈类型：{value}"]})


def locate(lng: float, lat: float) -> tuple[Circle, Community | None]:
    """The circle (and community) containing a WGS-84 point."""
    point = geo.point(lng, lat)
    circle = db.session.scalar(
        select(Circle).where(func.ST_Covers(Circle.boundary, point)).order_by(Circle.id).limit(1)
    )
    if circle is None:
        raise NotFound("该位置不在任何生活圈内", code="outside_circles")
    community = db.session.scalar(
        select(Community)
        .where(Community.boundary.is_not(None), func.ST_Covers(Community.boundary, point))
        .order_by(Community.circle_id != circle.id, Community.id)
        .limit(1)
    )
    return circle, community


@dataclass(frozen=True)
class Placement:
    circle_id: int
    city_id: int
    community_id: int | None


def placement(lng: float, lat: float) -> Placement:
    """`locate`'s answer as ids, in one statement and without loading boundaries (for writes that file
    something where it stands). Text SQL through `reads.rows`: in a write use case it runs in the session's
    transaction; a caller that need not see that transaction may send it down the read path's lean execution
    instead (`reads.on_read_path()`: a need's submission, where SQLAlchemy's statement and result layers cost more
    CPU than PostgreSQL spends answering it)."""
    found = reads.rows(PLACEMENT_SQL, {"lng": float(lng), "lat": float(lat)})
    if not found:
        raise NotFound("该位置不在任何生活圈内", code="outside_circles")
    row = found[0]
    return Placement(row["id"], row["city_id"], row["community_id"])


# The lowest-id circle covering the point, and the community covering it, its own circle's first (`locate`).
PLACEMENT_SQL = f"""
SELECT c.id, c.city_id, (
    SELECT m.id FROM communities m
    WHERE m.boundary IS NOT NULL AND ST_Covers(m.boundary, {geo.POINT_GEOMETRY_SQL})
    ORDER BY m.circle_id <> c.id, m.id
    LIMIT 1
) AS community_id
FROM circles c
WHERE ST_Covers(c.boundary, {geo.POINT_GEOMETRY_SQL})
ORDER BY c.id
LIMIT 1
"""


def get_circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise NotFound("生活圈不存在", code="circle_not_found")
    return circle


def get_community(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound("社区不存在", code="community_not_found")
    return community


def list_circles(city_id: int | None, page: int, page_size: int) -> Page:
    query = select(Circle).order_by(Circle.id)
    count = select(func.count()).select_from(Circle)
    if city_id is not None:
        query, count = query.where(Circle.city_id == city_id), count.where(Circle.city_id == city_id)
    return paginate(query, page, page_size, count=count)


def managed_circles(user) -> list[Circle]:
    """The circles a console user works on: admin all; staff theirs; a bureau every circle of its cities."""
    query = select(Circle).options(defer(Circle.boundary)).order_by(Circle.city_id, Circle.id)
    if user.has_role("admin"):
        return list(db.session.scalars(query))
    if not user.has_role("staff"):  # a bureau includes staff
        return []
    return list(db.session.scalars(query.where(Circle.id.in_(user.scope_circle_ids or [-1]))))


def list_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.id)))


def find_or_create_city(name: str, **fields) -> City:
    city = db.session.scalar(select(City).where((City.code == (fields.get("code") or name)) | (City.name == name)))
    if city is None:
        city = City(
            name=name, code=fields.pop("code", None) or name, **{k: v for k, v in fields.items() if v is not None}
        )
        db.session.add(city)
        db.session.flush()
    return city


CIRCLE_FIELDS = (
    "name",
    "external_id",
    "population",
    "planned_year",
    "district",
    "street",
    "four_bounds",
    "profile",
    "synthetic",
)
COMMUNITY_FIELDS = (
    "name",
    "external_id",
    "population",
    "share_60_plus",
    "share_65_plus",
    "share_80_plus",
    "share_0_3",
    "phone",
    "synthetic",
)


def _apply(obj, data: dict, allowed, coord: str):
    for key in allowed:
        if key in data:
            setattr(obj, key, data[key])
    if "circle_type" in data:
        obj.circle_type = circle_type_code(data["circle_type"])
    if data.get("boundary") is not None:
        obj.boundary = area_from_geojson(data["boundary"], coord)


def _check_unique_name(model, scope_column, scope_id, name, exclude_id=None):
    query = select(model.id).where(scope_column == scope_id, model.name == name)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query):
        raise Conflict(f"名称已存在：{name}", code="duplicate_name")


@write_use_case
def create_circle(data: dict, coord: str) -> Circle:
    city = db.session.get(City, data["city_id"])
    if city is None:
        raise ValidationFailed(details={"city_id": ["城市不存在"]})
    _check_unique_name(Circle, Circle.city_id, city.id, data["name"])
    circle = Circle(city=city, profile={})
    _apply(circle, data, CIRCLE_FIELDS, coord)
    db.session.add(circle)
    return circle


@write_use_case
def update_circle(circle_id: int, data: dict, coord: str) -> Circle:
    circle = get_circle(circle_id)
    if "name" in data:
        _check_unique_name(Circle, Circle.city_id, circle.city_id, data["name"], circle.id)
    _apply(circle, data, CIRCLE_FIELDS, coord)
    return circle


@write_use_case
def create_community(circle_id: int, data: dict, coord: str) -> Community:
    circle = get_circle(circle_id)
    _check_unique_name(Community, Community.circle_id, circle.id, data["name"])
    community = Community(circle=circle)
    _apply(community, data, COMMUNITY_FIELDS, coord)
    db.session.add(community)
    return community


@write_use_case
def update_community(actor, community_id: int, data: dict, coord: str) -> Community:
    community = get_community(community_id)
    authorize_circle(actor, community.circle_id)
    if "boundary" in data and not actor.has_role("admin"):
        raise Forbidden("社区边界由管理员维护", code="role_forbidden")
    if "name" in data:
        _check_unique_name(Community, Community.circle_id, community.circle_id, data["name"], community.id)
    _apply(community, data, COMMUNITY_FIELDS, coord)
    return community
