"""Merchant credit level: the documented rule, staff findings, who may see it."""

from datetime import timedelta

import pytest

from app.common.clock import now_local
from app.outlets.models import Outlet
from app.ratings import credit
from tests.factories import MIYUN, error_code

from .conftest import rate

BASE = {
    "rating_avg": None, "rating_count": 0, "upheld_complaints": 0,
    "serious_findings": 0, "major_findings": 0, "minor_findings": 0, "findings": 0,
}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({}, "B"),  # no data yet
        ({"rating_avg": 1.0, "rating_count": 4}, "B"),  # too few ratings to count against the merchant
        ({"rating_avg": 3.4, "rating_count": 5}, "C"),
        ({"rating_avg": 2.4, "rating_count": 5}, "D"),
        ({"rating_avg": 4.8, "rating_count": 10}, "A"),
        ({"rating_avg": 4.8, "rating_count": 9}, "B"),
        ({"rating_avg": 4.8, "rating_count": 10, "minor_findings": 1, "findings": 1}, "B"),
        ({"rating_avg": 4.8, "rating_count": 10, "upheld_complaints": 2}, "C"),
        ({"rating_avg": 4.8, "rating_count": 10, "upheld_complaints": 5}, "D"),
        ({"minor_findings": 3, "findings": 3}, "C"),
        ({"major_findings": 1, "findings": 1}, "C"),
        ({"serious_findings": 1, "findings": 1, "rating_avg": 5.0, "rating_count": 50}, "D"),
    ],
)
def test_rule(changes, level):
    assert credit.level_for({**BASE, **changes})[0] == level


def test_rule_text_names_every_level():
    text = credit.rule_text()
    assert all(f"{level} 级" in text for level in "ABCD") and "平均分低于 2.5" in text


def test_upheld_complaints_come_from_an_injectable_count(app, make, db, area):
    calls = []

    def fake_count(outlet_id, since):
        calls.append((outlet_id, since))
        return 5

    result = credit.credit_of(area.outlet, count_upheld=fake_count)
    assert result["level"] == "D" and result["inputs"]["upheld_complaints"] == 5
    today = now_local().date()
    assert calls == [(area.outlet.id, today - timedelta(days=credit.WINDOW_DAYS))]
    assert credit.credit_of(area.outlet, count_upheld=lambda *_: 0)["level"] == "B"


def test_findings_and_credit_endpoint(client, make, db, area, owner):
    findings = f"/api/v1/staff/outlets/{area.outlet.id}/findings"
    credit_url = f"/api/v1/merchant/outlets/{area.outlet.id}/credit"
    for n in range(10):
        rate(client, make, area.outlet.id, make.user(), stars=5 if n else 4)
    view = client.get(credit_url, headers=make.headers(owner)).get_json()
    assert view["level"] == "A" and view["inputs"]["rating_avg"] == 4.9 and view["inputs"]["rating_count"] == 10
    assert view["rule_text"] == credit.rule_text() and [r["level"] for r in view["rule"]] == ["D", "C", "A"]

    note = {"severity": "major", "note": "价签与实际收费不符"}
    assert client.post(findings, json=note).status_code == 401
    assert client.post(findings, json=note, headers=make.headers(area.resident)).status_code == 403
    assert client.post(findings, json=note, headers=make.headers(owner)).status_code == 403
    outside = client.post(findings, json=note, headers=make.headers(area.outsider))
    assert outside.status_code == 403 and error_code(outside) == "out_of_scope"
    created = client.post(findings, json=note, headers=make.headers(area.staff))
    assert created.status_code == 201
    assert created.get_json()["severity_name"] == "较重" and created.get_json()["staff_user_id"] == area.staff.id
    assert created.get_json()["found_on"] == now_local().date().isoformat()

    view = client.get(credit_url, headers=make.headers(area.staff)).get_json()
    assert view["level"] == "C" and view["inputs"]["major_findings"] == 1
    assert view["reasons"] == ["近一年有较重问题检查记录"]
    serious = {"severity": "serious", "note": "过期食品", "found_on": "2020-01-01"}
    assert client.post(findings, json=serious, headers=make.headers(area.admin)).status_code == 201
    assert client.get(credit_url, headers=make.headers(area.admin)).get_json()["level"] == "C"  # outside the year
    listed = client.get(findings, headers=make.headers(area.staff)).get_json()["items"]
    assert [f["severity"] for f in listed] == ["major", "serious"]
    assert client.get(findings, headers=make.headers(area.outsider)).status_code == 403


def test_credit_access_and_bad_findings(client, make, db, area, owner):
    credit_url = f"/api/v1/merchant/outlets/{area.outlet.id}/credit"
    assert client.get(credit_url).status_code == 401
    assert error_code(client.get(credit_url, headers=make.headers(area.resident))) == "not_outlet_owner"
    assert client.get(credit_url, headers=make.headers(area.outsider)).status_code == 403
    other_merchant = make.user("merchant")
    assert client.get(credit_url, headers=make.headers(other_merchant)).status_code == 403
    assert client.get("/api/v1/merchant/outlets/999999/credit", headers=make.headers(owner)).status_code == 404

    findings = f"/api/v1/staff/outlets/{area.outlet.id}/findings"
    headers = make.headers(area.staff)
    tomorrow = (now_local().date() + timedelta(days=1)).isoformat()
    for body, field in (
        ({"severity": "fatal", "note": "x"}, "severity"),
        ({"severity": "minor", "note": ""}, "note"),
        ({"severity": "minor"}, "note"),
        ({"severity": "minor", "note": "x", "found_on": "昨天"}, "found_on"),
        ({"severity": "minor", "note": "x", "found_on": tomorrow}, "found_on"),
    ):
        response = client.post(findings, json=body, headers=headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"], body
    missing = client.post(
        "/api/v1/staff/outlets/999999/findings", json={"severity": "minor", "note": "x"}, headers=headers
    )
    assert missing.status_code == 404


def test_suspended_outlet_keeps_its_rating_summary(app, make, db, area):
    area.outlet.status = "suspended"
    db.session.flush()
    assert credit.credit_of(db.session.get(Outlet, area.outlet.id))["level"] == "B"


def test_upheld_complaints_are_accepted_service_quality_needs(app, make, db, area):
    from app.common.geo import point as wgs84_point
    from app.demands.models import Demand

    def need(status, kind="service_quality", outlet=area.outlet):
        row = Demand(
            kind=kind, outlet_id=outlet.id, text="收费不透明", location=wgs84_point(*MIYUN),
            circle_id=area.circle.id, status=status,
        )  # fmt: skip
        db.session.add(row)
        db.session.flush()

    for status in ("accepted", "done", "in_progress", "submitted", "rejected"):
        need(status)
    need("accepted", kind="other")
    need("accepted", outlet=area.far_outlet)
    since = now_local().date() - timedelta(days=credit.WINDOW_DAYS)
    assert credit.count_upheld_complaints(area.outlet.id, since) == 3
    assert credit.credit_of(area.outlet)["level"] == "C"
