"""The timeline of a need, and the notice its submitter gets when the status changes.

Every change is an event row (who, when, what, public or internal). A status change also puts a
subscribe message for each person attached to the need in the outbox, in the same transaction as the
change (see app.notifications), as far as each person's subscription consent allows.
"""

from sqlalchemy import delete, select

from app.common.clock import now_local
from app.common.extensions import db
from app.common.models import utcnow
from app.demands import states
from app.demands.models import CLOSED_STATUSES, DEMAND_STATUSES, Demand, DemandAnswer, DemandEvent, DemandSupport
from app.notifications.service import clip, queue_message, template_id

ROLE_NAMES = {"resident": "居民", "staff": "社区工作人员", "admin": "管理员", "system": "系统", "open311": "外部平台"}

DEFAULT_NOTES = {
    "accepted": "已纳入需求清单",
    "in_progress": "正在处理",
    "done": "请确认问题是否已解决",
    "rejected": "未予受理",
    "merged": "已与相同的需求合并",
    "reopened": "已重新处理",
}


def actor_role(user) -> str:
    if user is None:
        return "system"
    for role in ("admin", "staff", "resident"):
        if user.has_role(role):
            return role
    return "resident"


def record(demand: Demand, actor, action: str, *, public: bool = True, role: str | None = None, **fields):
    """Appends one timeline event (note, from_status, to_status, data)."""
    event = DemandEvent(demand_id=demand.id, **event_values(actor, action, public=public, role=role, **fields))
    db.session.add(event)
    return event


def event_values(actor, action: str, *, public: bool = True, role: str | None = None, **fields) -> dict:
    """One timeline event's columns but its need's id (for a need filed by one statement with its events)."""
    return {
        "actor_id": actor.id if actor is not None else None,
        "actor_role": role or actor_role(actor),
        "action": action,
        "public": public,
        "note": fields.get("note"),
        "from_status": fields.get("from_status"),
        "to_status": fields.get("to_status"),
        "data": fields.get("data") or {},
    }


def change_status(demand: Demand, status: str, actor, *, note=None, data=None, notify=True, via=states.STAFF) -> bool:
    """Moves the need to `status` (if the state machine lets `via` do so) with a public event.

    Everyone attached to the need is told; "done" asks them "is it solved?" and clears earlier answers.
    """
    old = states.transition("demand", demand, status, via)
    if old is None:
        return False
    now = utcnow()
    demand.closed_at = now if status in CLOSED_STATUSES else None
    if status == "done":
        demand.confirmation_requested_at = now
        demand.confirmation_answer = demand.confirmation_comment = demand.confirmed_at = None
        db.session.execute(delete(DemandAnswer).where(DemandAnswer.demand_id == demand.id))
    record(demand, actor, "status", from_status=old, to_status=status, note=note, data=data)
    if notify:
        notify_followers(demand, note)
    return True


def followers(demand: Demand) -> list[int]:
    """Everyone attached to the need: its submitter and its supporters ("me too", and the submitters and
    supporters of needs merged into it, whose supports were carried over)."""
    people = select(DemandSupport.user_id).where(DemandSupport.demand_id == demand.id).order_by(DemandSupport.user_id)
    ids = [demand.user_id] if demand.user_id is not None else []
    return ids + [user_id for user_id in db.session.scalars(people) if user_id != demand.user_id]


def notify_followers(demand: Demand, note: str | None = None) -> list:
    """Queues the status notice for everyone attached to the need, as far as each has subscribed."""
    return [m for m in (_notify(demand, user_id, note) for user_id in followers(demand)) if m is not None]


def notify_submitter(demand: Demand, note: str | None = None):
    """Queues the notice for the submitter alone (a need merged away: its followers moved to the target)."""
    return _notify(demand, demand.user_id, note) if demand.user_id is not None else None


def _notify(demand: Demand, user_id: int, note: str | None):
    """One subscribe message (WeChat limits: thing ≤ 20, phrase ≤ 5 chars), if the user's consent allows."""
    if demand.status == "done":
        template = template_id("WECHAT_TEMPLATE_DEMAND_CONFIRM", "tmpl-demand-confirm")
    else:
        template = template_id("WECHAT_TEMPLATE_DEMAND_STATUS", "tmpl-demand-status")
    data = {
        "thing1": {"value": clip(demand.text, 20)},
        "phrase2": {"value": DEMAND_STATUSES[demand.status]},
        "thing3": {"value": clip(note or DEFAULT_NOTES.get(demand.status, "状态已更新"), 20)},
        "time4": {"value": now_local().strftime("%Y-%m-%d %H:%M")},
    }
    return queue_message(
        user_id, template, data, page=f"pages/demands/detail?id={demand.id}", subject=f"demand:{demand.id}"
    )
