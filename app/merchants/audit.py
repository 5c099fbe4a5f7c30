"""The audit trail: one row per decision or change (who, when, what, why, before/after)."""

from sqlalchemy import select

from app.auth.policy import authorize_circle
from app.common.errors import Forbidden, NotFound
from app.common.paging import paginate
from app.extensions import db
from app.merchants.models import Application, AuditEntry
from app.outlets.models import Outlet


def record(
    actor,
    action: str,
    *,
    outlet_id=None,
    application_id=None,
    circle_id=None,
    reason=None,
    before=None,
    after=None,
    subject_user_id=None,
    city_id=None,
):
    entry = AuditEntry(
        actor_user_id=actor.id if actor is not None else None,
        action=action,
        outlet_id=outlet_id,
        application_id=application_id,
        circle_id=circle_id,
        subject_user_id=subject_user_id,
        city_id=city_id,
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def list_entries(user, outlet_id=None, application_id=None, circle_id=None, page=1, page_size=20):
    """Entries newest first. Staff: of an outlet or application in their circles, or of their circles."""
    query = select(AuditEntry)
    if outlet_id is not None:
        outlet = db.session.get(Outlet, outlet_id)
        if outlet is None:
            raise NotFound("网点不存在", code="outlet_not_found")
        authorize_circle(user, outlet.circle_id)
        query = query.where(AuditEntry.outlet_id == outlet_id)
    if application_id is not None:
        application = db.session.get(Application, application_id)
        if application is None:
            raise NotFound("申请不存在", code="application_not_found")
        authorize_circle(user, application.circle_id)
        query = query.where(AuditEntry.application_id == application_id)
    if circle_id is not None:
        authorize_circle(user, circle_id)
        query = query.where(AuditEntry.circle_id == circle_id)
    if outlet_id is None and application_id is None and circle_id is None and not user.has_role("admin"):
        if not user.scope_circle_ids:
            raise Forbidden("不在您负责的生活圈范围内", code="out_of_scope")
        query = query.where(AuditEntry.circle_id.in_(user.scope_circle_ids))
    return paginate(query.order_by(AuditEntry.id.desc()), page, page_size, count=True)
