"""Survey answers (residents' and the merchant questionnaire's): exported; on 注销 the scores stay as
anonymous counts (evaluations do not change) and the free-text comment, which may identify the author, is
erased."""

from sqlalchemy import update

from app.common.extensions import db
from app.common.personal_data import records
from app.surveys.models import MerchantSurveyResponse, SurveyResponse


def export(user) -> dict:
    fields = ("period_id", "circle_id", "type_satisfaction", "service_satisfaction", "comment", "created_at")
    merchant = ("period_id", "circle_id", "outlet_id", "business_outlook", "environment_satisfaction")
    merchant += ("needed_types", "oversupplied_types", "comment", "created_at")
    return {
        "survey_answers": records(SurveyResponse.user_id, user, fields),
        "merchant_survey_answers": records(MerchantSurveyResponse.user_id, user, merchant),
    }


def erase(erasure) -> None:
    for model, name in (
        (SurveyResponse, "survey_answers_anonymised"),
        (MerchantSurveyResponse, "merchant_survey_answers_anonymised"),
    ):
        result = db.session.execute(
            update(model)
            .where(model.user_id == erasure.user.id)
            .values(user_id=None, comment=None, comment_check=None)
            .execution_options(synchronize_session=False)
        )
        erasure.count(name, result.rowcount)
