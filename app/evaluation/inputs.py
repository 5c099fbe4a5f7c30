"""Adapters to the packages that feed the evaluation (demands, surveys, events).

The evaluation never stores copies of their facts; it asks their read functions. A package that is not
installed (or lacks the function) is "no data": the adapter returns None and the item says so, instead
of failing. Results are normalised here so the scoring code sees one shape whatever the package names.
"""

import importlib
from datetime import date

from sqlalchemy import func, select

from app.extensions import db


def _function(module: str, name: str):
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return None
        raise
    return getattr(found, name, None)


def _first(data: dict, *keys, default=0):
    for key in keys:
        if key in data and data[key] is not None:
            return data[key]
    return default


SATISFIED_RULE = "已办结、且提交人与支持者（含被合并需求的提交人）回答“已解决”多于“未解决”的需求数"


def demand_stats(circle_id: int, year: int) -> dict | None:
    """Needs and projects of the year: {needs, accepted, linked, projects, projects_done, satisfied}."""
    fn = _function("app.demands.service", "circle_demand_stats")
    if fn is None:
        return None
    raw = fn(circle_id, year) or {}
    return {
        "needs": int(_first(raw, "needs", "count", "needs_count", "total")),
        "accepted": int(_first(raw, "accepted", "accepted_count", "needs_accepted")),
        "linked": int(_first(raw, "linked", "linked_to_projects", "linked_count", "needs_linked")),
        "projects": int(_first(raw, "projects", "projects_count", "project_count")),
        "projects_done": int(_first(raw, "projects_done", "done_projects", "projects_completed")),
        "satisfied": int(_first(raw, "satisfied", "satisfied_count", "confirmed")),
        # Who "satisfied" counts (shown with the evidence): everyone attached to a need may answer.
        "satisfied_rule": SATISFIED_RULE,
    }


def survey_stats(circle_id: int, at: date) -> dict | None:
    """The survey period covering `at`: {period, responses, population, *_satisfied_share}."""
    fn = _function("app.surveys.service", "survey_stats")
    if fn is None:
        return None
    raw = fn(circle_id, at)
    if not raw:
        return None
    return {
        "period": raw.get("period"),
        "responses": int(_first(raw, "responses", "response_count")),
        "population": _first(raw, "population", default=None),
        "type_satisfied_share": _first(raw, "type_satisfied_share", default=None),
        "service_satisfied_share": _first(raw, "service_satisfied_share", default=None),
        # location-checked / staff-confirmed / paper / phone: the evidence says where the answers came from
        "answers_by_kind": raw.get("answers_by_kind"),
    }


def events_count(circle_id: int, year: int) -> int | None:
    fn = _function("app.events.service", "events_count")
    return None if fn is None else int(fn(circle_id, year) or 0)


def _demand_models():
    try:
        from app.demands import models
    except ModuleNotFoundError as error:
        if error.name and "app.demands".startswith(error.name):
            return None
        raise
    return models


def accepted_needs(circle_id: int) -> list[dict] | None:
    """Accepted 缺什么 needs not yet done: [{id, business_type, text, supports, status, priority}]."""
    m = _demand_models()
    if m is None:
        return None
    d = m.Demand
    rows = db.session.execute(
        select(d.id, d.business_type, d.text, d.support_count, d.status, d.priority)
        .where(
            d.circle_id == circle_id,
            d.kind == "missing_type",
            d.status.in_(("accepted", "in_progress", "reopened")),
            d.moderation != "hidden",
        )
        .order_by(d.support_count.desc(), d.id)
    )
    return [
        {
            "id": r.id,
            "business_type": r.business_type,
            "text": r.text,
            "supports": r.support_count,
            "status": r.status,
            "priority": r.priority,
        }
        for r in rows
    ]


def needs_list(circle_id: int) -> list[dict] | None:
    """The circle's needs list for the ledger (merged duplicates and hidden ones left out)."""
    m = _demand_models()
    if m is None:
        return None
    d = m.Demand
    rows = db.session.scalars(
        select(d)
        .where(d.circle_id == circle_id, d.status != "merged", d.moderation != "hidden")
        .order_by(d.created_at, d.id)
    )
    return [
        {
            "id": r.id,
            "kind": m.DEMAND_KINDS.get(r.kind, r.kind),
            "business_type": r.business_type,
            "text": r.text,
            "address": r.address,
            "status": m.DEMAND_STATUSES.get(r.status, r.status),
            "priority": m.PRIORITIES.get(r.priority, r.priority),
            "supports": r.support_count,
            "project_id": r.project_id,
            "created_at": r.created_at,
            "closed_at": r.closed_at,
            "confirmation": m.ANSWERS.get(r.confirmation_answer) if r.confirmation_answer else None,
        }
        for r in rows
    ]


def projects_list(circle_id: int) -> list[dict] | None:
    """The circle's project list (项目清单) for the two tables: timetable by urgency, progress."""
    m = _demand_models()
    if m is None:
        return None
    p = m.Project
    urgency = {key: i for i, key in enumerate(m.PRIORITIES)}
    rows = list(db.session.scalars(select(p).where(p.circle_id == circle_id).order_by(p.planned_start, p.id)))
    linked = (
        dict(
            db.session.execute(
                select(m.Demand.project_id, func.count())
                .where(m.Demand.project_id.in_([r.id for r in rows]), m.Demand.status != "merged")
                .group_by(m.Demand.project_id)
            ).all()
        )
        if rows
        else {}
    )
    rows.sort(key=lambda r: (urgency.get(r.urgency, 99), r.planned_start or date.max, r.id))
    return [
        {
            "id": r.id,
            "title": r.title,
            "business_type": r.business_type,
            "address": r.address,
            "urgency": m.PRIORITIES.get(r.urgency, r.urgency),
            "status": m.PROJECT_STATUSES.get(r.status, r.status),
            "progress": r.progress,
            "planned_start": r.planned_start,
            "planned_end": r.planned_end,
            "actual_start": r.actual_start,
            "actual_end": r.actual_end,
            "needs": linked.get(r.id, 0),
        }
        for r in rows
    ]


def platform_usage(circle_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """Residents who used the platform in each circle between start and end: {residents, searched, filed, rated}."""
    from app.usage.service import active_residents

    return active_residents(circle_ids, start, end)
