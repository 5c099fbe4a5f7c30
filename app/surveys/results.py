"""Survey results for staff: live shares with intervals, the 3% rule, and residents' comments."""

from sqlalchemy import select

from app.auth.policy import authorize_circle
from app.circles.service import get_circle
from app.common.clock import now_local
from app.common.errors import NotFound
from app.common.paging import paginate
from app.surveys import stats
from app.surveys.models import SurveyResponse
from app.surveys.service import (
    ANSWER_KIND_NAMES,
    QUESTIONS,
    answer_counts,
    kind_counts,
    local_today,
    period_at,
    period_dict,
    period_of,
)


def survey_results(user, circle_id: int, period_id: int | None = None) -> dict:
    """Live results for staff in scope: responses, the 3% sample rule, satisfied shares with 95% intervals."""
    circle = get_circle(circle_id)
    authorize_circle(user, circle.id)
    period = period_of(circle.id, period_id) if period_id else period_at(circle.id, local_today())
    if period is None:
        raise NotFound("该生活圈还没有满意度调查期", code="period_not_found")
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
