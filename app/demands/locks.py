"""Needs locked for a use case that changes them (their transaction: app/common/tx.py)."""

from sqlalchemy import select

from app.common.errors import NotFound
from app.common.extensions import db
from app.demands.models import Demand


def locked_demands(*demand_ids: int) -> dict[int, Demand]:
    """The needs, row-locked in id order (two merges of the same pair cannot deadlock)."""
    rows = db.session.scalars(
        select(Demand)
        .where(Demand.id.in_(demand_ids))
        .order_by(Demand.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def locked_demand(demand_id: int) -> Demand:
    demand = locked_demands(demand_id).get(demand_id)
    if demand is None:
        raise NotFound("需求不存在", code="demand_not_found")
    return demand
