"""Surveys that count: answers for the home circle only (located or staff-confirmed), one per resident per
survey year, paper and phone answers entered by staff (also for a past period), the merchant questionnaire."""

from datetime import date

from app.audit.models import AuditEntry
from app.auth.models import User
from app.evaluation.snapshots import freeze_snapshot
from app.surveys.results import circle_results
from tests.factories import MIYUN, error_code

from .conftest import answer, open_period, post_csv

# 600 m half-width square around MIYUN: 0.0118° of longitude ≈ 1000 m, so these are 400 m and 1.4 km out.
NEAR = {"lng": MIYUN[0] + 0.0118, "lat": MIYUN[1]}
FAR = {"lng": MIYUN[0] + 0.0235, "lat": MIYUN[1]}
OTHER = {"lng": MIYUN[0] + 0.05, "lat": MIYUN[1]}  # the centre of area.other


def test_the_answer_counts_only_for_where_the_resident_lives(client, make, db, area):
    open_period(client, make, area)
    url = f"/api/v1/circles/{area.circle.id}/survey-responses"
    far = answer(client, make, area.circle.id, make.user(), where=FAR)
    assert far.status_code == 409 and error_code(far) == "not_in_circle"
    assert far.get_json()["error"]["details"]["radius_m"] == 1000
    assert far.get_json()["error"]["details"]["distance_m"] > 1000
    blind = answer(client, make, area.circle.id, make.user(), where=None)
    assert blind.status_code == 409 and error_code(blind) == "home_not_established"

    near = answer(client, make, area.circle.id, make.user(), where=NEAR).get_json()
    assert near["home_check"] == "location" and 300 < near["distance_m"] < 500  # within the 15-minute walk
    gcj = client.post(
        url,
        json={"type_satisfaction": 5, "service_satisfaction": 4, "location": {"lng": 116.8492, "lat": 40.3775}},
        headers=make.headers(make.user()),
    )  # the mini-program's GCJ-02 point of the same place (coord defaults to gcj02)
    assert gcj.status_code == 201 and gcj.get_json()["home_check"] == "location"


def test_staff_confirm_a_home_and_moving_drops_it(client, make, db, area):
    open_period(client, make, area)
    resident = make.user()
    confirm = f"/api/v1/staff/circles/{area.circle.id}/residents/{resident.id}/home"
    assert client.put(confirm, headers=make.headers(area.outsider)).status_code == 403
    assert client.put(confirm, headers=make.headers(resident)).status_code == 403
    missing = client.put(
        f"/api/v1/staff/circles/{area.circle.id}/residents/999999/home", headers=make.headers(area.staff)
    )
    assert missing.status_code == 404
    confirmed = client.put(confirm, headers=make.headers(area.staff))
    assert confirmed.status_code == 200 and confirmed.get_json()["home_confirmed"] is True
    assert client.get("/api/v1/me", headers=make.headers(resident)).get_json()["home_confirmed"] is True
    entry = db.session.query(AuditEntry).filter_by(action="home_confirmed", subject_user_id=resident.id).one()
    assert entry.actor_user_id == area.staff.id and entry.circle_id == area.circle.id

    # Confirmed elsewhere: another circle's survey is not theirs, wherever they stand.
    client.post(f"/api/v1/staff/circles/{area.other.id}/survey-periods", json={}, headers=make.headers(area.admin))
    elsewhere = answer(client, make, area.other.id, resident, where=OTHER)
    assert elsewhere.status_code == 409 and error_code(elsewhere) == "home_elsewhere"
    # At home, no location needed (e.g. an elderly resident without location permission).
    body = answer(client, make, area.circle.id, resident, where=None).get_json()
    assert body["home_check"] == "staff_confirmed" and body["distance_m"] is None

    # Moving home is the resident's own setting; it drops the confirmation.
    moved = client.patch("/api/v1/me", json={"circle_id": area.other.id}, headers=make.headers(resident)).get_json()
    assert moved["circle_id"] == area.other.id and moved["home_confirmed"] is False


def test_one_answer_per_resident_per_survey_year_across_circles(client, make, db, area):
    open_period(client, make, area)
    client.post(f"/api/v1/staff/circles/{area.other.id}/survey-periods", json={}, headers=make.headers(area.admin))
    resident = make.user()
    assert answer(client, make, area.circle.id, resident).status_code == 201
    # Standing in another city's circle the same year does not earn a second vote.
    second = answer(client, make, area.other.id, resident, where=OTHER)
    assert second.status_code == 409 and error_code(second) == "answered_elsewhere"
    assert second.get_json()["error"]["details"]["circle_id"] == area.circle.id


def test_results_say_how_each_answer_was_checked(client, make, db, area):
    period_id = open_period(client, make, area).get_json()["id"]
    answer(client, make, area.circle.id, make.user())
    answer(client, make, area.circle.id, make.user(), where=NEAR)
    confirmed = make.user()
    client.put(
        f"/api/v1/staff/circles/{area.circle.id}/residents/{confirmed.id}/home", headers=make.headers(area.staff)
    )
    answer(client, make, area.circle.id, confirmed, where=None)
    paper = f"/api/v1/staff/circles/{area.circle.id}/survey-periods/{period_id}/paper-responses"
    for source in ("paper", "phone", "paper"):
        body = {"source": source, "type_satisfaction": 4, "service_satisfaction": 5}
        made = client.post(paper, json=body, headers=make.headers(area.staff))
        assert made.status_code == 201 and made.get_json()["entered_by"] == area.staff.id
        assert made.get_json()["source"] == source and made.get_json()["user_id"] is None
    results = client.get(
        f"/api/v1/staff/circles/{area.circle.id}/survey-results", headers=make.headers(area.staff)
    ).get_json()
    assert results["responses"] == 6
    assert results["answers_by_kind"] == {"location": 2, "staff_confirmed": 1, "paper": 2, "phone": 1}


def test_paper_answers_for_a_past_period_count_in_its_evaluation(client, make, db, area):
    # 2025 is over: the bureau opens it now, residents cannot answer it, staff enter its paper forms.
    period = open_period(client, make, area, starts_on="2025-01-01", ends_on="2025-12-31").get_json()
    late = answer(client, make, area.circle.id, make.user())
    assert late.status_code == 409 and error_code(late) == "no_open_period"
    assert (
        circle_results([area.circle.id], date(2025, 12, 31))[area.circle.id].responses == 0
    )  # "样本不足：0 份" before

    url = f"/api/v1/staff/circles/{area.circle.id}/survey-periods/{period['id']}/paper-responses"
    one = {"source": "paper", "respondent_ref": "TY-001", "type_satisfaction": 5, "service_satisfaction": 5}
    made = client.post(url, json=one, headers=make.headers(area.staff)).get_json()
    assert made["answered_on"] == "2025-12-31"  # defaults to the period's last day once it is over
    again = client.post(url, json=one, headers=make.headers(area.staff))
    assert again.status_code == 409 and error_code(again) == "duplicate_respondent"
    for bad in (
        {**one, "respondent_ref": "TY-X", "answered_on": "2024-06-01"},  # outside the period
        {**one, "respondent_ref": "TY-Y", "source": "online"},
        {**one, "respondent_ref": "TY-Z", "type_satisfaction": 9},
    ):
        assert client.post(url, json=bad, headers=make.headers(area.staff)).status_code == 422, bad
    assert client.post(url, json=one, headers=make.headers(area.outsider)).status_code == 403
    assert client.post(url, json=one, headers=make.headers(make.user())).status_code == 403

    csv_text = (
        "source,respondent_ref,answered_on,type_satisfaction,service_satisfaction,comment\n"
        "paper,TY-002,2025-11-02,5,4,早餐点多了\n"
        "phone,TY-003,2025-11-03,4,5,\n"
        "paper,TY-001,2025-11-04,3,3,\n"  # already entered above
        "paper,TY-004,2025-11-05,8,3,\n"  # no such score
        "fax,TY-005,2025-11-06,4,4,\n"
        "paper,,2025-11-07,2,4,\n"
    )
    batch = post_csv(client, f"{url}/batch", csv_text.encode(), make.headers(area.staff)).get_json()
    assert batch["created"] == 3 and batch["failed"] == 3, batch
    assert [e["row"] for e in batch["errors"]] == [4, 5, 6]
    assert "type_satisfaction" in batch["errors"][1]["details"] and "source" in batch["errors"][2]["details"]
    assert batch["errors"][1]["details"]["type_satisfaction"] == ["应在 1 到 5 之间"]  # Chinese, as in the envelope
    not_csv = post_csv(client, f"{url}/batch", "中".encode("gbk"), make.headers(area.staff))
    assert not_csv.status_code == 422
    assert client.post(f"{url}/batch", headers=make.headers(area.staff)).status_code == 422

    stats = circle_results([area.circle.id], date(2025, 12, 31))[area.circle.id]
    assert stats.responses == 4 and stats.sample_valid is True
    assert stats.answers_by_kind == {"location": 0, "staff_confirmed": 0, "paper": 3, "phone": 1}
    # The frozen 2025 result counts them and its evidence says where they came from.
    bureau = db.session.get(User, area.bureau.id)
    snapshot = freeze_snapshot(bureau, area.circle.id, "2025")
    item = snapshot.result["service"]["items"][1]
    assert item["evidence"]["responses"] == 4 and item["evidence"]["sample_valid"] is True
    assert item["evidence"]["answers_by_kind"]["paper"] == 3
    assert "纸质、电话问卷 4 份" in item["evidence"]["entered_by_staff"] and "纸质" in item["rule"]


def _merchant(make, db, circle, center=MIYUN):
    user = make.user("merchant")
    outlet = make.outlet(*center, types=("convenience_store",))
    outlet.owner_user_id = user.id
    db.session.flush()
    return user, outlet


def test_the_merchant_questionnaire(client, make, db, area):
    period_id = open_period(client, make, area).get_json()["id"]
    url = f"/api/v1/circles/{area.circle.id}/merchant-survey-responses"
    merchant, outlet = _merchant(make, db, area.circle)
    body = {
        "business_outlook": 4,
        "environment_satisfaction": 5,
        "needed_types": ["repair", "laundry"],
        "oversupplied_types": ["pharmacy"],
    }
    made = client.post(url, json=body, headers=make.headers(merchant))
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["outlet_id"] == outlet.id and made.get_json()["source"] == "online"
    again = client.post(url, json=body, headers=make.headers(merchant))
    assert again.status_code == 409 and error_code(again) == "already_answered"
    stranger = client.post(url, json=body, headers=make.headers(make.user("merchant")))
    assert stranger.status_code == 403 and error_code(stranger) == "not_a_merchant_here"
    bad = client.post(url, json={**body, "needed_types": ["spaceport"]}, headers=make.headers(merchant))
    assert bad.status_code == 422 and "needed_types" in bad.get_json()["error"]["details"]

    other, _ = _merchant(make, db, area.circle, center=(MIYUN[0] + 0.001, MIYUN[1]))
    client.post(url, json={**body, "business_outlook": 2, "needed_types": ["repair"]}, headers=make.headers(other))
    paper = f"/api/v1/staff/circles/{area.circle.id}/survey-periods/{period_id}/merchant-paper-responses"
    entered = client.post(
        paper, json={**body, "source": "phone", "needed_types": ["breakfast"]}, headers=make.headers(area.staff)
    )
    assert entered.status_code == 201 and entered.get_json()["entered_by"] == area.staff.id
    csv_text = (
        "source,business_outlook,environment_satisfaction,needed_types,oversupplied_types\n"
        "paper,3,3,repair|breakfast,\n"
    )
    batch = post_csv(client, f"{paper}/batch", csv_text.encode(), make.headers(area.staff), "merchants.csv").get_json()
    assert batch == {"created": 1, "failed": 0, "errors": []}

    results_url = f"/api/v1/staff/circles/{area.circle.id}/merchant-survey-results"
    results = client.get(results_url, headers=make.headers(area.bureau)).get_json()
    assert results["responses"] == 4 and results["merchants_in_circle"] == 2
    assert results["answers_by_kind"] == {"online": 2, "paper": 1, "phone": 1}
    assert results["needed_types"][0] == {"code": "repair", "name_zh": "小修小补点/维修点", "count": 3}
    assert results["business_outlook"]["distribution"]["2"] == 1
    assert client.get(results_url, headers=make.headers(area.other_bureau)).status_code == 403
