from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import Timestamps
from app.extensions import db


class SurveyPeriod(Timestamps, db.Model):
    """A window (inclusive dates, Asia/Shanghai) in which a circle's residents can answer the survey."""

    __tablename__ = "survey_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        # Two open periods would split one year's answers; the database refuses overlaps even under races.
        ExcludeConstraint(
            (text("circle_id"), "="),
            (text("daterange(starts_on, ends_on, '[]')"), "&&"),
            using="gist",
            name="ex_survey_periods_no_overlap",
        ),
    )


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("survey_periods.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    # One answer per WeChat user (users.openid is unique) per circle per period. NULL once the resident
    # deleted their account: the scores stay as anonymous counts so evaluations do not change.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    type_satisfaction: Mapped[int] = mapped_column(SmallInteger)  # 业态满意 1-5
    service_satisfaction: Mapped[int] = mapped_column(SmallInteger)  # 服务满意 1-5
    comment: Mapped[str | None] = mapped_column(Text)
    comment_check: Mapped[str | None] = mapped_column(String(16))  # pass / review / unavailable
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))

    __table_args__ = (
        UniqueConstraint("period_id", "user_id", name="uq_survey_responses_period_user"),
        CheckConstraint("type_satisfaction BETWEEN 1 AND 5", name="type_satisfaction"),
        CheckConstraint("service_satisfaction BETWEEN 1 AND 5", name="service_satisfaction"),
        CheckConstraint("comment IS NULL OR char_length(comment) <= 500", name="comment_length"),
    )
