"""Read use cases on needs: public listing, detail, similar nearby, mine, the 满意清单, the staff queue."""

from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy import false as sa_false

from app.circles.service import get_circle
from app.common import geo
from app.common.clock import local_day_start
from app.common.errors import NotFound, ValidationFailed
from app.common.extensions import db
from app.common.paging import paginate
from app.common.policy import authorize_circle, circle_row
from app.demands import answers
from app.demands.models import OPEN_STATUSES, PRIORITIES, Demand
from app.taxonomy.checks import check_type
from app.taxonomy.registry import taxonomy

DEFAULT_SIMILAR_RADIUS_M = 500
_PRIORITY_RANK = case({p: i for i, p in enumerate(PRIORITIES)}, value=Demand.priority)


def _filtered(query, statuses=None, kind=None, business_type=None, priority=None, moderation=None):
    for column, value in (
        (Demand.kind, kind),
        (Demand.business_type, business_type),
        (Demand.priority, priority),
        (Demand.moderation, moderation),
    ):
        if value is not None:
            query = query.where(column == value)
    if statuses:
        query = query.where(Demand.status.in_(statuses))
    return query


def public_demand(demand_id: int) -> Demand:
    """A need anyone may read (merged ones too: they point to where the need went)."""
    demand = db.session.get(Demand, demand_id)
    if demand is None or demand.moderation != "visible":
        raise NotFound("需求不存在", code="demand_not_found")
    return demand


def circle_demands(circle_id: int, *, statuses, kind, business_type, sort, page, page_size):
    """A circle's public needs; merged duplicates only when asked for by status."""
    get_circle(circle_id)
    where = _filtered(
        select(Demand).where(Demand.circle_id == circle_id, Demand.moderation == "visible"),
        statuses=statuses,
        kind=kind,
        business_type=business_type,
    )
    if not statuses:
        where = where.where(Demand.status != "merged")
    order = (Demand.support_count.desc(), Demand.id.desc()) if sort == "supports" else (Demand.id.desc(),)
    count = where.with_only_columns(func.count()).order_by(None)
    return paginate(where.order_by(*order), page, page_size, count=count)


def similar_radius(kind: str, business_type: str | None) -> int:
    """The walking radius of the type asked for (its `radius_m`), else 500 m."""
    known = business_type and taxonomy().business_type(business_type)
    return known.radius_m if known else DEFAULT_SIMILAR_RADIUS_M


def similar_demands(lng, lat, *, kind, business_type, outlet_id, page, page_size):
    """Open public needs of the same kind (and type / outlet) within the type's radius, nearest first."""
    check_type(business_type)
    if kind == "missing_type" and business_type is None:
        raise ValidationFailed(details={"business_type": ["“缺什么”需求必须选择业态"]})
    radius = similar_radius(kind, business_type)
    here = geo.geography_expr(lng, lat)
    distance = func.ST_Distance(Demand.location, here).label("distance_m")
    query = select(Demand, distance).where(
        Demand.moderation == "visible",
        Demand.status.in_(OPEN_STATUSES),
        Demand.kind == kind,
        func.ST_DWithin(Demand.location, here, radius),
    )
    if business_type is not None:
        query = query.where(Demand.business_type == business_type)
    if outlet_id is not None:
        query = query.where(Demand.outlet_id == outlet_id)
    return paginate(query.order_by(distance, Demand.id), page, page_size, rows=True), radius


def my_demands(user, page: int, page_size: int):
    query = select(Demand).where(Demand.user_id == user.id)
    count = query.with_only_columns(func.count())
    return paginate(query.order_by(Demand.id.desc()), page, page_size, count=count)


def satisfied_list(circle_id: int, page: int, page_size: int):
    """The 满意清单: needs done and confirmed solved by those attached (more "yes" than "no" answers)."""
    get_circle(circle_id)
    query, yes, no = answers.with_tally(select(Demand))
    query = query.where(
        Demand.circle_id == circle_id,
        Demand.moderation == "visible",
        answers.satisfied(yes, no),
    )
    count = query.with_only_columns(func.count()).order_by(None)
    order = (Demand.closed_at.desc(), Demand.id.desc())
    return paginate(query.order_by(*order), page, page_size, count=count)


_STAFF_ORDERS = {
    "priority": (_PRIORITY_RANK, Demand.support_count.desc(), Demand.id.desc()),
    "supports": (Demand.support_count.desc(), Demand.id.desc()),
    "newest": (Demand.id.desc(),),
    "oldest": (Demand.id.asc(),),
}


def _staff_scope(actor, circle_id):
    query = select(Demand)
    if circle_id is not None:
        authorize_circle(actor, circle_id)
        return query.where(Demand.circle_id == circle_id)
    if not actor.has_role("admin"):
        return query.where(Demand.circle_id.in_(actor.scope_circle_ids or [-1]))
    return query


def _staff_filtered(actor, filters):
    """The staff board's filters; every one narrows an indexed (circle_id, …) range or the rows already in it."""
    query = _filtered(
        _staff_scope(actor, filters.get("circle_id")),
        statuses=filters.get("status"),
        kind=filters.get("kind"),
        business_type=filters.get("business_type"),
        priority=filters.get("priority"),
        moderation=filters.get("moderation"),
    )
    if filters.get("community_id") is not None:
        query = query.where(Demand.community_id == filters["community_id"])
    if filters.get("since") is not None:
        query = query.where(Demand.created_at >= local_day_start(filters["since"]))
    if filters.get("until") is not None:
        query = query.where(Demand.created_at < local_day_start(filters["until"] + timedelta(days=1)))
    if filters.get("min_support") is not None:
        query = query.where(Demand.support_count >= filters["min_support"])
    if filters.get("q"):
        pattern = "%" + filters["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Demand.text.ilike(pattern) | Demand.address.ilike(pattern))
    return query


def staff_queue(actor, *, page, page_size, sort="priority", **filters):
    """Needs in the staff member's circles (or one of them), filtered, most urgent (or as sorted) first."""
    query = _staff_filtered(actor, filters)
    count = query.with_only_columns(func.count())
    return paginate(query.order_by(*_STAFF_ORDERS[sort]), page, page_size, count=count)


EXPORT_MAX_ROWS = 10_000


def staff_export(actor, *, sort="priority", **filters) -> list[Demand]:
    """The board's rows for an Excel export (at most EXPORT_MAX_ROWS)."""
    query = _staff_filtered(actor, filters).order_by(*_STAFF_ORDERS[sort]).limit(EXPORT_MAX_ROWS)
    return list(db.session.scalars(query))


DUPLICATE_TEXT_SIMILARITY = 0.2  # pg_trgm similarity of two needs' texts that makes them look alike


def duplicate_candidates(actor, demand_id: int, limit: int = 10):
    """Open needs near this one that may say the same: same kind, within the type's walking radius, and the
    same business type or alike in text. Likely ones (both) first, then by distance."""
    demand = staff_demand(actor, demand_id)
    radius = similar_radius(demand.kind, demand.business_type)
    distance = func.ST_Distance(Demand.location, demand.location)
    similarity = func.similarity(Demand.text, demand.text)
    same_type = Demand.business_type == demand.business_type if demand.business_type else sa_false()
    likely = (
        (same_type & (similarity >= DUPLICATE_TEXT_SIMILARITY))
        if demand.business_type
        else (similarity >= DUPLICATE_TEXT_SIMILARITY)
    )
    query = (
        select(Demand, distance.label("distance_m"), similarity.label("similarity"), likely.label("likely"))
        .where(
            Demand.id != demand.id,
            Demand.circle_id == demand.circle_id,
            Demand.kind == demand.kind,
            Demand.status.in_(OPEN_STATUSES),
            Demand.moderation != "hidden",
            func.ST_DWithin(Demand.location, demand.location, radius),
            same_type | (similarity >= DUPLICATE_TEXT_SIMILARITY),
        )
        .order_by(likely.desc(), distance, Demand.id)
        .limit(limit)
    )
    return demand, db.session.execute(query).all(), radius


def staff_demand(actor, demand_id: int) -> Demand:
    return circle_row(actor, Demand, demand_id, ("需求不存在", "demand_not_found"))
