"""Survey use cases: staff open periods, residents answer once, staff read live results."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.auth.service import move_home
from app.circles.service import get_circle
from app.common.clock import now_local
from app.common.errors import Conflict, NotFound, ValidationFailed
from app.common.extensions import db
from app.common.policy import authorize_circle
from app.common.tx import atomic, write_use_case
from app.surveys import stats
from app.surveys.home import check_home
from app.surveys.models import SurveyPeriod, SurveyResponse
from app.surveys.signals import answers_changed
from app.wechat.moderation import screen_text

QUESTIONS = ("type_satisfaction", "service_satisfaction")


def local_today() -> date:
    return now_local().date()


def _overlapping(circle_id: int, starts_on: date, ends_on: date, exclude_id: int | None = None):
    query = select(SurveyPeriod).where(
        SurveyPeriod.circle_id == circle_id, SurveyPeriod.starts_on <= ends_on, SurveyPeriod.ends_on >= starts_on
    )
    if exclude_id is not None:
        query = query.where(SurveyPeriod.id != exclude_id)
    return db.session.scalar(query.order_by(SurveyPeriod.starts_on).limit(1))


def _save_period(period: SurveyPeriod, changes: dict):
    """Applies the changes once the dates are ordered and clear of the circle's other periods; commits."""
    starts_on, ends_on = changes.get("starts_on", period.starts_on), changes.get("ends_on", period.ends_on)
    if ends_on < starts_on:
        raise ValidationFailed(details={"ends_on": ["结束日期不能早于开始日期"]})
    clash = _overlapping(period.circle_id, starts_on, ends_on, exclude_id=period.id)
    if clash is not None:
        raise _overlap_error(clash)
    try:
        with atomic():
            for key, value in changes.items():
                setattr(period, key, value.strip() if isinstance(value, str) else value)
            db.session.add(period)
    except IntegrityError as error:  # a concurrent period won the race; the exclusion constraint caught it
        if "ex_survey_periods_no_overlap" in str(error.orig):
            raise _overlap_error(None) from None
        raise


def _overlap_error(clash: SurveyPeriod | None) -> Conflict:
    details = {"period_id": clash.id, "starts_on": str(clash.starts_on), "ends_on": str(clash.ends_on)} if clash else {}
    return Conflict("与该生活圈已有的调查期重叠", code="period_overlaps", details=details)


def open_period(user, circle_id: int, starts_on=None, ends_on=None, title=None) -> SurveyPeriod:
    """Staff in scope open a survey period; by default the current calendar year (Asia/Shanghai)."""
    circle = get_circle(circle_id)
    authorize_circle(user, circle.id)
    starts_on = starts_on or date(local_today().year, 1, 1)
    ends_on = ends_on or date(starts_on.year, 12, 31)
    period = SurveyPeriod(circle_id=circle.id, created_by=user.id)
    title = (title or "").strip() or f"{circle.name} {starts_on.year} 年满意度调查"
    _save_period(period, {"starts_on": starts_on, "ends_on": ends_on, "title": title})
    return period


def period_of(circle_id: int, period_id: int) -> SurveyPeriod:
    period = db.session.get(SurveyPeriod, period_id)
    if period is None or period.circle_id != circle_id:
        raise NotFound("调查期不存在", code="period_not_found")
    return period


def update_period(user, circle_id: int, period_id: int, changes: dict) -> SurveyPeriod:
    """Rename, move or close (ends_on = today) a period; overlaps are still refused."""
    authorize_circle(user, get_circle(circle_id).id)
    period = period_of(circle_id, period_id)
    _save_period(period, changes)
    return period


def list_periods(user, circle_id: int) -> list[dict]:
    authorize_circle(user, get_circle(circle_id).id)
    counts = (
        select(SurveyResponse.period_id, func.count().label("n"))
        .where(SurveyResponse.circle_id == circle_id)
        .group_by(SurveyResponse.period_id)
        .subquery()
    )
    rows = db.session.execute(
        select(SurveyPeriod, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.period_id == SurveyPeriod.id)
        .where(SurveyPeriod.circle_id == circle_id)
        .order_by(SurveyPeriod.starts_on.desc())
    ).all()
    return [period_dict(period, responses) for period, responses in rows]


def period_dict(period: SurveyPeriod, responses: int | None = None) -> dict:
    today = local_today()
    data = {
        "id": period.id,
        "circle_id": period.circle_id,
        "title": period.title,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "open": period.starts_on <= today <= period.ends_on,
    }
    if responses is not None:
        data["responses"] = responses
    return data


def period_at(circle_id: int, on: date) -> SurveyPeriod | None:
    """The period covering the date, else the latest one that had started by then."""
    return db.session.scalar(
        select(SurveyPeriod)
        .where(SurveyPeriod.circle_id == circle_id, SurveyPeriod.starts_on <= on)
        .order_by((SurveyPeriod.ends_on >= on).desc(), SurveyPeriod.starts_on.desc())
        .limit(1)
    )


def results_period(user, circle_id: int, period_id: int | None, missing: str):
    """The circle (staff in scope) and period a results page shows: the one asked for, else the current one
    (404 with `missing` when the circle has none yet)."""
    circle = get_circle(circle_id)
    authorize_circle(user, circle.id)
    period = period_of(circle.id, period_id) if period_id else period_at(circle.id, local_today())
    if period is None:
        raise NotFound(missing, code="period_not_found")
    return circle, period


def open_period_of(circle_id: int) -> SurveyPeriod | None:
    today = local_today()
    period = period_at(circle_id, today)
    return period if period is not None and period.ends_on >= today else None


def resident_view(user, circle_id: int) -> dict:
    """Is a survey open in the circle, and has this resident answered it?"""
    circle = get_circle(circle_id)
    period = open_period_of(circle.id)
    answered = None
    if user is not None and period is not None:
        answered = _answered(period.id, user.id)
    return {"circle_id": circle.id, "period": period and period_dict(period), "answered": answered}


def _answered(period_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            select(SurveyResponse.id).where(SurveyResponse.period_id == period_id, SurveyResponse.user_id == user_id)
        )
        is not None
    )


def answered_in_overlapping_period(model, period: SurveyPeriod, user_id: int):
    """The circle of this account's answer in any period overlapping this one (any circle), or None: one
    answer per resident (or merchant) per survey year, wherever they live."""
    return db.session.scalar(
        select(model.circle_id)
        .join(SurveyPeriod, SurveyPeriod.id == model.period_id)
        .where(
            model.user_id == user_id,
            SurveyPeriod.starts_on <= period.ends_on,
            SurveyPeriod.ends_on >= period.starts_on,
        )
        .limit(1)
    )


def lock_account(user):
    """Serialises one account's answers, so two circles' surveys cannot both take its answer."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


@write_use_case
def submit_response(
    user, circle_id: int, type_satisfaction: int, service_satisfaction: int, comment=None, location=None
):
    """A resident answers the open survey of the circle they live in, once per period: the home circle is
    established by where they answer from or by staff (surveys.home)."""
    circle = get_circle(circle_id)
    period = open_period_of(circle.id)
    if period is None:
        raise Conflict("该生活圈当前没有进行中的满意度调查", code="no_open_period")
    lock_account(user)
    answered_for = answered_in_overlapping_period(SurveyResponse, period, user.id)
    if answered_for == circle.id:
        raise Conflict("您已参加过本期满意度调查", code="already_answered")
    if answered_for is not None:
        raise Conflict(
            "您本年度已参加过其他生活圈的满意度调查（每人每期只参加居住的生活圈）",
            code="answered_elsewhere",
            details={"circle_id": answered_for},
        )
    home_check, distance_m = check_home(user, circle, location)
    comment = (comment or "").strip() or None
    verdict = screen_text(comment, user.openid, field="comment").outcome if comment else None
    response_id = db.session.scalar(
        insert(SurveyResponse)
        .values(
            period_id=period.id,
            circle_id=circle.id,
            user_id=user.id,
            type_satisfaction=type_satisfaction,
            service_satisfaction=service_satisfaction,
            comment=comment,
            comment_check=verdict,
            source="online",
            home_check=home_check,
            distance_m=distance_m,
            answered_on=local_today(),
        )
        .on_conflict_do_nothing(constraint="uq_survey_responses_period_user")
        .returning(SurveyResponse.id)
    )
    if response_id is None:  # a double tap raced the check above
        raise Conflict("您已参加过本期满意度调查", code="already_answered")
    move_home(user, circle.id)  # answering from here (or as confirmed) is living here
    # The answer went in by a core INSERT … ON CONFLICT, which the session hook does not see.
    answers_changed.send(__name__, circle_ids=[circle.id])
    return db.session.get(SurveyResponse, response_id), period


def answer_kind(source, home_check) -> str:
    """paper / phone (entered by staff); online ones by how their circle was established: location or
    staff_confirmed (residents), online (merchants: their outlet's place)."""
    return (home_check or "online") if source == "online" else source


ANSWER_KIND_NAMES = {
    "location": "定位核验",
    "staff_confirmed": "社区确认",
    "online": "线上（按网点所在生活圈）",
    "paper": "纸质问卷",
    "phone": "电话访问",
}


def kind_counts(model, period_id: int, until: date | None = None) -> dict:
    """How many answers of the period came each way (model.ANSWER_KINDS)."""
    query = select(model.source, model.home_check, func.count()).where(model.period_id == period_id)
    if until is not None:
        query = query.where(model.answered_on <= until)
    counts = dict.fromkeys(model.ANSWER_KINDS, 0)
    for source, home_check, n in db.session.execute(query.group_by(model.source, model.home_check)):
        kind = answer_kind(source, home_check)
        counts[kind] = counts.get(kind, 0) + n
    return counts


def answer_counts(period_id: int, until: date | None = None) -> tuple[int, dict]:
    """Answers of the period given up to `until` (inclusive; by the day answered, so paper forms of a past
    period entered later count for that period)."""
    columns = [
        func.count().filter(getattr(SurveyResponse, q) == score).label(f"{q}_{score}")
        for q in QUESTIONS
        for score in stats.SCALE
    ]
    query = select(*columns).where(SurveyResponse.period_id == period_id)
    if until is not None:
        query = query.where(SurveyResponse.answered_on <= until)
    row = db.session.execute(query).one()._mapping
    by_question = {q: {s: row[f"{q}_{s}"] for s in stats.SCALE} for q in QUESTIONS}
    return sum(by_question[QUESTIONS[0]].values()), by_question
