"""Claiming a listed outlet (认领): a merchant shows that an outlet someone else registered (a census import,
staff) is theirs; the staff of the outlet's circle verify; on approval the merchant becomes its owner.

Evidence: the business licence (number + photo, private to the claimant and the reviewing staff) and a
phone number WeChat verified (the mini-program's getPhoneNumber code), which staff compare with the
number the listing shows.

One owner at a time. Every write locks the outlet row first (SELECT … FOR UPDATE), so claims and
decisions on one outlet happen one after another and each sees the others' outcome; a unique index
allows one approved claim per outlet as the backstop. A claim on an outlet that already has an owner,
or while another claim on it is open, is `disputed`: staff decide knowing that (approving moves the
ownership only when they say so, `transfer: true`). Every step is in the audit trail.
"""

from sqlalchemy import select

from app.common.clock import now_local
from app.common.errors import Conflict, NotFound
from app.common.extensions import db
from app.common.models import utcnow
from app.common.paging import paginate
from app.common.policy import circle_row, within_scope
from app.common.tx import write_use_case
from app.merchants import audit
from app.merchants.models import OPEN_CLAIM_STATUSES, Claim
from app.merchants.payload import phone_from_code
from app.merchants.service import make_merchant
from app.notifications.service import clip, queue_message, template_id
from app.outlets.models import Outlet
from app.uploads.service import claim_uploads

CLAIMABLE_STATUSES = ("approved", "suspended")  # listed outlets; a closed one is a new business
OWNED = "网点已有商户"
COMPETING = "同一网点另有认领申请"
STATUS_NAMES = {"approved": "已通过", "rejected": "未通过"}


def _locked_outlet(outlet_id: int) -> Outlet:
    outlet = db.session.get(Outlet, outlet_id, with_for_update=True, populate_existing=True)
    if outlet is None:
        raise NotFound("网点不存在", code="outlet_not_found")
    return outlet


def _open_claims(outlet_id: int) -> list[Claim]:
    return list(
        db.session.scalars(
            select(Claim)
            .where(Claim.outlet_id == outlet_id, Claim.status.in_(OPEN_CLAIM_STATUSES))
            .order_by(Claim.id)
            .with_for_update()
        )
    )


def _dispute(actor, claim: Claim, why: str) -> None:
    if claim.status == "disputed" and claim.dispute == why:
        return
    before = claim.status
    claim.status, claim.dispute = "disputed", why
    audit.about_claim(
        actor, "claim_disputed", claim, reason=why, before={"status": before}, after={"status": "disputed"}
    )


@write_use_case
def submit_claim(user, outlet_id: int, licence_no: str, licence_photo_id: str, contact_name: str, phone_code: str):
    """A merchant claims a listed outlet; disputed at once when it has an owner or another open claim."""
    outlet = _locked_outlet(outlet_id)
    if outlet.status == "closed":
        raise Conflict("网点已关闭，不能认领；新开业请提交入驻申请", code="outlet_closed")
    if outlet.status not in CLAIMABLE_STATUSES:  # not listed yet: an application under review
        raise NotFound("网点不存在", code="outlet_not_found")
    if outlet.owner_user_id == user.id:
        raise Conflict("您已是该网点的商户", code="already_owner")
    others = _open_claims(outlet.id)
    if any(c.claimant_user_id == user.id for c in others):
        raise Conflict("您已提交过该网点的认领申请，请等待审核", code="claim_exists")
    # The reviewing staff may read the licence (app/uploads/access.py: the circle it was submitted in).
    licence = claim_uploads(
        user, [licence_photo_id], "certification", field="licence_photo_id", circle_id=outlet.circle_id
    )[0]
    phone = phone_from_code(phone_code)  # last: WeChat's code is single-use
    claim = Claim(
        outlet_id=outlet.id,
        claimant_user_id=user.id,
        circle_id=outlet.circle_id,
        status="pending",
        licence_no=licence_no,
        licence_upload_id=licence.id,
        contact_name=contact_name,
        phone=phone,
    )
    db.session.add(claim)
    db.session.flush()
    audit.about_claim(user, "claim_submitted", claim, after={"licence_no": licence_no, "contact_name": contact_name})
    if outlet.owner_user_id is not None:
        _dispute(user, claim, OWNED)
    elif others:
        for open_claim in [*others, claim]:
            _dispute(user, open_claim, COMPETING)
    return claim


def my_claims(user, page: int, page_size: int):
    query = select(Claim).where(Claim.claimant_user_id == user.id).order_by(Claim.id.desc())
    return paginate(query, page, page_size)


def _own_claim(user, claim_id: int, lock: bool = False) -> Claim:
    claim = db.session.get(Claim, claim_id, with_for_update=lock or None, populate_existing=lock)
    if claim is None or claim.claimant_user_id != user.id:
        raise NotFound("认领申请不存在", code="claim_not_found")
    return claim


def own_claim(user, claim_id: int) -> Claim:
    return _own_claim(user, claim_id)


@write_use_case
def withdraw_claim(user, claim_id: int) -> Claim:
    claim = _own_claim(user, claim_id)
    outlet = _locked_outlet(claim.outlet_id)
    db.session.refresh(claim, with_for_update=True)
    if claim.status not in OPEN_CLAIM_STATUSES:
        raise Conflict("认领申请已处理，不能撤回", code="claim_closed")
    before = claim.status
    claim.status, claim.decided_at = "withdrawn", utcnow()
    audit.about_claim(user, "claim_withdrawn", claim, before={"status": before}, after={"status": "withdrawn"})
    _undispute_if_alone(user, outlet, claim)
    return claim


def staff_claims(user, status=None, circle_id=None, outlet_id=None, page=1, page_size=20):
    """Claims in the circles this staff member reviews (admins: all), disputed first, then oldest first."""
    query = select(Claim)
    query = within_scope(query, Claim.circle_id, user, circle_id)
    if status == "open":
        query = query.where(Claim.status.in_(OPEN_CLAIM_STATUSES))
    elif status is not None:
        query = query.where(Claim.status == status)
    if outlet_id is not None:
        query = query.where(Claim.outlet_id == outlet_id)
    query = query.order_by((Claim.status == "disputed").desc(), Claim.created_at, Claim.id)
    return paginate(query, page, page_size, count=True)


def claim_for_staff(user, claim_id: int) -> Claim:
    return circle_row(user, Claim, claim_id, ("认领申请不存在", "claim_not_found"))


def _decidable(user, claim_id: int) -> tuple[Claim, Outlet]:
    """The claim and its outlet, both locked (outlet first, as every claim write does), re-read."""
    claim = claim_for_staff(user, claim_id)
    outlet = _locked_outlet(claim.outlet_id)
    db.session.refresh(claim, with_for_update=True)
    if claim.status not in OPEN_CLAIM_STATUSES:
        raise Conflict(f"认领申请状态为 {claim.status}，不能执行此操作", code="claim_not_open")
    return claim, outlet


def _decide(user, claim: Claim, status: str, reason: str | None) -> None:
    claim.status, claim.reason = status, reason
    claim.reviewer_user_id, claim.decided_at = user.id, utcnow()
    _notify(claim)


@write_use_case
def approve_claim(user, claim_id: int, note: str | None = None, transfer: bool = False) -> Claim:
    """The claimant becomes the outlet's owner. An outlet that has an owner changes hands only with
    `transfer` (staff decided the dispute); other open claims on it are then disputed."""
    claim, outlet = _decidable(user, claim_id)
    previous_owner = outlet.owner_user_id
    if previous_owner is not None and previous_owner != claim.claimant_user_id and not transfer:
        raise Conflict(
            "网点已有商户；确认将网点转给该申请人时请注明转移（transfer）",
            code="outlet_owned",
            details={"owner_user_id": previous_owner},
        )
    if claim.claimant_user_id is None:
        raise Conflict("申请人已注销账号", code="claimant_gone")
    for earlier in db.session.scalars(
        select(Claim).where(Claim.outlet_id == outlet.id, Claim.status == "approved").with_for_update()
    ):
        earlier.status = "superseded"
        audit.about_claim(
            user, "claim_superseded", earlier, before={"status": "approved"}, after={"status": "superseded"}
        )
    db.session.flush()  # the unique index on approved claims sees the superseded one first
    outlet.owner_user_id = claim.claimant_user_id
    outlet.certification = {**(outlet.certification or {}), "licence_number": claim.licence_no}
    if claim.licence_upload_id is not None:
        outlet.certification["licence_upload_id"] = claim.licence_upload_id
    make_merchant(claim.claimant_user_id)
    _decide(user, claim, "approved", note)
    audit.about_claim(
        user,
        "claim_approved",
        claim,
        reason=note,
        before={"owner_user_id": previous_owner},
        after={"owner_user_id": outlet.owner_user_id},
    )
    for other in _open_claims(outlet.id):
        if other.id != claim.id:
            _dispute(user, other, OWNED)
    return claim


@write_use_case
def reject_claim(user, claim_id: int, reason: str) -> Claim:
    claim, outlet = _decidable(user, claim_id)
    before = claim.status
    _decide(user, claim, "rejected", reason)
    audit.about_claim(
        user, "claim_rejected", claim, reason=reason, before={"status": before}, after={"status": "rejected"}
    )
    _undispute_if_alone(user, outlet, claim)
    return claim


def _undispute_if_alone(actor, outlet: Outlet, closed: Claim) -> None:
    """A claim closed (rejected, withdrawn) on an unowned outlet: a competitor left alone is an ordinary claim."""
    remaining = [c for c in _open_claims(outlet.id) if c.id != closed.id]
    if len(remaining) == 1 and outlet.owner_user_id is None and remaining[0].dispute == COMPETING:
        remaining[0].status, remaining[0].dispute = "pending", None
        audit.about_claim(
            actor, "claim_undisputed", remaining[0], before={"status": "disputed"}, after={"status": "pending"}
        )


def _notify(claim: Claim) -> None:
    """The claimant's subscribe message about the decision (as far as their consent allows)."""
    if claim.claimant_user_id is None:
        return
    outlet_name = db.session.scalar(select(Outlet.name).where(Outlet.id == claim.outlet_id)) or ""
    data = {
        "thing1": {"value": clip(outlet_name, 20)},
        "phrase2": {"value": STATUS_NAMES[claim.status]},
        "thing3": {"value": clip(claim.reason or "您已成为该网点的商户", 20)},
        "time4": {"value": now_local().strftime("%Y-%m-%d %H:%M")},
    }
    queue_message(
        claim.claimant_user_id,
        template_id("WECHAT_TEMPLATE_CLAIM_RESULT", "tmpl-claim-result"),
        data,
        page=f"pages/merchant/claims?id={claim.id}",
        subject=f"claim:{claim.id}",
    )
