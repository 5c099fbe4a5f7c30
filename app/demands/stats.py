"""What other domains read about needs and projects (the evaluation's 问需 item, its gap list and ledgers).

One plain read API, for many circles at once where the evaluation asks for a whole city or province:
each function returns frozen dataclasses, so a renamed field fails loudly instead of scoring 0.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select

from app.common.clock import local_zone
from app.common.extensions import db
from app.demands import answers
from app.demands.models import (
    ACCEPTED_STATUSES,
    ANSWERS,
    DEMAND_KINDS,
    DEMAND_STATUSES,
    PRIORITIES,
    PROJECT_STATUSES,
    Demand,
    Project,
)

# Accepted onto the needs list and not done yet: what the gap list (一单) still has to answer.
STILL_OPEN = ("accepted", "in_progress", "reopened")


@dataclass(frozen=True)
class CircleDemandStats:
    """Needs and projects of one circle in one (local) calendar year."""

    needs: int = 0  # created in the year, neither merged into another nor hidden
    accepted: int = 0  # entered the needs list (accepted, in progress, reopened or done)
    linked: int = 0  # linked to a project
    done: int = 0
    satisfied: int = 0  # done, and more "yes" than "no" among everyone attached who answered
    satisfied_by_submitter: int = 0  # done, and the submitter said "yes"
    supports: int = 0  # "me too"s on those needs
    projects: int = 0  # not cancelled, and created, planned to finish or finished in the year
    projects_done: int = 0


@dataclass(frozen=True)
class OpenNeed:
    """An accepted 缺什么 need not yet done."""

    id: int
    business_type: str | None
    text: str
    supports: int
    status: str
    priority: str


@dataclass(frozen=True)
class NeedLine:
    """One need of the circle's needs list (需求清单) as the ledger prints it (labels in Chinese)."""

    id: int
    kind: str
    business_type: str | None
    text: str
    address: str | None
    status: str
    priority: str
    supports: int
    project_id: int | None
    created_at: datetime
    closed_at: datetime | None
    confirmation: str | None


@dataclass(frozen=True)
class ProjectLine:
    """One project of the circle's project list (项目清单), labels in Chinese; `needs` linked to it."""

    id: int
    title: str
    business_type: str | None
    address: str | None
    urgency: str
    status: str
    progress: int
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    needs: int


def _year_range(year: int) -> tuple[datetime, datetime]:
    zone = local_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def circle_demand_stats(circle_ids, year: int) -> dict[int, CircleDemandStats]:
    """Per circle (every one asked for, zeros where nothing happened): its needs and projects of the year."""
    ids = list(circle_ids)
    found = dict.fromkeys(ids, CircleDemandStats())
    if not ids:
        return found
    start, end = _year_range(year)
    query, yes, no = answers.with_tally(
        select(
            Demand.circle_id,
            func.count(),
            func.count().filter(Demand.status.in_(ACCEPTED_STATUSES)),
            func.count().filter(Demand.project_id.is_not(None)),
            func.count().filter(Demand.status == "done"),
            func.count().filter(Demand.status == "done", Demand.confirmation_answer == "yes"),
            func.coalesce(func.sum(Demand.support_count), 0),
        ).select_from(Demand)
    )
    needs = {
        row[0]: row[1:]
        for row in db.session.execute(
            query.add_columns(func.count().filter(answers.satisfied(yes, no)))
            .where(
                Demand.circle_id.in_(ids),
                Demand.created_at >= start,
                Demand.created_at < end,
                Demand.status != "merged",
                Demand.moderation != "hidden",
            )
            .group_by(Demand.circle_id)
        )
    }
    in_year = or_(
        and_(Project.created_at >= start, Project.created_at < end),
        Project.planned_end.between(date(year, 1, 1), date(year, 12, 31)),
        Project.actual_end.between(date(year, 1, 1), date(year, 12, 31)),
    )
    projects = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(Project.circle_id, func.count(), func.count().filter(Project.status == "done"))
            .where(Project.circle_id.in_(ids), Project.status != "cancelled", in_year)
            .group_by(Project.circle_id)
        )
    }
    for circle_id in ids:
        n = needs.get(circle_id, (0, 0, 0, 0, 0, 0, 0))
        p = projects.get(circle_id, (0, 0))
        found[circle_id] = CircleDemandStats(
            needs=n[0],
            accepted=n[1],
            linked=n[2],
            done=n[3],
            satisfied_by_submitter=n[4],
            supports=int(n[5]),
            satisfied=n[6],
            projects=p[0],
            projects_done=p[1],
        )
    return found


def open_needs(circle_id: int) -> list[OpenNeed]:
    """Accepted 缺什么 needs not yet done, most supported first (hidden ones left out)."""
    rows = db.session.execute(
        select(Demand.id, Demand.business_type, Demand.text, Demand.support_count, Demand.status, Demand.priority)
        .where(
            Demand.circle_id == circle_id,
            Demand.kind == "missing_type",
            Demand.status.in_(STILL_OPEN),
            Demand.moderation != "hidden",
        )
        .order_by(Demand.support_count.desc(), Demand.id)
    )
    return [OpenNeed(r.id, r.business_type, r.text, r.support_count, r.status, r.priority) for r in rows]


def needs_list(circle_id: int) -> list[NeedLine]:
    """The circle's needs list for the ledger (merged duplicates and hidden ones left out), oldest first."""
    rows = db.session.scalars(
        select(Demand)
        .where(Demand.circle_id == circle_id, Demand.status != "merged", Demand.moderation != "hidden")
        .order_by(Demand.created_at, Demand.id)
    )
    return [
        NeedLine(
            id=r.id,
            kind=DEMAND_KINDS.get(r.kind, r.kind),
            business_type=r.business_type,
            text=r.text,
            address=r.address,
            status=DEMAND_STATUSES.get(r.status, r.status),
            priority=PRIORITIES.get(r.priority, r.priority),
            supports=r.support_count,
            project_id=r.project_id,
            created_at=r.created_at,
            closed_at=r.closed_at,
            confirmation=ANSWERS.get(r.confirmation_answer) if r.confirmation_answer else None,
        )
        for r in rows
    ]


def projects_list(circle_id: int) -> list[ProjectLine]:
    """The circle's project list for the two tables: by urgency, then planned start."""
    urgency = {key: i for i, key in enumerate(PRIORITIES)}
    rows = list(
        db.session.scalars(
            select(Project).where(Project.circle_id == circle_id).order_by(Project.planned_start, Project.id)
        )
    )
    linked = (
        dict(
            db.session.execute(
                select(Demand.project_id, func.count())
                .where(Demand.project_id.in_([r.id for r in rows]), Demand.status != "merged")
                .group_by(Demand.project_id)
            ).all()
        )
        if rows
        else {}
    )
    rows.sort(key=lambda r: (urgency.get(r.urgency, 99), r.planned_start or date.max, r.id))
    return [
        ProjectLine(
            id=r.id,
            title=r.title,
            business_type=r.business_type,
            address=r.address,
            urgency=PRIORITIES.get(r.urgency, r.urgency),
            status=PROJECT_STATUSES.get(r.status, r.status),
            progress=r.progress,
            planned_start=r.planned_start,
            planned_end=r.planned_end,
            actual_start=r.actual_start,
            actual_end=r.actual_end,
            needs=linked.get(r.id, 0),
        )
        for r in rows
    ]
