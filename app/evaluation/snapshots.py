"""Frozen evaluations (official assessments per period) and a circle's history of them."""

import re
from datetime import date

from sqlalchemy import select

from app.circles.models import Circle
from app.circles.service import get_circle
from app.common.errors import Conflict, ValidationFailed
from app.common.extensions import db
from app.common.paging import Page
from app.common.policy import authorize_circle, can_manage_circle
from app.common.tx import write_use_case
from app.evaluation.models import EvaluationSnapshot
from app.evaluation.service import evaluate_circles, today

PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")
_PERIOD_END = {
    None: (12, 31),
    "H1": (6, 30),
    "H2": (12, 31),
    "Q1": (3, 31),
    "Q2": (6, 30),
    "Q3": (9, 30),
    "Q4": (12, 31),
}
_PERIOD_START = {None: 1, "H1": 1, "H2": 7, "Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}


def period_as_of(period: str) -> date:
    """The date a period is assessed at: its last day, or today while it is running."""
    match = PERIOD.match(period or "")
    if not match:
        raise ValidationFailed(details={"period": ["期次格式应为 2024、2024-H1 或 2024-Q3"]})
    year, part = int(match.group(1)), match.group(2)
    if year < 2000:  # before building a date: year 0 is not one
        raise ValidationFailed(details={"period": ["期次年份有误"]})
    start = date(year, _PERIOD_START[part], 1)
    if start > today():
        raise ValidationFailed(details={"period": ["期次尚未开始"]})
    return min(today(), date(year, *_PERIOD_END[part]))


@write_use_case
def freeze_snapshot(actor, circle_id: int, period: str) -> EvaluationSnapshot:
    """Freezes the evaluation of a period (the official assessment): recomputed, never from the cache."""
    circle = get_circle(circle_id)
    authorize_circle(actor, circle_id)
    as_of = period_as_of(period)
    # Two staff freezing the same period at once: the second waits here until the first commits, then
    # finds its snapshot (409) instead of computing a second one. FOR NO KEY UPDATE does not block the
    # inserts that reference the circle meanwhile.
    db.session.execute(select(Circle.id).where(Circle.id == circle_id).with_for_update(key_share=True))
    exists = select(EvaluationSnapshot.id).where(
        EvaluationSnapshot.circle_id == circle_id, EvaluationSnapshot.period == period
    )
    if db.session.scalar(exists):
        raise Conflict(f"{period} 期的评价已定档", code="snapshot_exists")
    result = evaluate_circles([circle], as_of, use_cache=False)[circle.id]
    result = {**result, "period": period}
    row = EvaluationSnapshot(
        circle_id=circle_id,
        period=period,
        as_of=as_of,
        profile_code=result["profile"],
        profile_version=result["profile_version"],
        presence_score=result["presence"]["score"],
        service_score=result["service"]["score"],
        provisional_type=result["provisional_type"],
        grade=result["grade"],
        final_type=result["final_type"],
        stars=result["stars"],
        result=result,
        frozen_by=actor.id,
    )
    db.session.add(row)
    return row


def history(user, circle_id: int, page: int, page_size: int) -> Page:
    """Frozen assessments, oldest first, each with its change from the previous period."""
    get_circle(circle_id)
    full = can_manage_circle(user, circle_id)
    rows = list(
        db.session.scalars(
            select(EvaluationSnapshot)
            .where(EvaluationSnapshot.circle_id == circle_id)
            .order_by(EvaluationSnapshot.period, EvaluationSnapshot.id)
        )
    )
    items, previous = [], None
    for row in rows:
        change = (
            "first"
            if previous is None
            else ("up" if row.stars > previous else "down" if row.stars < previous else "same")
        )
        previous = row.stars
        items.append(snapshot_item(row, full, change))
    return Page.within(items, page, page_size)


def snapshot_item(row: EvaluationSnapshot, full: bool, change: str | None = None) -> dict:
    item = {
        "id": row.id,
        "circle_id": row.circle_id,
        "period": row.period,
        "as_of": row.as_of,
        "profile": row.profile_code,
        "profile_version": row.profile_version,
        "presence_score": row.presence_score,
        "service_score": row.service_score,
        "provisional_type": row.provisional_type,
        "grade": row.grade,
        "final_type": row.final_type,
        "stars": row.stars,
        "change": change,
        "frozen_at": row.created_at,
        "frozen_by": row.frozen_by if full else None,
    }
    if full:
        item["result"] = row.result
    return item
