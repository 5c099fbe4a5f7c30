"""The bureau opens survey periods per circle: the calendar year by default, never overlapping."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from app.common.clock import now_local
from app.surveys.models import SurveyPeriod
from tests.factories import error_code

from .conftest import open_period


def test_default_period_is_the_current_calendar_year(client, make, db, area):
    response = open_period(client, make, area)
    assert response.status_code == 201
    year = now_local().year
    body = response.get_json()
    assert (body["starts_on"], body["ends_on"]) == (f"{year}-01-01", f"{year}-12-31")
    assert body["open"] is True and body["responses"] == 0 and body["title"] == f"檀营生活圈 {year} 年满意度调查"
    listed = client.get(f"/api/v1/staff/circles/{area.circle.id}/survey-periods", headers=make.headers(area.staff))
    assert [p["id"] for p in listed.get_json()["items"]] == [body["id"]]


def test_overlaps_are_refused_adjacent_periods_are_not(client, make, db, area):
    assert open_period(client, make, area, starts_on="2024-01-01", ends_on="2024-06-30").status_code == 201
    clash = open_period(client, make, area, starts_on="2024-06-30", ends_on="2024-12-31")
    assert clash.status_code == 409 and error_code(clash) == "period_overlaps"
    assert clash.get_json()["error"]["details"]["starts_on"] == "2024-01-01"
    assert open_period(client, make, area, starts_on="2024-07-01", ends_on="2024-12-31").status_code == 201
    # Another circle's calendar is its own.
    other = client.post(
        f"/api/v1/staff/circles/{area.other.id}/survey-periods",
        json={"starts_on": "2024-03-01", "ends_on": "2024-03-31"},
        headers=make.headers(area.admin),
    )
    assert other.status_code == 201


def test_database_refuses_overlaps_even_when_the_check_is_skipped(app, make, db, area):
    db.session.add(
        SurveyPeriod(circle_id=area.circle.id, title="a", starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31))
    )
    db.session.flush()
    with pytest.raises(IntegrityError, match="ex_survey_periods_no_overlap"):
        with db.session.begin_nested():
            db.session.add(
                SurveyPeriod(
                    circle_id=area.circle.id, title="b", starts_on=date(2023, 12, 31), ends_on=date(2024, 1, 5)
                )
            )
            db.session.flush()


def test_bad_dates_and_who_may_open(client, make, db, area):
    url = f"/api/v1/staff/circles/{area.circle.id}/survey-periods"
    backwards = open_period(client, make, area, starts_on="2025-06-01", ends_on="2025-05-31")
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["error"]["details"]
    only_end = open_period(client, make, area, ends_on="2020-01-01")  # start defaults to this year's 1 January
    assert only_end.status_code == 422 and "ends_on" in only_end.get_json()["error"]["details"]
    assert open_period(client, make, area, starts_on="2025-02-30").status_code == 422
    assert open_period(client, make, area, starts_on="1999-01-01").status_code == 422
    assert open_period(client, make, area, title="").status_code == 422
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=make.headers(make.user())).status_code == 403
    outside = client.post(url, json={}, headers=make.headers(area.other_bureau))
    assert outside.status_code == 403 and error_code(outside) == "out_of_scope"
    community_staff = client.post(url, json={}, headers=make.headers(area.staff))  # staff propose, bureaus open
    assert community_staff.status_code == 403 and error_code(community_staff) == "role_forbidden"
    assert client.get(url, headers=make.headers(area.outsider)).status_code == 403
    assert client.post(url, json={}, headers=make.headers(area.admin)).status_code == 201
    missing = client.post("/api/v1/staff/circles/999999/survey-periods", json={}, headers=make.headers(area.admin))
    assert missing.status_code == 404


def test_staff_close_a_period_early(client, make, db, area):
    period = open_period(client, make, area).get_json()
    url = f"/api/v1/staff/circles/{area.circle.id}/survey-periods/{period['id']}"
    today = now_local().date().isoformat()
    assert client.patch(url, json={"ends_on": today}, headers=make.headers(area.outsider)).status_code == 403
    closed = client.patch(url, json={"ends_on": today, "title": "提前结束"}, headers=make.headers(area.bureau))
    assert (
        closed.status_code == 200 and closed.get_json()["ends_on"] == today and closed.get_json()["title"] == "提前结束"
    )
    before_start = client.patch(url, json={"ends_on": "2000-01-01"}, headers=make.headers(area.bureau))
    assert before_start.status_code == 422
    wrong_circle = f"/api/v1/staff/circles/{area.other.id}/survey-periods/{period['id']}"
    assert client.patch(wrong_circle, json={"title": "x"}, headers=make.headers(area.admin)).status_code == 404
