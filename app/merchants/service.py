"""Application use cases: submit, edit and resubmit, staff queue, approve, reject, send back."""

from sqlalchemy import select

from app.auth.models import User
from app.circles.service import locate
from app.common import geo
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.common.extensions import db
from app.common.models import utcnow
from app.common.paging import paginate
from app.common.policy import authorize_circle, can_manage_outlet, within_scope
from app.common.tx import write_use_case
from app.merchants import audit
from app.merchants.duplicates import listed_outlets_like
from app.merchants.models import OPEN_STATUSES, Application
from app.merchants.payload import check_complete, prepare
from app.merchants.publish import apply_payload, attach_uploads, diff, snapshot
from app.outlets.models import Outlet


def circle_for(lng: float, lat: float) -> int:
    """The reviewing circle: the one containing the point (422 when there is none)."""
    try:
        circle, _ = locate(lng, lat)
    except NotFound:
        raise ValidationFailed(
            "该位置不在任何生活圈内，暂不能入驻", code="outside_circles", details={"location": ["不在任何生活圈内"]}
        ) from None
    return circle.id


def _share_with_reviewers(uploads, circle_id):
    attach_uploads([u.id for u in uploads], circle_id=circle_id)


def point_to_listed(data: dict) -> None:
    """A shop that is already listed (a census import, staff) is claimed, not registered again: 409 with
    the listed outlets to claim, unless the applicant says theirs is none of them (`not_listed`)."""
    if data.get("not_listed"):
        return
    listed = listed_outlets_like(data["name"], list(data["types"]), data["lng"], data["lat"])
    if listed:
        raise Conflict(
            "附近已登记同名网点，如是您的店铺请直接认领",
            code="outlet_already_listed",
            details={"outlets": listed, "claim": "POST /api/v1/merchant/claims"},
        )


@write_use_case
def submit_application(user, data: dict) -> Application:
    """A new outlet (WGS-84 lng/lat in `data`) goes to the staff of the circle containing its point."""
    circle_id = circle_for(data["lng"], data["lat"])
    payload, uploads = prepare(user, data)
    check_complete(payload)
    point_to_listed(data)
    application = Application(
        kind="new",
        status="pending",
        applicant_user_id=user.id,
        circle_id=circle_id,
        name=payload["name"],
        location=geo.point(payload["lng"], payload["lat"]),
        payload=payload,
        submitted_at=utcnow(),
    )
    db.session.add(application)
    _share_with_reviewers(uploads, circle_id)
    db.session.flush()
    audit.about_application(user, "application_submitted", application, after=payload)
    return application


def _application(application_id: int, lock: bool) -> Application | None:
    """The row; locked (SELECT … FOR UPDATE, re-read) when a decision follows, so that of two staff
    deciding at the same moment (or the applicant resubmitting meanwhile) one waits for the other
    and then sees its outcome: exactly one approval publishes an outlet, the other gets 409."""
    if not lock:
        return db.session.get(Application, application_id)
    return db.session.get(Application, application_id, with_for_update=True, populate_existing=True)


def own_application(user, application_id: int, lock: bool = False) -> Application:
    application = _application(application_id, lock)
    if application is None or application.applicant_user_id != user.id:
        raise NotFound("申请不存在", code="application_not_found")
    return application


@write_use_case
@write_use_case
def resubmit_application(user, application_id: int, data: dict) -> Application:
    """The applicant replaces a pending or returned new-outlet application; it is pending again."""
    application = own_application(user, application_id, lock=True)
    if application.kind != "new":
        raise Conflict("修改申请请通过编辑网点提交", code="not_a_new_application")
    if application.status not in OPEN_STATUSES:
        raise Conflict("申请已处理，不能再修改", code="application_closed")
    circle_id = circle_for(data["lng"], data["lat"])
    payload, uploads = prepare(user, data)
    check_complete(payload)
    before = application.payload
    application.payload, application.name, application.circle_id = payload, payload["name"], circle_id
    application.location = geo.point(payload["lng"], payload["lat"])
    application.status, application.submitted_at = "pending", utcnow()
    _share_with_reviewers(uploads, circle_id)
    old, new = diff(before, payload)
    audit.about_application(user, "application_resubmitted", application, before=old, after=new)
    return application


def my_applications(user, page: int, page_size: int):
    query = select(Application).where(Application.applicant_user_id == user.id).order_by(Application.id.desc())
    return paginate(query, page, page_size)


def staff_queue(user, status=None, kind=None, circle_id=None, page=1, page_size=20):
    """Applications in the circles this staff member reviews (admins: all), oldest submission first."""
    query = select(Application)
    query = within_scope(query, Application.circle_id, user, circle_id)
    if status is not None:
        query = query.where(Application.status == status)
    if kind is not None:
        query = query.where(Application.kind == kind)
    return paginate(query.order_by(Application.submitted_at, Application.id), page, page_size, count=True)


def application_for_staff(user, application_id: int, lock: bool = False) -> Application:
    application = _application(application_id, lock)
    if application is None:
        raise NotFound("申请不存在", code="application_not_found")
    authorize_circle(user, application.circle_id)
    return application


def _decidable(user, application_id: int, statuses=("pending",)) -> Application:
    application = application_for_staff(user, application_id, lock=True)
    if application.status not in statuses:
        raise Conflict(f"申请状态为 {application.status}，不能执行此操作", code="application_not_pending")
    return application


def _decide(user, application, status, reason=None):
    application.status, application.reason = status, reason
    application.reviewer_user_id, application.decided_at = user.id, utcnow()


def make_merchant(user_id: int | None):
    applicant = db.session.get(User, user_id) if user_id is not None else None
    if applicant is not None and "merchant" not in applicant.roles:
        applicant.roles = [*applicant.roles, "merchant"]


@write_use_case
@write_use_case
def approve_application(user, application_id: int, note: str | None = None) -> Application:
    """Publishes the outlet (new) or applies the change set; the applicant becomes its merchant."""
    application = _decidable(user, application_id)
    if application.kind == "new":
        outlet = apply_payload(
            Outlet(status="approved", owner_user_id=application.applicant_user_id), application.payload
        )
        application.outlet_id = outlet.id
        before, after = None, snapshot(outlet)
        make_merchant(application.applicant_user_id)
    else:
        outlet = db.session.get(Outlet, application.outlet_id)
        if outlet is None:
            raise Conflict("网点已不存在", code="outlet_gone")
        previous = snapshot(outlet)
        apply_payload(outlet, application.payload)
        before, after = diff(previous, snapshot(outlet))
    _decide(user, application, "approved", note)
    action = "change_approved" if application.kind == "change" else "application_approved"
    audit.about_application(user, action, application, reason=note, before=before, after=after)
    return application


@write_use_case
@write_use_case
def reject_application(user, application_id: int, reason: str) -> Application:
    application = _decidable(user, application_id, statuses=OPEN_STATUSES)
    _decide(user, application, "rejected", reason)
    action = "change_rejected" if application.kind == "change" else "application_rejected"
    audit.about_application(user, action, application, reason=reason)
    return application


@write_use_case
@write_use_case
def return_application(user, application_id: int, reason: str) -> Application:
    """Sends it back to the applicant for changes; they edit and resubmit."""
    application = _decidable(user, application_id)
    _decide(user, application, "returned", reason)
    audit.about_application(user, "application_returned", application, reason=reason)
    return application


def forbid_other_merchants(user, outlet: Outlet):
    """Only the outlet's merchant, or staff in scope of its circle, manage it."""
    if not can_manage_outlet(user, outlet):
        raise Forbidden("只能管理自己的网点", code="not_owner")
