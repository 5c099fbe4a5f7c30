"""A merchant's applications, claims and outlets: exported; on 注销 their outlets stay, unowned, with their
public photos; open applications and claims are closed; the phone from WeChat's phone button leaves the
payloads and claims (the published outlet keeps the phone it shows the public) and licence files are erased
(private)."""

from sqlalchemy import select

from app.common.extensions import db
from app.common.personal_data import records
from app.merchants import audit
from app.merchants.models import OPEN_CLAIM_STATUSES, OPEN_STATUSES, Application, Claim
from app.outlets.models import Outlet

CLOSED_REASON = "申请人已注销账号"


def export(user) -> dict:
    fields = ("id", "kind", "status", "name", "outlet_id", "payload", "reason", "submitted_at", "decided_at")
    return {
        "merchant_applications": records(Application.applicant_user_id, user, fields),
        "owned_outlets": records(Outlet.owner_user_id, user, ("id", "name", "status")),
        "outlet_claims": records(
            Claim.claimant_user_id,
            user,
            ("id", "outlet_id", "status", "licence_no", "contact_name", "phone", "reason", "created_at", "decided_at"),
        ),
    }


def erase(erasure) -> None:
    user = erasure.user
    outlets = db.session.scalars(select(Outlet).where(Outlet.owner_user_id == user.id)).all()
    for outlet in outlets:
        outlet.owner_user_id = None
        erasure.keep_uploads.update(p["upload_id"] for p in outlet.photos or [] if isinstance(p, dict))
        audit.about_outlet(None, "owner_deleted", outlet, reason=CLOSED_REASON)
    erasure.count("outlets_unowned", len(outlets))
    applications = db.session.scalars(select(Application).where(Application.applicant_user_id == user.id)).all()
    erasure.count("applications_closed", _close(applications, OPEN_STATUSES, "rejected", erasure.at))
    for application in applications:
        if "phone" in (application.payload or {}) and application.status != "approved":
            application.payload = {k: v for k, v in application.payload.items() if k != "phone"}
    claims = db.session.scalars(select(Claim).where(Claim.claimant_user_id == user.id)).all()
    erasure.count("claims_withdrawn", _close(claims, OPEN_CLAIM_STATUSES, "withdrawn", erasure.at))
    for claim in claims:
        claim.phone = None  # the WeChat-verified number leaves with the account; the licence file is private


def _close(rows, open_statuses, closed_status: str, at) -> int:
    """Closes the rows still open (the account's owner can no longer answer), with the reason; how many."""
    closed = [row for row in rows if row.status in open_statuses]
    for row in closed:
        row.status, row.reason, row.decided_at = closed_status, CLOSED_REASON, at
    return len(closed)
