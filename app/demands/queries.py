"""Read use cases on needs: public listing, detail, similar nearby, mine, the 满意清单, the staff queue."""

from geoalchemy2 import Geography
from sqlalchemy import case, cast, func, select

from app.auth.policy import authorize_circle
from app.circles.service import get_circle
from app.common.errors import NotFound, ValidationFailed
from app.demands import answers
from app.demands.models import OPEN_STATUSES, PRIORITIES, Demand
from app.extensions import db
from app.taxonomy.registry import taxonomy

DEFAULT_SIMILAR_RADIUS_M = 500
_PRIORITY_RANK = case({p: i for i, p in enumerate(PRIORITIES)}, value=Demand.priority)


def _page(query, page: int, page_size: int, count_query=None):
    rows = list(db.session.scalars(query.offset((page - 1) * page_size).limit(page_size + 1)))
    total = db.session.scalar(count_query) if count_query is not None else None
    return rows[:page_size], len(rows) > page_size, total


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
    return _page(where.order_by(*order), page, page_size, count)


def similar_radius(kind: str, business_type: str | None) -> int:
    """The walking radius of the type asked for (its `radius_m`), else 500 m."""
    known = business_type and taxonomy().business_type(business_type)
    return known.radius_m if known else DEFAULT_SIMILAR_RADIUS_M


def similar_demands(lng, lat, *, kind, business_type, outlet_id, page, page_size):
    """Open public needs of the same kind (and type / outlet) within the type's radius, nearest first."""
    if business_type is not None and taxonomy().business_type(business_type) is None:
        raise ValidationFailed(details={"business_type": [f"未知的业态代码：{business_type}"]})
    if kind == "missing_type" and business_type is None:
        raise ValidationFailed(details={"business_type": ["“缺什么”需求必须选择业态"]})
    radius = similar_radius(kind, business_type)
    here = cast(func.ST_SetSRID(func.ST_MakePoint(lng, lat), 4326), Geography)
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
    rows = db.session.execute(
        query.order_by(distance, Demand.id).offset((page - 1) * page_size).limit(page_size + 1)
    ).all()
    return [(row[0], row[1]) for row in rows[:page_size]], len(rows) > page_size, radius


def my_demands(user, page: int, page_size: int):
    query = select(Demand).where(Demand.user_id == user.id)
    count = query.with_only_columns(func.count())
    return _page(query.order_by(Demand.id.desc()), page, page_size, count)


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
    return _page(query.order_by(*order), page, page_size, count)


def staff_queue(actor, *, circle_id, statuses, moderation, kind, priority, page, page_size):
    """Needs in the staff member's circles (or one of them), most urgent first."""
    query = select(Demand)
    if circle_id is not None:
        authorize_circle(actor, circle_id)
        query = query.where(Demand.circle_id == circle_id)
    elif not actor.has_role("admin"):
        query = query.where(Demand.circle_id.in_(actor.scope_circle_ids or [-1]))
    query = _filtered(query, statuses=statuses, kind=kind, priority=priority, moderation=moderation)
    count = query.with_only_columns(func.count())
    order = (_PRIORITY_RANK, Demand.support_count.desc(), Demand.id.desc())
    return _page(query.order_by(*order), page, page_size, count)


def staff_demand(actor, demand_id: int) -> Demand:
    demand = db.session.get(Demand, demand_id)
    if demand is None:
        raise NotFound("需求不存在", code="demand_not_found")
    authorize_circle(actor, demand.circle_id)
    return demand
