"""Residents answer once per period for their circle; staff read live results with the 3% rule and intervals."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.common.clock import now_local
from app.surveys.models import SurveyResponse
from app.surveys.results import circle_results
from tests.factories import error_code

from .conftest import answer, open_period


def test_answer_once_and_home_circle_is_remembered(client, make, db, area):
    open_period(client, make, area)
    resident = make.user()
    view = f"/api/v1/circles/{area.circle.id}/survey"
    assert client.get(view).get_json()["answered"] is None
    assert client.get(view, headers=make.headers(resident)).get_json()["answered"] is False

    first = answer(client, make, area.circle.id, resident, 4, 3, comment="菜市场有点远")
    assert first.status_code == 201
    assert first.get_json()["home_circle_id"] == area.circle.id and first.get_json()["period"]["open"] is True
    db.session.expire_all()
    assert db.session.get(User, resident.id).home_circle_id == area.circle.id
    again = answer(client, make, area.circle.id, resident, 1, 1)
    assert again.status_code == 409 and error_code(again) == "already_answered"
    assert client.get(view, headers=make.headers(resident)).get_json()["answered"] is True

    # Answering from here is living here: an unconfirmed home elsewhere moves.
    moved = make.user()
    moved.home_circle_id = area.other.id
    db.session.flush()
    body = answer(client, make, area.circle.id, moved).get_json()
    assert body["home_circle_id"] == area.circle.id and body["home_check"] == "location" and body["distance_m"] == 0


def test_no_open_period(client, make, db, area):
    assert answer(client, make, area.circle.id, make.user()).status_code == 409
    open_period(client, make, area, starts_on="2020-01-01", ends_on="2020-12-31")
    closed = answer(client, make, area.circle.id, make.user())
    assert closed.status_code == 409 and error_code(closed) == "no_open_period"
    assert client.get(f"/api/v1/circles/{area.circle.id}/survey").get_json()["period"] is None


def test_bad_answers_and_roles(client, make, db, area):
    open_period(client, make, area)
    resident = make.user()
    for body in (
        {"type_satisfaction": 7, "service_satisfaction": 5},
        {"type_satisfaction": 0, "service_satisfaction": 5},
        {"type_satisfaction": 5, "service_satisfaction": 4.5},
        {"type_satisfaction": 5},
        {"type_satisfaction": 5, "service_satisfaction": 5, "comment": "长" * 501},
        {"type_satisfaction": 5, "service_satisfaction": 5, "user_id": 1},
    ):
        response = client.post(
            f"/api/v1/circles/{area.circle.id}/survey-responses", json=body, headers=make.headers(resident)
        )
        assert response.status_code == 422, body
    details = answer(client, make, area.circle.id, resident, 7, 6).get_json()["error"]["details"]
    assert set(details) == {"type_satisfaction", "service_satisfaction"}
    risky = answer(client, make, area.circle.id, resident, comment="有人赌博")
    assert risky.status_code == 422 and error_code(risky) == "content_rejected"
    url = f"/api/v1/circles/{area.circle.id}/survey-responses"
    assert client.post(url, json={"type_satisfaction": 5, "service_satisfaction": 5}).status_code == 401
    for user in (area.staff, area.admin):
        assert answer(client, make, area.circle.id, user).status_code == 403
    assert answer(client, make, 999999, resident).status_code == 404
    assert answer(client, make, area.circle.id, resident).status_code == 201  # the refused tries left nothing


def test_one_answer_per_user_and_period_is_a_database_rule(client, make, db, area):
    period_id = open_period(client, make, area).get_json()["id"]
    resident = make.user()
    row = dict(
        period_id=period_id, circle_id=area.circle.id, user_id=resident.id, type_satisfaction=5, service_satisfaction=5
    )
    db.session.add(SurveyResponse(**row))
    db.session.flush()
    with pytest.raises(IntegrityError, match="uq_survey_responses_period_user"):
        with db.session.begin_nested():
            db.session.add(SurveyResponse(**row))
            db.session.flush()


def test_results_sample_rule_shares_and_intervals(client, make, db, area):
    period_id = open_period(client, make, area).get_json()["id"]
    url = f"/api/v1/staff/circles/{area.circle.id}/survey-results"
    early = client.get(url, headers=make.headers(area.staff)).get_json()
    assert early["responses"] == 0 and early["sample_valid"] is False and early["sample_required"] == 3
    assert early["type_satisfaction"]["satisfied_share"] is None

    for type_score, service_score in ((5, 3), (5, 3), (4, 5), (2, 1)):
        answer(client, make, area.circle.id, make.user(), type_score, service_score, comment="挺好")
    body = client.get(url, query_string={"period_id": period_id}, headers=make.headers(area.staff)).get_json()
    assert body["responses"] == 4 and body["population"] == 100
    assert body["sample_share"] == 0.04 and body["sample_valid"] is True
    kind = body["type_satisfaction"]
    assert (kind["satisfied"], kind["satisfied_share"], kind["mean"]) == (3, 0.75, 4.0)
    assert kind["ci_low"] == pytest.approx(0.3006, abs=1e-4) and kind["ci_high"] == pytest.approx(0.9544, abs=1e-4)
    assert kind["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    service = body["service_satisfaction"]
    assert (service["satisfied"], service["satisfied_share"], service["mean"]) == (1, 0.25, 3.0)
    assert body["period"]["responses"] == 4

    assert client.get(url).status_code == 401
    assert client.get(url, headers=make.headers(make.user())).status_code == 403
    assert error_code(client.get(url, headers=make.headers(area.outsider))) == "out_of_scope"
    assert client.get(url, headers=make.headers(area.admin)).status_code == 200
    assert client.get(url, query_string={"period_id": "x"}, headers=make.headers(area.staff)).status_code == 422
    other_period = client.post(
        f"/api/v1/staff/circles/{area.other.id}/survey-periods", json={}, headers=make.headers(area.admin)
    ).get_json()["id"]
    wrong = client.get(url, query_string={"period_id": other_period}, headers=make.headers(area.staff))
    assert wrong.status_code == 404
    no_period = client.get(f"/api/v1/staff/circles/{area.other.id}/survey-results", headers=make.headers(area.outsider))
    assert no_period.get_json()["responses"] == 0

    comments = client.get(
        f"/api/v1/staff/circles/{area.circle.id}/survey-comments", headers=make.headers(area.staff)
    ).get_json()
    assert len(comments["items"]) == 4 and comments["items"][0]["comment"] == "挺好"
    assert "user_id" not in comments["items"][0]


def test_survey_stats_for_the_evaluation(client, make, db, area):
    open_period(client, make, area)
    for type_score in (5, 5, 5, 4, 3):
        answer(client, make, area.circle.id, make.user(), type_score, 5)
    both = circle_results([area.circle.id, area.other.id], now_local().date())
    stats = both[area.circle.id]
    assert stats.responses == 5 and stats.population == 100 and stats.sample_valid is True
    assert (stats.sample_share, stats.type_satisfied_share, stats.service_satisfied_share) == (0.05, 0.8, 1.0)
    assert stats.period["starts_on"] == date(now_local().year, 1, 1)
    before = circle_results([area.circle.id], date(2000, 6, 1))[area.circle.id]
    assert before.period is None and before.responses == 0 and before.type_satisfied_share is None
    assert both[area.other.id].sample_valid is False


def test_survey_answers_are_rate_limited(limited_client):
    body = {"type_satisfaction": 5, "service_satisfaction": 5}
    statuses = [limited_client.post("/api/v1/circles/1/survey-responses", json=body).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
