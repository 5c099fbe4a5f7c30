from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.extensions import db
from app.common.models import Timestamps
from app.uploads.models import UploadIdType

# visible: counted and listed · pending_review: waiting for staff (content check said "review" or was
# unavailable) · hidden: staff hid it. Only visible ratings enter the outlet's average.
RATING_STATUSES = ("visible", "pending_review", "hidden")
FINDING_SEVERITIES = {"minor": "轻微", "major": "较重", "serious": "严重"}
MODERATION_ACTIONS = ("hide", "unhide")


class Rating(Timestamps, db.Model):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    photo_ids: Mapped[list[str]] = mapped_column(ARRAY(UploadIdType), default=list)  # uploads claimed as rating_photo
    status: Mapped[str] = mapped_column(String(16), default="visible")
    content_check: Mapped[str | None] = mapped_column(String(16))  # pass / review / unavailable
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user = relationship("User", foreign_keys=[user_id], lazy="selectin")
    reports = relationship("RatingReport", back_populates="rating", order_by="RatingReport.id", passive_deletes=True)

    __table_args__ = (
        UniqueConstraint("outlet_id", "user_id", name="uq_ratings_outlet_user"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        CheckConstraint(f"status IN {RATING_STATUSES}", name="status"),
        CheckConstraint("char_length(text) <= 500", name="text_length"),
        Index(
            "ix_ratings_outlet_listing",
            "outlet_id",
            sql("created_at DESC"),
            postgresql_where=sql("status = 'visible'"),
        ),
        Index("ix_ratings_reply_user_id", "reply_user_id", postgresql_where=sql("reply_user_id IS NOT NULL")),
    )


class RatingReport(db.Model):
    """A logged-in user's report of a rating; open until staff decide on the rating."""

    __tablename__ = "rating_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=sql("now()"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    rating = relationship(Rating, back_populates="reports")

    __table_args__ = (
        UniqueConstraint("rating_id", "user_id", name="uq_rating_reports_rating_user"),
        Index("ix_rating_reports_open", "rating_id", postgresql_where=sql("resolved_at IS NULL")),
    )


class RatingDecision(db.Model):
    """Audit row of a staff hide/unhide decision."""

    __tablename__ = "rating_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=sql("now()"))

    __table_args__ = (CheckConstraint(f"action IN {MODERATION_ACTIONS}", name="action"),)


class StaffFinding(Timestamps, db.Model):
    """What staff found when inspecting an outlet (监督检查); feeds the merchant credit level."""

    __tablename__ = "staff_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    found_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(f"severity IN {tuple(FINDING_SEVERITIES)}", name="severity"),
        CheckConstraint("char_length(note) BETWEEN 1 AND 1000", name="note_length"),
    )
