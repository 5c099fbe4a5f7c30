from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, String, Table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import Timestamps
from app.extensions import db

ROLES = ("resident", "merchant", "staff", "admin")

staff_circles = Table(
    "staff_circles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("circle_id", ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True),
)


class User(Timestamps, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Residents are WeChat openids; the session_key from code2Session is never stored.
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=lambda: ["resident"])
    home_circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"), index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    circles = relationship("Circle", secondary=staff_circles, order_by="Circle.id")

    __table_args__ = (
        CheckConstraint("openid IS NOT NULL OR username IS NOT NULL", name="has_identity"),
        CheckConstraint(f"roles <@ ARRAY{list(ROLES)}::varchar[]", name="known_roles"),
    )

    def has_role(self, *roles) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def scope_circle_ids(self) -> list[int]:
        return [c.id for c in self.circles]
