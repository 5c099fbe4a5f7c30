"""Staff triage of a need in one transaction: moderation, priority, reply, status, project link, merge."""

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import insert

from app.common.errors import Conflict, ValidationFailed
from app.common.extensions import db
from app.common.models import utcnow
from app.common.policy import authorize_circle
from app.common.tx import atomic
from app.demands import states, timeline
from app.demands.locks import locked_demand, locked_demands
from app.demands.models import PRIORITIES, Demand, DemandSupport, Project

LINKABLE = ("accepted", "in_progress", "reopened", "done")


def triage_demand(actor, demand_id: int, changes: dict) -> Demand:
    """Applies a staff member's changes; any refusal or failure leaves the need as it was."""
    with atomic():
        if "merge_into" in changes:
            demand = locked_demands(demand_id, changes["merge_into"]).get(demand_id) or locked_demand(demand_id)
        else:
            demand = locked_demand(demand_id)
        authorize_circle(actor, demand.circle_id)
        if demand.status == "merged":
            raise Conflict(
                "该需求已合并到其他需求", code="demand_merged", details={"merged_into_id": demand.merged_into_id}
            )
        if "moderation" in changes:
            _moderate(actor, demand, changes["moderation"])
        if "priority" in changes and changes["priority"] != demand.priority:
            old, demand.priority = demand.priority, changes["priority"]
            timeline.record(
                demand, actor, "priority", public=False, note=PRIORITIES[demand.priority], data={"from": old}
            )
        if "reply" in changes:
            demand.public_reply = changes["reply"]
            timeline.record(demand, actor, "reply", note=changes["reply"])
        if "status" in changes:
            _transition(actor, demand, changes["status"], changes.get("reason"), changes.get("reply"))
        elif "reason" in changes:
            raise ValidationFailed(details={"reason": ["只有驳回时需要填写理由"]})
        if "project_id" in changes:
            link_project(actor, demand, changes["project_id"])
        if "merge_into" in changes:
            _merge(actor, demand, changes["merge_into"])
        if changes.get("note"):
            timeline.record(demand, actor, "note", public=False, note=changes["note"])
    return demand


def _moderate(actor, demand: Demand, moderation: str):
    if moderation == demand.moderation:
        return
    old, demand.moderation = demand.moderation, moderation
    timeline.record(demand, actor, "moderation", public=False, note=moderation, data={"from": old})


def _transition(actor, demand: Demand, status: str, reason: str | None, reply: str | None):
    if status == demand.status:
        return
    states.check("demand", demand.status, status, states.STAFF)
    if status == "rejected" and not reason:
        raise ValidationFailed("驳回需要填写理由", details={"reason": ["驳回需要填写理由"]})
    if status != "rejected" and demand.moderation != "visible":
        raise Conflict("该需求内容待审核，请先审核通过", code="demand_held")
    demand.reject_reason = reason if status == "rejected" else None
    timeline.change_status(demand, status, actor, note=reason if status == "rejected" else reply)


def link_project(actor, demand: Demand, project_id: int | None):
    if project_id is None:
        if demand.project_id is not None:
            timeline.record(demand, actor, "project_unlinked", data={"project_id": demand.project_id})
            demand.project_id = None
        return
    project = db.session.get(Project, project_id)
    if project is None:
        raise ValidationFailed(details={"project_id": ["项目不存在"]})
    if project.circle_id != demand.circle_id:
        raise ValidationFailed(details={"project_id": ["项目不在该需求所在的生活圈"]})
    if project.status == "cancelled":
        raise Conflict("项目已取消，不能关联", code="project_cancelled")
    if demand.status not in LINKABLE:
        raise Conflict("请先受理需求再关联项目", code="demand_not_accepted")
    if demand.project_id == project.id:
        return
    demand.project_id = project.id
    timeline.record(demand, actor, "project_linked", note=project.title, data={"project_id": project.id})
    follow_project(actor, demand, project)


def follow_project(actor, demand: Demand, project: Project):
    """A linked need follows its project: in progress when building starts, done when it is finished."""
    if project.status == "done" and states.can("demand", demand.status, "done", states.PROJECT):
        timeline.change_status(
            demand,
            "done",
            actor,
            note=f"项目已完成：{project.title}",
            data={"project_id": project.id},
            via=states.PROJECT,
        )
    elif project.status == "in_progress" and demand.status in ("accepted", "reopened"):
        timeline.change_status(demand, "in_progress", actor, note=f"项目建设中：{project.title}", via=states.PROJECT)


def _merge(actor, source: Demand, target_id: int):
    if target_id == source.id:
        raise ValidationFailed(details={"merge_into": ["不能合并到自身"]})
    states.check("demand", source.status, "merged", states.STAFF)
    target = db.session.get(Demand, target_id)
    if target is None:
        raise ValidationFailed(details={"merge_into": ["目标需求不存在"]})
    if target.circle_id != source.circle_id:
        raise ValidationFailed(details={"merge_into": ["只能合并同一生活圈内的需求"]})
    if target.status in ("merged", "rejected") or target.moderation != "visible":
        raise Conflict("目标需求已合并、已驳回或未公开，不能合并到它", code="merge_target_unavailable")
    carried = _carry_supports(source, target)
    target.support_count = _recount_supports(target)
    old = states.transition("demand", source, "merged", states.STAFF)
    source.merged_into_id, source.closed_at = target.id, utcnow()
    # Needs merged into the source earlier now point straight at the target.
    db.session.execute(update(Demand).where(Demand.merged_into_id == source.id).values(merged_into_id=target.id))
    timeline.record(
        source,
        actor,
        "status",
        from_status=old,
        to_status="merged",
        note=f"已合并到需求 #{target.id}",
        data={"merged_into_id": target.id},
    )
    timeline.record(target, actor, "merged_from", note=f"合并了需求 #{source.id}", data={"demand_id": source.id})
    timeline.notify_followers(source, f"已合并到需求 #{target.id}")
    return carried


def _carry_supports(source: Demand, target: Demand) -> int:
    """The source's supporters and submitter become the target's supporters, each user once."""
    people = select(DemandSupport.user_id.label("user_id")).where(DemandSupport.demand_id == source.id)
    if source.user_id is not None:
        people = people.union(select(literal(source.user_id).label("user_id")))
    people = people.subquery()
    rows = select(literal(target.id), people.c.user_id, literal(source.id))
    if target.user_id is not None:
        rows = rows.where(people.c.user_id != target.user_id)
    statement = (
        insert(DemandSupport)
        .from_select(["demand_id", "user_id", "carried_from_id"], rows)
        .on_conflict_do_nothing(index_elements=["demand_id", "user_id"])
    )
    return db.session.execute(statement).rowcount


def _recount_supports(demand: Demand) -> int:
    return db.session.scalar(select(func.count()).where(DemandSupport.demand_id == demand.id))
