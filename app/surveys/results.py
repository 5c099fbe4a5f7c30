"""Survey results: live shares with intervals, the 3% rule and residents' comments for staff; and the
evaluation's read API, the results of many circles at once as of a date (`circle_results`)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text

from app.circles.models import Circle
from app.circles.service import get_circle
from app.common.clock import now_local
from app.common.extensions import db
from app.common.paging import paginate
from app.common.policy import authorize_circle
from app.surveys import stats
from app.surveys.models import SurveyPeriod, SurveyResponse
from app.surveys.service import (
    ANSWER_KIND_NAMES,
    QUESTIONS,
    answer_counts,
    answer_kind,
    kind_counts,
    period_dict,
    period_of,
    results_period,
)


def survey_results(user, circle_id: int, period_id: int | None = None) -> dict:
    """Live results for staff in scope: responses, the 3% sample rule, satisfied shares with 95% intervals."""
    circle, period = results_period(user, circle_id, period_id, "该生活圈还没有满意度调查期")
    responses, distributions = answer_counts(period.id)
    return {
        "circle_id": circle.id,
        "period": period_dict(period, responses),
        "responses": responses,
        "answers_by_kind": kind_counts(SurveyResponse, period.id),
        "answer_kind_names": ANSWER_KIND_NAMES,
        **stats.sample(responses, circle.population),
        **{q: stats.question(distributions[q]) for q in QUESTIONS},
        "computed_at": now_local(),
    }


def list_comments(user, circle_id: int, period_id: int | None, page: int, page_size: int) -> dict:
    """Residents' comments for staff (newest first, without who wrote them)."""
    circle = get_circle(circle_id)
    authorize_circle(user, circle.id)
    query = select(SurveyResponse).where(SurveyResponse.circle_id == circle.id, SurveyResponse.comment.is_not(None))
    if period_id:
        query = query.where(SurveyResponse.period_id == period_of(circle.id, period_id).id)
    fields = ("period_id", *QUESTIONS, "comment", "comment_check", "source", "created_at")
    query = query.order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
    return paginate(query, page, page_size).map(lambda row: {f: getattr(row, f) for f in fields})


@dataclass(frozen=True)
class CircleSurveyResults:
    """One circle's survey as of a date: the period covering it (else the latest begun before it) and
    the answers given up to the end of that day; shares are of 4-5 point answers."""

    period: dict | None  # period_dict: id, circle_id, title, starts_on, ends_on, open
    responses: int
    answers_by_kind: dict[str, int]  # location / staff_confirmed / paper / phone
    population: int | None  # the circle's service population as entered (the 3% rule's base)
    sample_share: float | None
    sample_required: int | None
    sample_valid: bool
    type_satisfaction: dict  # stats.question: satisfied share, interval, mean, distribution
    service_satisfaction: dict

    @property
    def type_satisfied_share(self) -> float | None:
        return self.type_satisfaction["satisfied_share"]

    @property
    def service_satisfied_share(self) -> float | None:
        return self.service_satisfaction["satisfied_share"]


# Per circle, the period covering the date, else the latest that had begun by then (as period_at).
PERIODS_SQL = """
SELECT DISTINCT ON (circle_id) id FROM survey_periods
WHERE circle_id = ANY(:ids) AND starts_on <= :on
ORDER BY circle_id, (ends_on >= :on) DESC, starts_on DESC
"""


def circle_results(circle_ids, at: date) -> dict[int, CircleSurveyResults]:
    """For the evaluation: every circle asked for (a circle without a period has no answers)."""
    ids = list(circle_ids)
    if not ids:
        return {}
    period_ids = db.session.scalars(text(PERIODS_SQL), {"ids": ids, "on": at}).all()
    periods = {p.circle_id: p for p in db.session.scalars(select(SurveyPeriod).where(SurveyPeriod.id.in_(period_ids)))}
    answered = SurveyResponse.answered_on <= at
    scores = {
        row.period_id: row._mapping
        for row in db.session.execute(
            select(
                SurveyResponse.period_id,
                *[
                    func.count().filter(getattr(SurveyResponse, q) == score).label(f"{q}_{score}")
                    for q in QUESTIONS
                    for score in stats.SCALE
                ],
            )
            .where(SurveyResponse.period_id.in_(period_ids), answered)
            .group_by(SurveyResponse.period_id)
        )
    }
    kinds = {p: dict.fromkeys(SurveyResponse.ANSWER_KINDS, 0) for p in period_ids}
    for period_id, source, home_check, n in db.session.execute(
        select(SurveyResponse.period_id, SurveyResponse.source, SurveyResponse.home_check, func.count())
        .where(SurveyResponse.period_id.in_(period_ids), answered)
        .group_by(SurveyResponse.period_id, SurveyResponse.source, SurveyResponse.home_check)
    ):
        kind = answer_kind(source, home_check)
        kinds[period_id][kind] = kinds[period_id].get(kind, 0) + n
    population = dict(db.session.execute(select(Circle.id, Circle.population).where(Circle.id.in_(ids))).all())
    found = {}
    for circle_id in ids:
        period = periods.get(circle_id)
        row = scores.get(period.id) if period else None
        by_question = {q: {s: row[f"{q}_{s}"] if row else 0 for s in stats.SCALE} for q in QUESTIONS}
        responses = sum(by_question[QUESTIONS[0]].values())
        questions = {q: stats.question(by_question[q]) for q in QUESTIONS}
        sample = stats.sample(responses, population.get(circle_id))
        found[circle_id] = CircleSurveyResults(
            period=period and period_dict(period),
            responses=responses,
            answers_by_kind=kinds[period.id] if period else dict.fromkeys(SurveyResponse.ANSWER_KINDS, 0),
            population=population.get(circle_id),
            sample_share=sample["sample_share"],
            sample_required=sample["sample_required"],
            sample_valid=sample["sample_valid"],
            type_satisfaction=questions["type_satisfaction"],
            service_satisfaction=questions["service_satisfaction"],
        )
    return found
