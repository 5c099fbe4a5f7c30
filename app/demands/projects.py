"""The project list (项目清单): what a circle will build; linked needs follow their project to done."""

from datetime import date

from sqlalchemy import func, select

from app.circles.service import get_circle
from app.common import geo
from app.common.clock import now_local
from app.common.errors import NotFound, ValidationFailed
from app.common.extensions import db
from app.common.policy import authorize_circle
from app.common.tx import atomic
from app.demands import states
from app.demands.locks import locked_demands
from app.demands.models import Demand, Project, ProjectEvent
from app.demands.triage import follow_project, link_project
from app.taxonomy.checks import check_type

FIELDS = (
    "business_type",
    "title",
    "description",
    "address",
    "urgency",
    "status",
    "progress",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)


def _check(project: Project):
    check_type(project.business_type)
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if getattr(project, start) and getattr(project, end) and getattr(project, end) < getattr(project, start):
            raise ValidationFailed(details={end: ["结束日期不能早于开始日期"]})
    if project.status == "done" and project.progress != 100:
        raise ValidationFailed(details={"progress": ["已完成的项目进度应为 100"]})


def _apply(project: Project, data: dict):
    for key in FIELDS:
        if key in data:
            setattr(project, key, data[key])
    if data.get("lng") is not None:
        project.location = geo.point(data["lng"], data["lat"])
    elif "lng" in data:
        project.location = None
    today = now_local().date()
    if project.status == "done":
        if "progress" not in data:
            project.progress = 100
        project.actual_end = project.actual_end or today
        project.actual_start = project.actual_start or min(project.planned_start or today, project.actual_end)
    elif project.status == "in_progress":
        project.actual_start = project.actual_start or today
    _check(project)


def _audit(project: Project, actor, action: str, data: dict):
    changes = {
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items() if k not in ("lng", "lat", "coord")
    }
    if "lng" in data:
        changes["location"] = None if data["lng"] is None else [round(data["lng"], 7), round(data["lat"], 7)]
    db.session.add(ProjectEvent(project_id=project.id, actor_id=actor.id, action=action, changes=changes))


def _link_demands(actor, project: Project, demand_ids: list[int]):
    demands = locked_demands(*demand_ids)
    missing = sorted(set(demand_ids) - set(demands))
    if missing:
        raise ValidationFailed(details={"demand_ids": [f"需求不存在：{', '.join(map(str, missing))}"]})
    for demand in demands.values():
        authorize_circle(actor, demand.circle_id)
        link_project(actor, demand, project.id)


def create_project(actor, data: dict) -> Project:
    """A staff member adds a project to a circle's list, optionally linking accepted needs."""
    try:
        circle = get_circle(data["circle_id"])
    except NotFound:
        raise ValidationFailed(details={"circle_id": ["生活圈不存在"]}) from None
    authorize_circle(actor, circle.id)
    with atomic():
        project = Project(circle_id=circle.id, created_by=actor.id, status="planned", progress=0, urgency="normal")
        _apply(project, data)
        db.session.add(project)
        db.session.flush()
        _audit(project, actor, "created", {k: v for k, v in data.items() if k != "demand_ids"})
        _link_demands(actor, project, data.get("demand_ids") or [])
    return project


def update_project(actor, project_id: int, data: dict) -> Project:
    """Edits a project; when it starts or is done, its linked needs follow (and submitters are asked)."""
    with atomic():
        project = db.session.scalar(
            select(Project).where(Project.id == project_id).with_for_update().execution_options(populate_existing=True)
        )
        if project is None:
            raise NotFound("项目不存在", code="project_not_found")
        authorize_circle(actor, project.circle_id)
        old_status = project.status
        if "status" in data:
            states.check("project", old_status, data["status"], states.STAFF)
        _apply(project, data)
        _audit(project, actor, "updated", {k: v for k, v in data.items() if k != "demand_ids"})
        _link_demands(actor, project, data.get("demand_ids") or [])
        if project.status != old_status:
            linked = select(Demand.id).where(Demand.project_id == project.id, Demand.status != "merged")
            for demand in locked_demands(*db.session.scalars(linked)).values():
                follow_project(actor, demand, project)
    return project


def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("项目不存在", code="project_not_found")
    return project


def circle_projects(circle_id: int, statuses=None) -> list[Project]:
    get_circle(circle_id)
    query = select(Project).where(Project.circle_id == circle_id)
    if statuses:
        query = query.where(Project.status.in_(statuses))
    return list(db.session.scalars(query.order_by(Project.planned_end.asc().nulls_last(), Project.id)))


def linked_demand_counts(project_ids: list[int]) -> dict[int, int]:
    """Public needs linked to each project."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        select(Demand.project_id, func.count())
        .where(Demand.project_id.in_(project_ids), Demand.moderation == "visible", Demand.status != "merged")
        .group_by(Demand.project_id)
    )
    return dict(rows.all())


def linked_demands(project_id: int) -> list[Demand]:
    return list(
        db.session.scalars(
            select(Demand)
            .where(Demand.project_id == project_id, Demand.moderation == "visible", Demand.status != "merged")
            .order_by(Demand.support_count.desc(), Demand.id)
        )
    )
