"""Community staff prepare an official grade and propose it; the bureau (or an admin) freezes it.

A proposal is the evaluation of a period as staff saw it when proposing, with their note, kept in the
audit trail (action `snapshot_proposed`) so the bureau sees who proposed what before it freezes.
"""

from sqlalchemy import select

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.circles.service import get_circle
from app.common.paging import paginate
from app.common.policy import authorize_circle
from app.common.tx import write_use_case
from app.evaluation.service import evaluate_circles
from app.evaluation.snapshots import period_as_of

ACTION = "snapshot_proposed"


def propose(actor, circle_id: int, period: str, note: str | None = None) -> dict:
    return proposal_dict(_propose(actor, circle_id, period, note))


@write_use_case
def _propose(actor, circle_id: int, period: str, note: str | None) -> AuditEntry:
    circle = get_circle(circle_id)
    authorize_circle(actor, circle.id)
    as_of = period_as_of(period)
    result = evaluate_circles([circle], as_of, use_cache=False, evidence=False)[circle.id]  # scores only
    summary = {
        "period": period,
        "as_of": as_of.isoformat(),
        "presence_score": result["presence"]["score"],
        "service_score": result["service"]["score"],
        "provisional_type": result["provisional_type"],
        "grade": result["grade"],
        "final_type": result["final_type"],
        "stars": result["stars"],
        "note": (note or "").strip() or None,
    }
    return audit.record(actor, ACTION, circle_id=circle.id, after=summary, reason=summary["note"])


def proposal_dict(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "circle_id": entry.circle_id,
        "proposed_by": entry.actor_user_id,
        "proposed_at": entry.created_at,
        **(entry.after or {}),
    }


def list_proposals(actor, circle_id: int, page=1, page_size=20):
    authorize_circle(actor, get_circle(circle_id).id)
    query = select(AuditEntry).where(AuditEntry.circle_id == circle_id, AuditEntry.action == ACTION)
    return paginate(query.order_by(AuditEntry.id.desc()), page, page_size, count=True).map(proposal_dict)
