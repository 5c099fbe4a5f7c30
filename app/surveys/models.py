from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps


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


SOURCES = ("online", "paper", "phone")  # 小程序 / 纸质问卷 / 电话访问
HOME_CHECKS = ("location", "staff_confirmed")  # how an online answer's home circle was established


class _Answer:
    """What resident and merchant answers share: where they came from and how they were checked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("survey_periods.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    # The account that answered online; paper and phone answers have none (staff enter them). NULL too once
    # the account is deleted: the scores stay as anonymous counts so evaluations do not change.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(8), server_default="online")
    home_check: Mapped[str | None] = mapped_column(String(16))
    distance_m: Mapped[int | None] = mapped_column(Integer)  # from the answering point to the circle (0 inside)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    respondent_ref: Mapped[str | None] = mapped_column(String(64))  # paper form / household number
    # The day the answer was given (a paper form of 2025 entered in 2026 counts for 2025).
    answered_on: Mapped[date] = mapped_column(Date, server_default=text("(now() AT TIME ZONE 'Asia/Shanghai')::date"))
    comment: Mapped[str | None] = mapped_column(Text)
    comment_check: Mapped[str | None] = mapped_column(String(16))  # pass / review / unavailable / staff
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


def _answer_constraints(table: str) -> tuple:
    return (
        # One answer per account per period; one per paper form number per period.
        UniqueConstraint("period_id", "user_id", name=f"uq_{table}_period_user"),
        Index(
            f"uq_{table}_period_respondent_ref",
            "period_id",
            "respondent_ref",
            unique=True,
            postgresql_where=text("respondent_ref IS NOT NULL"),
        ),
        CheckConstraint(f"source IN {SOURCES}", name="source"),
        CheckConstraint(f"home_check IS NULL OR home_check IN {HOME_CHECKS}", name="home_check"),
        CheckConstraint("comment IS NULL OR char_length(comment) <= 500", name="comment_length"),
    )


class SurveyResponse(_Answer, db.Model):
    """A resident's satisfaction answer (居民问卷)."""

    __tablename__ = "survey_responses"
    ANSWER_KINDS = ("location", "staff_confirmed", "paper", "phone")
    type_satisfaction: Mapped[int] = mapped_column(SmallInteger)  # 业态满意 1-5
    service_satisfaction: Mapped[int] = mapped_column(SmallInteger)  # 服务满意 1-5

    __table_args__ = (
        *_answer_constraints("survey_responses"),
        CheckConstraint("type_satisfaction BETWEEN 1 AND 5", name="type_satisfaction"),
        CheckConstraint("service_satisfaction BETWEEN 1 AND 5", name="service_satisfaction"),
    )


class MerchantSurveyResponse(_Answer, db.Model):
    """A merchant's answer to the 商户问卷 (五十问 question 8: basic situation, type needs, service rating)."""

    __tablename__ = "merchant_survey_responses"
    ANSWER_KINDS = ("online", "paper", "phone")
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"), index=True)
    business_outlook: Mapped[int] = mapped_column(SmallInteger)  # 经营状况 1-5
    environment_satisfaction: Mapped[int] = mapped_column(SmallInteger)  # 营商环境与社区服务满意 1-5
    needed_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")  # 缺少的业态
    oversupplied_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")  # 扎堆过剩的业态

    __table_args__ = (
        *_answer_constraints("merchant_survey_responses"),
        CheckConstraint("business_outlook BETWEEN 1 AND 5", name="business_outlook"),
        CheckConstraint("environment_satisfaction BETWEEN 1 AND 5", name="environment_satisfaction"),
    )
