"""Needs and projects as the schemas' dictionaries: the public view, the submitter's own, the staff view.

The public view never names the submitter; the submitter's view adds moderation and the "is it solved?"
state; the staff view adds who did what, internal events and the submitter's user id.
"""

from dataclasses import dataclass, field

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from app.common.clock import now_local
from app.common.extensions import db
from app.common.geo import point_out
from app.demands import answers, states
from app.demands.models import (
    ANSWERS,
    DEMAND_KINDS,
    DEMAND_STATUSES,
    PRIORITIES,
    PROJECT_STATUSES,
    DemandEvent,
    DemandSupport,
    Project,
)
from app.demands.timeline import ROLE_NAMES
from app.outlets.models import Outlet
from app.taxonomy.registry import taxonomy
from app.uploads.service import Upload, public_url, thumb_url

MODERATION_NAMES = {"visible": "已公开", "held": "内容审核中", "hidden": "已隐藏"}


def point(location, coord: str) -> dict | None:
    if location is None:
        return None
    shape = to_shape(location)
    return point_out(shape.x, shape.y, coord)


def type_name(code: str | None) -> str | None:
    business_type = code and taxonomy().business_type(code)
    return business_type.name_zh if business_type else None


def _by_id(model, ids):
    ids = {i for i in ids if i is not None}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}


def _event(event: DemandEvent, staff: bool) -> dict:
    data = {
        "at": event.created_at,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "status_name": DEMAND_STATUSES.get(event.to_status),
        "note": event.note,
        "by": ROLE_NAMES.get(event.actor_role, event.actor_role),
    }
    if staff:
        data.update(actor_id=event.actor_id, actor_role=event.actor_role, public=event.public, data=event.data)
    return data


def _photo(upload, view: str) -> dict | None:
    url = public_url(upload)
    if url is None and view == "public":
        return None
    photo = {"id": upload.id, "url": url, "thumb_url": thumb_url(upload)}
    if view != "public":
        photo["media_check"] = upload.media_check
    return photo


@dataclass
class _Attached:
    """What a page of needs shows besides their own columns, keyed by need (or upload, project, outlet) id."""

    events: dict = field(default_factory=dict)
    uploads: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)
    outlets: dict = field(default_factory=dict)
    supported: set = field(default_factory=set)
    tallies: dict = field(default_factory=dict)
    mine: dict = field(default_factory=dict)


def _attached(demands, staff: bool, user, timeline: bool) -> _Attached:
    """Read with a fixed number of queries whatever the page size."""
    ids = [d.id for d in demands]
    events = {}
    if timeline and ids:
        query = select(DemandEvent).where(DemandEvent.demand_id.in_(ids))
        if not staff:
            query = query.where(DemandEvent.public.is_(True))
        for event in db.session.scalars(query.order_by(DemandEvent.created_at, DemandEvent.id)):
            events.setdefault(event.demand_id, []).append(_event(event, staff))
    supported = set()
    if user is not None and ids:
        supported = set(
            db.session.scalars(
                select(DemandSupport.demand_id).where(
                    DemandSupport.user_id == user.id, DemandSupport.demand_id.in_(ids)
                )
            )
        )
    return _Attached(
        events=events,
        uploads=_by_id(Upload, [i for d in demands for i in d.photo_ids or []]),
        projects=_by_id(Project, [d.project_id for d in demands]),
        outlets=_by_id(Outlet, [d.outlet_id for d in demands]),
        supported=supported,
        tallies=answers.tallies(ids),
        mine=answers.my_answers(user, ids),
    )


def submitted_out(submission, coord: str, user) -> dict:
    """The submitter's view of a need just filed, from its use case's objects alone (no query): nothing but
    its own timeline, photos and outlet can be attached to a need in the instant it is created."""
    demand = submission.demand
    attached = _Attached(
        events={demand.id: [_event(e, False) for e in submission.events if e.public]},
        uploads={upload.id: upload for upload in submission.photos},
        outlets={submission.outlet.id: submission.outlet} if submission.outlet is not None else {},
    )
    return demands_out([demand], coord, "owner", user, attached=attached)[0]


def demands_out(
    demands, coord: str, view: str = "public", user=None, timeline: bool = True, attached=None
) -> list[dict]:
    """Dictionaries for a page of needs, with a fixed number of queries whatever the page size."""
    staff = view == "staff"
    if attached is None:
        attached = _attached(demands, staff, user, timeline)
    out = []
    for demand in demands:
        photos = [_photo(attached.uploads[i], view) for i in demand.photo_ids or [] if i in attached.uploads]
        item = _demand(demand, coord, attached.projects.get(demand.project_id), attached.outlets.get(demand.outlet_id))
        tally = attached.tallies.get(demand.id, {"yes": 0, "no": 0, "unsure": 0})
        item["answers"] = tally
        item["confirmed_solved"] = demand.status == "done" and tally["yes"] > tally["no"]
        item["photos"] = [p for p in photos if p is not None]
        supporter = demand.id in attached.supported
        item["supported_by_me"] = supporter if user is not None else None
        item["my_confirmation"] = _my_confirmation(demand, user, supporter, attached.mine.get(demand.id))
        if timeline:
            item["timeline"] = attached.events.get(demand.id, [])
        if view in ("owner", "staff"):
            item.update(_private(demand))
        if staff:
            item.update(submitter_id=demand.user_id, source=demand.source, source_client=demand.source_client)
            item.update(
                next_statuses=states.allowed_next("demand", demand.status, states.STAFF),
                existing_outlet_ids=list(demand.existing_outlet_ids or []),
            )
        out.append(item)
    return out


def demand_out(demand, coord: str, view: str = "public", user=None) -> dict:
    return demands_out([demand], coord, view, user)[0]


def _demand(demand, coord: str, project, outlet) -> dict:
    return {
        "id": demand.id,
        "kind": demand.kind,
        "kind_name": DEMAND_KINDS[demand.kind],
        "business_type": demand.business_type,
        "business_type_name": type_name(demand.business_type),
        "outlet": {"id": outlet.id, "name": outlet.name} if outlet is not None else None,
        "text": demand.text,
        "address": demand.address,
        "location": point(demand.location, coord),
        "circle_id": demand.circle_id,
        "community_id": demand.community_id,
        "status": demand.status,
        "status_name": DEMAND_STATUSES[demand.status],
        "priority": demand.priority,
        "priority_name": PRIORITIES[demand.priority],
        "support_count": demand.support_count,
        "public_reply": demand.public_reply,
        "reject_reason": demand.reject_reason,
        "merged_into_id": demand.merged_into_id,
        "project": project_summary(project) if project is not None else None,
        "existing_reason": demand.existing_reason,
        "created_at": demand.created_at,
        "updated_at": demand.updated_at,
        "closed_at": demand.closed_at,
    }


def _my_confirmation(demand, user, supporter: bool, supporter_answer: str | None) -> dict | None:
    """For the logged-in person attached to the need: may they answer "is it solved?", and what did they say."""
    if user is None:
        return None
    if demand.user_id == user.id:
        role, answer = "submitter", demand.confirmation_answer
    elif supporter:
        role, answer = "supporter", supporter_answer
    else:
        return None
    return {
        "role": role,
        "answer": answer,
        "answer_name": ANSWERS.get(answer),
        "can_answer": demand.status == "done" and answer is None,
    }


def _private(demand) -> dict:
    return {
        "moderation": demand.moderation,
        "moderation_name": MODERATION_NAMES[demand.moderation],
        "confirmation": {
            "requested_at": demand.confirmation_requested_at,
            "answer": demand.confirmation_answer,
            "answer_name": ANSWERS.get(demand.confirmation_answer),
            "comment": demand.confirmation_comment,
            "answered_at": demand.confirmed_at,
            "can_answer": demand.status == "done" and demand.confirmation_answer is None,
        },
    }


def project_summary(project) -> dict:
    return {
        "id": project.id,
        "title": project.title,
        "status": project.status,
        "status_name": PROJECT_STATUSES[project.status],
        "progress": project.progress,
    }


def project_out(project, coord: str, demand_count: int = 0) -> dict:
    today = now_local().date()
    return {
        **project_summary(project),
        "circle_id": project.circle_id,
        "business_type": project.business_type,
        "business_type_name": type_name(project.business_type),
        "description": project.description,
        "location": point(project.location, coord),
        "address": project.address,
        "urgency": project.urgency,
        "urgency_name": PRIORITIES[project.urgency],
        "planned_start": project.planned_start,
        "planned_end": project.planned_end,
        "actual_start": project.actual_start,
        "actual_end": project.actual_end,
        "delayed": project.status in ("planned", "in_progress")
        and project.planned_end is not None
        and project.planned_end < today,
        "demand_count": demand_count,
        "next_statuses": states.allowed_next("project", project.status, states.STAFF),
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }


def plan_tables(circle_id: int, projects, counts: dict, coord: str) -> dict:
    """两表: the facility timetable by urgency (轻重缓急) and the construction progress table."""
    items = [project_out(p, coord, counts.get(p.id, 0)) for p in projects]
    active = [i for i in items if i["status"] != "cancelled"]
    timetable = [
        {
            "urgency": urgency,
            "urgency_name": name,
            "projects": [_columns(i, _TIMETABLE) for i in active if i["urgency"] == urgency],
        }
        for urgency, name in PRIORITIES.items()
    ]
    progress = [_columns(i, _PROGRESS) for i in active]
    summary = {status: sum(1 for i in items if i["status"] == status) for status in PROJECT_STATUSES}
    return {"circle_id": circle_id, "items": items, "timetable": timetable, "progress": progress, "counts": summary}


_TIMETABLE = ("id", "title", "business_type", "business_type_name", "planned_start", "planned_end", "status")
_PROGRESS = (
    "id",
    "title",
    "status",
    "status_name",
    "progress",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "delayed",
    "demand_count",
)


def _columns(item: dict, keys) -> dict:
    return {k: item[k] for k in keys}
