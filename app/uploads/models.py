import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps

UPLOAD_KINDS = ("image", "pdf")
UPLOAD_PURPOSES = ("outlet_photo", "certification", "demand_photo", "rating_photo")
# not_required: no WeChat check for this purpose (or a staff account without an openid);
# pending: asked WeChat, verdict not back yet; pass/review/risky: WeChat's suggest.
MEDIA_CHECK_STATES = ("not_required", "pending", "pass", "review", "risky")
# Upload ids are random UUIDs (as text): a file's address cannot be guessed from another one's, and
# records that use uploads (needs, ratings, applications, outlets) keep these ids.
UploadIdType = UUID(as_uuid=False)


def new_upload_id() -> str:
    return str(uuid.uuid4())


class Upload(Timestamps, db.Model):
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(
        UploadIdType, primary_key=True, default=new_upload_id, server_default=text("gen_random_uuid()")
    )
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    # Content-addressed keys ("ab/cd/<sha256>.jpg"): the same layout works on disk and in object storage.
    storage_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str | None] = mapped_column(String(200))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_check: Mapped[str] = mapped_column(String(12), default="not_required")
    media_trace_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Where the file is used; decides who may read it (staff of that circle, the public once approved).
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"), index=True)
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"), index=True)
    # When a record (need, rating, application) first claimed the file; until then only its owner reads it.
    attached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"kind IN {UPLOAD_KINDS}", name="kind"),
        CheckConstraint(f"purpose IN {UPLOAD_PURPOSES}", name="purpose"),
        CheckConstraint(f"media_check IN {MEDIA_CHECK_STATES}", name="media_check"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint("kind = 'image' OR purpose = 'certification'", name="pdf_only_certification"),
    )
