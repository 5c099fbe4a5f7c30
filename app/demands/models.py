from datetime import date, datetime

import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps
from app.uploads.models import UploadIdType

DEMAND_KINDS = {
    "missing_type": "缺少业态",
    "service_quality": "服务质量",
    "outlet_closed": "网点已关停",
    "other": "其他",
}
DEMAND_STATUSES = {
    "submitted": "已提交",
    "accepted": "已受理",
    "in_progress": "处理中",
    "reopened": "已重开",
    "done": "已完成",
    "rejected": "已驳回",
    "merged": "已合并",
}
OPEN_STATUSES = ("submitted", "accepted", "in_progress", "reopened")
CLOSED_STATUSES = ("done", "rejected", "merged")
# Statuses that mean the need entered the needs list (需求清单).
ACCEPTED_STATUSES = ("accepted", "in_progress", "reopened", "done")
# Why a resident files "missing" although outlets of the type exist nearby (shown before submitting).
EXISTING_REASONS = {
    "too_expensive": "价格太贵",
    "closed": "经常关门",
    "poor": "质量/服务差",
    "too_far": "实际步行太远",
    "other": "其他",
}
PRIORITIES = {"urgent": "紧急", "high": "较急", "normal": "一般", "low": "可缓"}  # 轻重缓急
MODERATION = ("visible", "held", "hidden")
ANSWERS = {"yes": "已解决", "no": "未解决", "unsure": "不确定"}
SOURCES = ("app", "open311")

PROJECT_STATUSES = {"planned": "计划中", "in_progress": "建设中", "done": "已完成", "cancelled": "已取消"}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Project(Timestamps, db.Model):
    """An item of the circle's project list (项目清单): what the city will build or fix."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="RESTRICT"), index=True)
    business_type: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status"),
        CheckConstraint(_in("urgency", PRIORITIES), name="urgency"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("status <> 'done' OR progress = 100", name="done_complete"),
        CheckConstraint("planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start", name="planned"),
        CheckConstraint("actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start", name="actual"),
    )


class ProjectEvent(db.Model):
    """Audit row per staff decision on a project."""

    __tablename__ = "project_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))
    changes: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_project_events_actor_id", "actor_id", postgresql_where=text("actor_id IS NOT NULL")),)


class Demand(Timestamps, db.Model):
    """A resident's need (需求): what is missing, a service problem, a shop that is gone."""

    __tablename__ = "demands"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    business_type: Mapped[str | None] = mapped_column(String(40))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(255), default="")
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=False)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="RESTRICT"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"))
    # The submitter; never shown publicly. Open311 requests may have none.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(12), default="app")
    source_client: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    moderation: Mapped[str] = mapped_column(String(8), default="visible")
    moderation_label: Mapped[str | None] = mapped_column(String(40))
    public_reply: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    # Upload ids (purpose demand_photo); each shows publicly once its media check passed.
    photo_ids: Mapped[list[str]] = mapped_column(ARRAY(UploadIdType), default=list)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmation_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmation_answer: Mapped[str | None] = mapped_column(String(8))
    confirmation_comment: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A "missing" need filed although outlets of the type exist nearby: why they do not serve.
    existing_reason: Mapped[str | None] = mapped_column(String(16))
    existing_outlet_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list, server_default="{}")

    __table_args__ = (
        CheckConstraint(
            f"existing_reason IS NULL OR {_in('existing_reason', EXISTING_REASONS)}", name="existing_reason"
        ),
        CheckConstraint(_in("kind", DEMAND_KINDS), name="kind"),
        CheckConstraint(_in("status", DEMAND_STATUSES), name="status"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("moderation", MODERATION), name="moderation"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        CheckConstraint(f"confirmation_answer IS NULL OR {_in('confirmation_answer', ANSWERS)}", name="answer"),
        CheckConstraint("kind <> 'missing_type' OR business_type IS NOT NULL", name="missing_type_has_type"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_pointer"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        CheckConstraint("support_count >= 0", name="support_count"),
        Index("ix_demands_circle_id_status", "circle_id", "status"),
        Index("ix_demands_circle_id_created_at", "circle_id", "created_at"),
        # The console's needs board sorted by support count within a circle (10k needs: one index range).
        Index("ix_demands_circle_id_support_count", "circle_id", "support_count", "id"),
        Index("ix_demands_held", "circle_id", postgresql_where=sa.text("moderation = 'held'")),
    )
    # The INSERT returns created_at/updated_at: a submission is answered without reading the need back.
    __mapper_args__ = {"eager_defaults": True}


class DemandSupport(db.Model):
    """One "me too" per resident per need."""

    __tablename__ = "demand_supports"
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    # Set when the support was carried over from a need merged into this one.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DemandAnswer(db.Model):
    """A supporter's answer to "is it solved?" for a need marked done (the submitter's is on the need).

    Cleared when the need is marked done again, so answers always speak about the latest result.
    """

    __tablename__ = "demand_answers"
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    answer: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint(_in("answer", ANSWERS), name="answer"),)


class DemandEvent(db.Model):
    """The timeline: every change to a need, who made it, and whether the public may read it."""

    __tablename__ = "demand_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(12))  # resident | staff | admin | system | open311
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_demand_events_actor_id", "actor_id", postgresql_where=text("actor_id IS NOT NULL")),)
    # The INSERT returns created_at: a need's answer shows its timeline without reading it back.
    __mapper_args__ = {"eager_defaults": True}
