"""Survey answers: exported; on 注销 the scores stay as anonymous counts (evaluations do not change) and the
free-text comment, which may identify the author, is erased."""

from sqlalchemy import select, update

from app.extensions import db
from app.surveys.models import SurveyResponse


def export(user) -> dict:
    responses = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.user_id == user.id).order_by(SurveyResponse.id)
    ).all()
    return {
        "survey_answers": [
            {
                "period_id": r.period_id,
                "circle_id": r.circle_id,
                "type_satisfaction": r.type_satisfaction,
                "service_satisfaction": r.service_satisfaction,
                "comment": r.comment,
                "created_at": r.created_at,
            }
            for r in responses
        ]
    }


def erase(erasure) -> None:
    result = db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.user_id == erasure.user.id)
        .values(user_id=None, comment=None, comment_check=None)
        .execution_options(synchronize_session=False)
    )
    erasure.count("survey_answers_anonymised", result.rowcount)
