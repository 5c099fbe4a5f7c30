"""Column helpers shared by the domain models."""

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, delete, func
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from app.common.extensions import db


def utcnow():
    return datetime.now(UTC)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=utcnow, nullable=False
    )


def replace_children(parent_key: InstrumentedAttribute, parent_id: int, rows: list[dict]) -> None:
    """Replaces every row whose `parent_key` is `parent_id` (e.g. StallSlot.outlet_id) by one per `rows`
    (column values, the key set here): the whole collection at once, as a merchant edits a list. A building
    block of the caller's use case (no commit)."""
    model = parent_key.class_
    db.session.execute(delete(model).where(parent_key == parent_id))
    db.session.add_all(model(**row, **{parent_key.key: parent_id}) for row in rows)


class IdempotencyRecord(db.Model):
    """An Idempotency-Key whose use case committed: written in the use case's own transaction, so a key
    is bound to its result exactly when the result exists (Redis only speeds up replays).

    `resource_id` is the row the use case created (to answer again if the first response was lost);
    `status`/`body` are the first response, stored once it was produced. Rows older than a day no longer
    count (`idempotency.RESULT_TTL_S`) and are reused or purged.
    """

    __tablename__ = "idempotency_keys"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    mimetype: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )
