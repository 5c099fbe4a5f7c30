from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, String, Table, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.extensions import db
from app.common.models import Timestamps

ROLES = ("resident", "merchant", "staff", "bureau", "admin")
# A district/city commerce bureau (商务局) may do whatever community staff may, in every circle of its
# cities, plus what only it (or an admin) may: freeze official grades, open survey periods, set a city's
# tier and profiles, manage staff accounts. Role checks go through has_role, so this is the one place.
ROLE_INCLUDES = {"bureau": ("staff",)}

staff_circles = Table(
    "staff_circles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("circle_id", ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True),
)

# The cities a bureau account answers for; its scope is every circle of these cities (also new ones).
user_cities = Table(
    "user_cities",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("city_id", ForeignKey("cities.id", ondelete="CASCADE"), primary_key=True, index=True),
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
    # Community staff confirmed the home circle (then surveys need no location check); cleared on moving.
    home_confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    home_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A mobile number only from WeChat's phone button (the resident's explicit consent), shown masked.
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The privacy notice version the resident accepted (PRIVACY_NOTICE_VERSION asks again when it changes).
    privacy_version: Mapped[str | None] = mapped_column(String(32))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # 注销: the row stays as an empty tombstone so public needs and ratings keep an author ("已注销用户")
    # and old tokens, which name this id, find no live account.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    circles = relationship("Circle", secondary=staff_circles, order_by="Circle.id")
    cities = relationship("City", secondary=user_cities, order_by="City.id")

    __table_args__ = (
        CheckConstraint("openid IS NOT NULL OR username IS NOT NULL OR deleted_at IS NOT NULL", name="has_identity"),
        CheckConstraint(
            "deleted_at IS NULL OR (openid IS NULL AND unionid IS NULL AND username IS NULL AND phone IS NULL"
            " AND display_name IS NULL AND password_hash IS NULL)",
            name="deleted_is_empty",
        ),
        CheckConstraint(f"roles <@ ARRAY{list(ROLES)}::varchar[]", name="known_roles"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def masked_phone(self) -> str | None:
        return mask_phone(self.phone)

    def has_role(self, *roles) -> bool:
        held = set(self.roles or ())
        for role in self.roles or ():
            held.update(ROLE_INCLUDES.get(role, ()))
        return any(r in held for r in roles)

    @property
    def scope_city_ids(self) -> list[int]:
        return [c.id for c in self.cities] if "bureau" in (self.roles or ()) else []

    @property
    def scope_circle_ids(self) -> list[int]:
        """Circles this account answers for: its own (staff) and every circle of its cities (bureau)."""
        own = [c.id for c in self.circles]
        city_ids = self.scope_city_ids
        if not city_ids:
            return own
        from app.circles.models import Circle  # circles import users' module indirectly

        in_cities = db.session.scalars(select(Circle.id).where(Circle.city_id.in_(city_ids))).all()
        return sorted(set(own) | set(in_cities))


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the owner recognises their number; nobody reading over a shoulder learns it."""
    if not phone:
        return None
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)
