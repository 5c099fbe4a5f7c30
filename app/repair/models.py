from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps


class RepairOffer(Timestamps, db.Model):
    """One service item an outlet offers, with its shown price (明码标价): a price or a range."""

    __tablename__ = "repair_offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), index=True)
    service_code: Mapped[str] = mapped_column(String(40), index=True)
    price_min: Mapped[float] = mapped_column(Numeric(10, 2))
    price_max: Mapped[float | None] = mapped_column(Numeric(10, 2))  # None: a single price
    unit: Mapped[str] = mapped_column(String(20), default="次")
    note: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        UniqueConstraint("outlet_id", "service_code", name="uq_repair_offers_outlet_service"),
        CheckConstraint("price_min >= 0", name="price_min"),
        CheckConstraint("price_max IS NULL OR price_max >= price_min", name="price_range"),
    )
