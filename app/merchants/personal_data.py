"""A merchant's applications and outlets: exported; on 注销 their outlets stay, unowned, with their public
photos; open applications are closed; the applicant's phone from WeChat's phone button leaves the payloads
(the published outlet keeps the phone it shows the public) and licence files are erased (private)."""

from sqlalchemy import select

from app.common.personal_data import records
from app.extensions import db
from app.merchants import audit
from app.merchants.models import OPEN_STATUSES, Application
from app.outlets.models import Outlet

CLOSED_REASON = "申请人已注销账号"


def export(user) -> dict:
    fields = ("id", "kind", "status", "name", "outlet_id", "payload", "reason", "submitted_at", "decided_at")
    return {
        "merchant_applications": records(Application.applicant_user_id, user, fields),
        "owned_outlets": records(Outlet.owner_user_id, user, ("id", "name", "status")),
    }


def erase(erasure) -> None:
    user = erasure.user
    outlets = db.session.scalars(select(Outlet).where(Outlet.owner_user_id == user.id)).all()
    for outlet in outlets:
        outlet.owner_user_id = None
        erasure.keep_uploads.update(p["upload_id"] for p in outlet.photos or [] if isinstance(p, dict))
        audit.record(None, "owner_deleted", outlet_id=outlet.id, circle_id=outlet.circle_id, reason=CLOSED_REASON)
    erasure.count("outlets_unowned", len(outlets))
    applications = db.session.scalars(select(Application).where(Application.applicant_user_id == user.id)).all()
    closed = 0
    for application in applications:
        if application.status in OPEN_STATUSES:
            application.status, application.reason, application.decided_at = "rejected", CLOSED_REASON, erasure.at
            closed += 1
        if "phone" in (application.payload or {}) and application.status != "approved":
            application.payload = {k: v for k, v in application.payload.items() if k != "phone"}
    erasure.count("applications_closed", closed)
