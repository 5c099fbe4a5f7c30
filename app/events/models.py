from datetime import date

from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps

# Codes with the names the programme's documents use (五十问: 邻里节、美食节、团购节、家政便民 …).
EVENT_THEMES = {
    "neighbourhood": "邻里节",
    "food": "美食节",
    "group_buying": "团购节",
    "housekeeping": "家政便民",
    "other": "其他",
}


class Event(Timestamps, db.Model):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=False)
    address: Mapped[str] = mapped_column(String(255), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    organiser: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint(f"theme IN {tuple(EVENT_THEMES)}", name="theme"),
        Index("ix_events_circle_starts_on", "circle_id", "starts_on"),
        Index("ix_events_ends_on", "ends_on"),
    )
