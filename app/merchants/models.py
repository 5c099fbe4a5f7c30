from datetime import datetime

from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.extensions import db
from app.common.models import Timestamps
from app.uploads.models import UploadIdType

APPLICATION_KINDS = ("new", "change")  # a new outlet, or reviewed edits of a published one
APPLICATION_STATUSES = ("pending", "returned", "approved", "rejected")  # returned: sent back for changes
OPEN_STATUSES = ("pending", "returned")


class Application(Timestamps, db.Model):
    __tablename__ = "merchant_applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # change: the outlet being edited; new: the outlet created on approval.
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"), index=True)
    # The circle containing the (proposed) point decides which staff review it.
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=True)
    # Outlet fields as submitted, normalised, coordinates in WGS-84 (change sets: only reviewed fields).
    payload: Mapped[dict] = mapped_column(JSONB, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)  # of the last rejection or return
    reviewer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"kind IN {APPLICATION_KINDS}", name="kind"),
        CheckConstraint(f"status IN {APPLICATION_STATUSES}", name="status"),
        CheckConstraint("kind <> 'new' OR location IS NOT NULL", name="new_has_location"),
        CheckConstraint("status NOT IN ('rejected', 'returned') OR reason IS NOT NULL", name="decision_has_reason"),
        Index("ix_merchant_applications_circle_id_status", "circle_id", "status"),
    )


# pending: waiting for staff · disputed: the outlet has an owner, or another claim is open on it: staff
# decide knowing that · approved: the claimant owns the outlet · superseded: was approved, ownership
# later moved to another claim · rejected (with a reason) · withdrawn by the claimant.
CLAIM_STATUSES = ("pending", "disputed", "approved", "rejected", "withdrawn", "superseded")
OPEN_CLAIM_STATUSES = ("pending", "disputed")


class Claim(Timestamps, db.Model):
    """A merchant's claim (认领) of a listed outlet that someone else registered (a census import, staff):
    licence number and photo, a phone number WeChat verified, reviewed by the staff of the outlet's circle."""

    __tablename__ = "outlet_claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"))
    claimant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    licence_no: Mapped[str] = mapped_column(String(40))
    # Private (purpose certification): readable by the claimant and the reviewing staff only.
    licence_upload_id: Mapped[str | None] = mapped_column(UploadIdType, ForeignKey("uploads.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))  # from WeChat's phone button; NULL after 注销
    # Why staff see it as disputed ("网点已有商户" / "另有认领申请"), and the reason of a rejection.
    dispute: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Loaded with a page of claims in one query each (the staff's list shows both).
    outlet = relationship("Outlet", lazy="selectin", viewonly=True)
    licence = relationship("Upload", lazy="selectin", viewonly=True)

    __table_args__ = (
        CheckConstraint(f"status IN {CLAIM_STATUSES}", name="status"),
        CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="rejection_has_reason"),
        # One owner at a time: at most one approved claim per outlet (the outlet row lock orders approvals;
        # this is the backstop), and one open claim per merchant and outlet.
        Index("uq_outlet_claims_approved", "outlet_id", unique=True, postgresql_where=text("status = 'approved'")),
        Index(
            "uq_outlet_claims_open",
            "outlet_id",
            "claimant_user_id",
            unique=True,
            postgresql_where=text("status IN ('pending', 'disputed')"),
        ),
        Index("ix_outlet_claims_circle_id_status", "circle_id", "status"),
    )
