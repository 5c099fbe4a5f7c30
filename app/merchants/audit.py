"""The merchants' audit trail: entries about outlets, applications and claims, and the staff's view of it
(the trail itself: app/audit)."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.service import record
from app.common.errors import Forbidden
from app.common.paging import paginate
from app.common.policy import authorize_circle, circle_row
from app.merchants.models import Application, Claim
from app.outlets.models import Outlet


def about_outlet(actor, action: str, outlet, **entry):
    """An entry about an outlet, in its circle."""
    return record(actor, action, outlet_id=outlet.id, circle_id=outlet.circle_id, **entry)


def about_application(actor, action: str, application, **entry):
    """An entry about an application (and its outlet, once there is one), in its reviewing circle."""
    return record(
        actor,
        action,
        outlet_id=application.outlet_id,
        application_id=application.id,
        circle_id=application.circle_id,
        **entry,
    )


def about_claim(actor, action: str, claim, **entry):
    """An entry about a claim on an outlet, in its reviewing circle."""
    return record(actor, action, outlet_id=claim.outlet_id, claim_id=claim.id, circle_id=claim.circle_id, **entry)


def list_entries(user, outlet_id=None, application_id=None, claim_id=None, circle_id=None, page=1, page_size=20):
    """Entries newest first. Staff: of an outlet, application or claim in their circles, or of their circles."""
    query = select(AuditEntry)
    for model, key, value, not_found in (
        (Outlet, "outlet_id", outlet_id, ("网点不存在", "outlet_not_found")),
        (Application, "application_id", application_id, ("申请不存在", "application_not_found")),
        (Claim, "claim_id", claim_id, ("认领申请不存在", "claim_not_found")),
    ):
        if value is None:
            continue
        circle_row(user, model, value, not_found)
        query = query.where(getattr(AuditEntry, key) == value)
    if circle_id is not None:
        authorize_circle(user, circle_id)
        query = query.where(AuditEntry.circle_id == circle_id)
    if (outlet_id, application_id, claim_id, circle_id) == (None,) * 4 and not user.has_role("admin"):
        if not user.scope_circle_ids:
            raise Forbidden("不在您负责的生活圈范围内", code="out_of_scope")
        query = query.where(AuditEntry.circle_id.in_(user.scope_circle_ids))
    return paginate(query.order_by(AuditEntry.id.desc()), page, page_size, count=True)
