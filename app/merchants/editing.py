"""A merchant's own outlets: edits (some publish at once, identity changes go to review), closures.

Staff in scope may change an outlet's status too (a shop closed for good, a stall gone for the winter).
"""

from sqlalchemy import select

from app.common import geo
from app.common.errors import Conflict
from app.common.extensions import db
from app.common.models import utcnow
from app.common.paging import paginate
from app.common.policy import authorize_circle
from app.common.tx import write_use_case
from app.merchants import audit
from app.merchants.models import OPEN_STATUSES, Application
from app.merchants.payload import check_complete, prepare, split
from app.merchants.publish import apply_payload, attach_uploads, diff, service_area, snapshot
from app.merchants.service import circle_for, forbid_other_merchants
from app.outlets.models import Outlet
from app.outlets.service import get_outlet
from app.repair import service as repair

# Merchants pause and reopen; a closed-down outlet is reopened only by staff (it may be a new business).
OWNER_TRANSITIONS = {"approved": {"suspended", "closed"}, "suspended": {"approved", "closed"}, "closed": set()}
STAFF_TRANSITIONS = {s: {"approved", "suspended", "closed"} - {s} for s in ("approved", "suspended", "closed")}


def owned_outlet(user, outlet_id: int) -> Outlet:
    outlet = get_outlet(outlet_id, public=False)
    forbid_other_merchants(user, outlet)
    return outlet


def owned_outlets(user, page: int, page_size: int):
    query = select(Outlet).where(Outlet.owner_user_id == user.id).order_by(Outlet.id)
    return paginate(query, page, page_size)


def open_change(outlet_id: int) -> Application | None:
    return db.session.scalar(
        select(Application)
        .where(Application.outlet_id == outlet_id, Application.kind == "change", Application.status.in_(OPEN_STATUSES))
        .order_by(Application.id.desc())
        .limit(1)
    )


def _state(outlet: Outlet) -> dict:
    """Current values the cross-field rules look at."""
    return {
        "types": list(outlet.types),
        "mobile": outlet.mobile,
        "on_site_service": outlet.on_site_service,
        "service_area": service_area(outlet),
        "repair_services": repair.price_list_for(outlet.id),
        "schedule": repair.schedule_for(outlet.id),
    }


@write_use_case
def edit_outlet(user, outlet_id: int, data: dict) -> tuple[Outlet, list[str], Application | None]:
    """Hours, photos, prices, phone, services publish now; name, location, types, certification … wait for review."""
    outlet = owned_outlet(user, outlet_id)
    if outlet.status == "closed":
        raise Conflict("网点已关闭，不能修改", code="outlet_closed")
    payload, uploads = prepare(user, data)
    immediate, reviewed = split(payload)
    change = open_change(outlet.id)
    proposed = {**(change.payload if change else {}), **reviewed}
    check_complete({**_state(outlet), **proposed, **immediate})
    circle_id = circle_for(proposed["lng"], proposed["lat"]) if "lng" in proposed else outlet.circle_id

    before = snapshot(outlet)
    apply_payload(outlet, immediate)
    attach_uploads([u.id for u in uploads], circle_id=circle_id)
    if immediate:
        old, new = diff(before, snapshot(outlet))
        audit.about_outlet(user, "outlet_updated", outlet, before=old, after=new)
    if reviewed:
        if change is None:
            change = Application(kind="change", applicant_user_id=user.id, outlet_id=outlet.id)
            db.session.add(change)
        change.payload, change.status, change.reason, change.submitted_at = proposed, "pending", None, utcnow()
        change.name, change.circle_id = proposed.get("name", outlet.name), circle_id
        change.location = geo.point(proposed["lng"], proposed["lat"]) if "lng" in proposed else None
        db.session.flush()
        audit.about_application(
            user, "change_submitted", change, before={k: before.get(k) for k in reviewed}, after=reviewed
        )
    return outlet, sorted(immediate), change if reviewed else None


@write_use_case
def _set_status(user, outlet: Outlet, status: str, reason: str | None, transitions: dict) -> Outlet:
    if status not in transitions.get(outlet.status, set()):
        raise Conflict(f"网点当前状态为 {outlet.status}，不能改为 {status}", code="invalid_status_change")
    before = outlet.status
    outlet.status = status
    audit.about_outlet(
        user, "outlet_status_changed", outlet, reason=reason, before={"status": before}, after={"status": status}
    )
    return outlet


def set_status_by_owner(user, outlet_id: int, status: str, reason: str | None = None) -> Outlet:
    """暂停营业 / 恢复营业 / 已关闭, by the outlet's merchant."""
    return _set_status(user, owned_outlet(user, outlet_id), status, reason, OWNER_TRANSITIONS)


def set_status_by_staff(user, outlet_id: int, status: str, reason: str | None = None) -> Outlet:
    outlet = get_outlet(outlet_id, public=False)
    authorize_circle(user, outlet.circle_id)
    return _set_status(user, outlet, status, reason, STAFF_TRANSITIONS)
