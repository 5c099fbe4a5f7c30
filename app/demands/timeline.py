"""The timeline of a need, and the notice its submitter gets when the status changes.

Every change is an event row (who, when, what, public or internal). A status change also puts a
subscribe message in the outbox, in the same transaction as the change (see app.notifications).
"""

from app.common.clock import now_local
from app.common.models import utcnow
from app.demands.models import CLOSED_STATUSES, DEMAND_STATUSES, Demand, DemandEvent
from app.extensions import db
from app.notifications.service import queue_message, template_id

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
    event = DemandEvent(
        demand_id=demand.id,
        actor_id=actor.id if actor is not None else None,
        actor_role=role or actor_role(actor),
        action=action,
        public=public,
        note=fields.get("note"),
        from_status=fields.get("from_status"),
        to_status=fields.get("to_status"),
        data=fields.get("data") or {},
    )
    db.session.add(event)
    return event


def change_status(demand: Demand, status: str, actor, *, note=None, data=None, notify=True) -> bool:
    """Moves the need to `status` with a public event; "done" asks the submitter "is it solved?"."""
    old = demand.status
    if old == status:
        return False
    now = utcnow()
    demand.status = status
    demand.closed_at = now if status in CLOSED_STATUSES else None
    if status == "done":
        demand.confirmation_requested_at = now
        demand.confirmation_answer = demand.confirmation_comment = demand.confirmed_at = None
    record(demand, actor, "status", from_status=old, to_status=status, note=note, data=data)
    if notify:
        notify_submitter(demand, note)
    return True


def _clip(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def notify_submitter(demand: Demand, note: str | None = None):
    """Queues the subscribe message for the submitter (WeChat limits: thing ≤ 20, phrase ≤ 5 chars)."""
    if demand.user_id is None:
        return None
    if demand.status == "done":
        template = template_id("WECHAT_TEMPLATE_DEMAND_CONFIRM", "tmpl-demand-confirm")
    else:
        template = template_id("WECHAT_TEMPLATE_DEMAND_STATUS", "tmpl-demand-status")
    data = {
        "thing1": {"value": _clip(demand.text, 20)},
        "phrase2": {"value": DEMAND_STATUSES[demand.status]},
        "thing3": {"value": _clip(note or DEFAULT_NOTES.get(demand.status, "状态已更新"), 20)},
        "time4": {"value": now_local().strftime("%Y-%m-%d %H:%M")},
    }
    return queue_message(
        demand.user_id, template, data, page=f"pages/demands/detail?id={demand.id}", subject=f"demand:{demand.id}"
    )
