"""Staff assessments (items the platform cannot observe) and frozen evaluation snapshots (history)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps

# What staff judge on site, and the value each takes (validated by schemas.AssessmentCreateSchema).
ASSESSMENT_ITEMS = {
    "vegetable_market": "菜市场达标（GB/T 21720-2022）",
    "elderly_care": "养老服务场所达标",
    "childcare": "托育服务场所达标",
    "harmony": "商居和谐",
    "smart_environment": "布局整洁、导视、视频监控",
    "breakfast_variety": "早餐品类（主食+汤粥）",
}
CIRCLE_TYPE_KEYS = ("quality", "improved", "basic")
GRADES = ("excellent", "good", "pass", "fail")


class EvaluationAssessment(Timestamps, db.Model):
    __tablename__ = "evaluation_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(40))
    value: Mapped[dict] = mapped_column(JSONB)
    note: Mapped[str] = mapped_column(Text)
    assessed_on: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(f"item IN {tuple(ASSESSMENT_ITEMS)}", name="item"),
        Index("ix_evaluation_assessments_circle_item", "circle_id", "item", "assessed_on"),
    )


class EvaluationSnapshot(Timestamps, db.Model):
    """An official assessment: the full result frozen with the profile version it was computed with."""

    __tablename__ = "evaluation_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[date] = mapped_column(Date)
    profile_code: Mapped[str] = mapped_column(String(40))
    profile_version: Mapped[str] = mapped_column(String(80))
    presence_score: Mapped[float] = mapped_column(Float)
    service_score: Mapped[float] = mapped_column(Float)
    provisional_type: Mapped[str | None] = mapped_column(String(12))
    grade: Mapped[str] = mapped_column(String(12))
    final_type: Mapped[str | None] = mapped_column(String(12))
    stars: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict] = mapped_column(JSONB)
    frozen_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("circle_id", "period", name="uq_evaluation_snapshots_circle_period"),
        CheckConstraint(f"provisional_type IS NULL OR provisional_type IN {CIRCLE_TYPE_KEYS}", name="provisional_type"),
        CheckConstraint(f"final_type IS NULL OR final_type IN {CIRCLE_TYPE_KEYS}", name="final_type"),
        CheckConstraint(f"grade IN {GRADES}", name="grade"),
        CheckConstraint("stars BETWEEN 0 AND 5", name="stars"),
    )


# The outlet ↔ circle reach (app/evaluation/reach.py): which approved, fixed outlets count for which circle,
# type by type, and how far outside its boundary they stand (0 inside it). Written only by reach.refresh; the
# triggers of migration 0025 note what a write changed (outlets, circles) or that a bulk import changed
# everything, and presence reads the table only while nothing is noted.
class OutletReach(db.Model):
    __tablename__ = "outlet_reach"
    circle_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    outlet_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    distance_m: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_outlet_reach_outlet_id", "outlet_id"),)


class OutletReachDirtyOutlet(db.Model):
    """An outlet written since the last refresh (created, moved, retyped, its status or circle changed, deleted)."""

    __tablename__ = "outlet_reach_dirty_outlets"
    outlet_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class OutletReachDirtyCircle(db.Model):
    """A circle written since the last refresh (created, its boundary changed, deleted)."""

    __tablename__ = "outlet_reach_dirty_circles"
    circle_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class OutletReachState(db.Model):
    """One row: the radius the reach was built for, NULL when it must be built from scratch (a bulk outlet
    import, a fresh database)."""

    __tablename__ = "outlet_reach_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    radius_m: Mapped[int | None] = mapped_column(Integer)
    built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
