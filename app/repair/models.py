from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import INT4MULTIRANGE, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import Timestamps
from app.extensions import db


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


class StallSlot(Timestamps, db.Model):
    """One place of a mobile stall's schedule and the weekly windows it is there (社区工坊 time slots)."""

    __tablename__ = "repair_stall_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), index=True)
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=False)
    address: Mapped[str] = mapped_column(String(255), default="")
    hours: Mapped[dict] = mapped_column(JSONB, default=dict)  # same shape as outlets.hours
    # Minutes of the week present, derived from hours, so "present now" is one SQL predicate.
    open_minutes = mapped_column(INT4MULTIRANGE, nullable=True)
