from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db

KINDS = ("search",)  # needs filed and ratings given are read from their own tables


class PlatformUse(db.Model):
    """A logged-in resident searched in a circle on a day (one row per user, circle, day and kind).

    Searches are otherwise anonymous; this is the least the usage rate needs: no query, no point.
    """

    __tablename__ = "platform_uses"
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)

    __table_args__ = (CheckConstraint(f"kind IN {KINDS}".replace(",)", ")"), name="kind"),)
