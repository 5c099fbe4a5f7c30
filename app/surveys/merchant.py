"""The merchant questionnaire (商户问卷, 五十问 question 8: basic situation, which business types the circle
lacks or has too many of, and how merchants rate its service environment). Merchants of a circle answer it
in the circle's survey periods as residents answer theirs: once per merchant account per survey year, for
the circle of an outlet they run there (the outlet's place establishes it); staff enter paper and phone
answers (surveys.entry). The bureau reads the results per circle."""

from collections import Counter

from sqlalchemy import func, select

from app.circles.service import get_circle
from app.common.clock import now_local
from app.common.errors import Conflict, Forbidden
from app.common.extensions import db
from app.common.tx import write_use_case
from app.outlets.models import Outlet
from app.surveys import stats
from app.surveys.models import MerchantSurveyResponse
from app.surveys.service import (
    answered_in_overlapping_period,
    kind_counts,
    local_today,
    lock_account,
    open_period_of,
    period_dict,
    results_period,
)
from app.taxonomy.registry import taxonomy
from app.wechat.moderation import screen_text

QUESTIONS = ("business_outlook", "environment_satisfaction")


def _own_outlet(user, circle_id: int, outlet_id: int | None) -> Outlet:
    query = select(Outlet).where(
        Outlet.owner_user_id == user.id, Outlet.circle_id == circle_id, Outlet.status == "approved"
    )
    if outlet_id is not None:
        query = query.where(Outlet.id == outlet_id)
    outlet = db.session.scalars(query.order_by(Outlet.id).limit(1)).first()
    if outlet is None:
        raise Forbidden("只有在本生活圈经营网点的商户可以填写本圈的商户问卷", code="not_a_merchant_here")
    return outlet


@write_use_case
def submit(user, circle_id: int, data: dict) -> tuple[MerchantSurveyResponse, object]:
    circle = get_circle(circle_id)
    period = open_period_of(circle.id)
    if period is None:
        raise Conflict("该生活圈当前没有进行中的调查", code="no_open_period")
    data = dict(data)
    outlet = _own_outlet(user, circle.id, data.pop("outlet_id", None))
    lock_account(user)
    answered_for = answered_in_overlapping_period(MerchantSurveyResponse, period, user.id)
    if answered_for is not None:
        raise Conflict("您本期已填写过商户问卷", code="already_answered", details={"circle_id": answered_for})
    comment = (data.pop("comment", None) or "").strip() or None
    verdict = screen_text(comment, user.openid, field="comment").outcome if comment else None
    row = MerchantSurveyResponse(
        period_id=period.id,
        circle_id=circle.id,
        user_id=user.id,
        outlet_id=outlet.id,
        source="online",
        answered_on=local_today(),
        comment=comment,
        comment_check=verdict,
        **data,
    )
    db.session.add(row)
    return row, period


def _ranking(lists) -> list[dict]:
    counts = Counter(code for codes in lists for code in codes)
    return [
        {"code": code, "name_zh": taxonomy().business_type(code).name_zh, "count": n}
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if taxonomy().business_type(code)
    ]


def results(user, circle_id: int, period_id: int | None = None) -> dict:
    circle, period = results_period(user, circle_id, period_id, "该生活圈还没有调查期")
    rows = db.session.execute(
        select(
            MerchantSurveyResponse.business_outlook,
            MerchantSurveyResponse.environment_satisfaction,
            MerchantSurveyResponse.needed_types,
            MerchantSurveyResponse.oversupplied_types,
        ).where(MerchantSurveyResponse.period_id == period.id)
    ).all()
    merchants = db.session.scalar(
        select(func.count(func.distinct(Outlet.owner_user_id))).where(
            Outlet.circle_id == circle.id, Outlet.status == "approved", Outlet.owner_user_id.is_not(None)
        )
    )
    return {
        "circle_id": circle.id,
        "period": period_dict(period, len(rows)),
        "responses": len(rows),
        "merchants_in_circle": merchants,
        "answers_by_kind": kind_counts(MerchantSurveyResponse, period.id),
        **{q: stats.question(Counter(getattr(r, q) for r in rows)) for q in QUESTIONS},
        "needed_types": _ranking(r.needed_types for r in rows),
        "oversupplied_types": _ranking(r.oversupplied_types for r in rows),
        "computed_at": now_local(),
    }
