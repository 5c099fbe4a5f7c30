from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps, utcnow

# pending: waiting for the relay (first try or a retry after backoff); queued: handed to RQ;
# sending: a worker is calling WeChat (committed before the call, so a killed worker leaves it visible);
# sent, unsubscribed (43101), failed (permanent error or attempts used up): final.
OUTBOX_STATUSES = ("pending", "queued", "sending", "sent", "unsubscribed", "failed")
LIVE_STATUSES = ("pending", "queued", "sending")
FINAL_STATUSES = ("sent", "unsubscribed", "failed")


class OutboxMessage(Timestamps, db.Model):
    """A subscribe message to send, written in the same transaction as the change it reports."""

    __tablename__ = "notification_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSONB)
    page: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(40))  # what it is about, e.g. "demand:12"
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    errcode: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The request that queued it (X-Request-ID): the worker logs its delivery under the same id.
    request_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES}", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # The relay's scan: only rows still to be delivered are indexed.
        Index("ix_notification_outbox_due", "next_attempt_at", postgresql_where=text(f"status IN {LIVE_STATUSES}")),
    )


# What the user chose in wx.requestSubscribeMessage for a template: "accept" grants one message
# (one-time subscription); "reject" and "ban" (the user turned the template off) grant none.
CONSENT_ANSWERS = ("accept", "reject", "ban")


class Subscription(db.Model):
    """A user's consent to one subscribe-message template, as reported by the mini-program.

    WeChat one-time subscriptions allow one message per "accept"; `credits` counts the unused ones so
    the outbox never queues a message WeChat would refuse (43101). No row: the user was never asked
    through this API (older clients), and the message is queued as before.
    """

    __tablename__ = "notification_subscriptions"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_answer: Mapped[str] = mapped_column(String(8))
    credits: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(f"last_answer IN {CONSENT_ANSWERS}", name="last_answer"),
        CheckConstraint("credits >= 0", name="credits"),
    )
