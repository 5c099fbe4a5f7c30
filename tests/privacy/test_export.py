"""A resident downloads everything the platform holds about them, and nothing about anyone else."""

import json

from app.common import geo
from tests.privacy.conftest import login, ok


def test_export_holds_every_record_of_the_resident(client, db, town, stub):
    _, other = login(client, "someone-else")  # a second resident whose data must not appear
    ok(client.post("/api/v1/me/privacy-consent", json={"version": "2026-12-01"}, headers=other))
    response = client.get("/api/v1/me/export", headers=town.headers)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="my-data-{town.user_id}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    records = data["records"]
    account = records["account"]
    assert account["id"] == town.user_id and account["openid"] == "stub-openid-privacy-resident"
    assert account["phone"] == "13912345678" and account["privacy_version"] == "2026-12-01"
    assert account["home_circle_id"] == town.circle.id
    [need] = records["needs"]
    assert need["id"] == town.need_id and need["text"] == "小区门口缺一家早餐店" and need["address"]
    assert need["location"]["coord"] == "gcj02" and need["photo_ids"] == [town.need_photo]  # like every answer
    stored = client.get("/api/v1/me/export", query_string={"coord": "wgs84"}, headers=town.headers).get_json()
    assert stored["records"]["needs"][0]["location"]["coord"] == "wgs84"
    gcj = geo.wgs84_to_gcj02(
        stored["records"]["needs"][0]["location"]["lng"], stored["records"]["needs"][0]["location"]["lat"]
    )
    assert need["location"]["lng"] == round(gcj[0], 7) and need["location"]["lat"] == round(gcj[1], 7)
    [rating] = records["ratings"]
    assert (rating["id"], rating["stars"], rating["text"]) == (town.rating_id, 4, "店员很热情")
    [answer] = records["survey_answers"]
    assert (answer["type_satisfaction"], answer["service_satisfaction"], answer["comment"]) == (2, 4, "希望多开早餐店")
    assert sorted(u["id"] for u in records["uploads"]) == sorted(
        [town.need_photo, town.rating_photo, town.pending_photo, town.licence]
    )
    assert records["merchant_applications"] == [] and records["owned_outlets"] == []
    assert set(records) >= {"me_too", "solved_answers", "rating_reports", "notifications", "notification_subscriptions"}
    # ISO 8601 dates, and no other person's identifiers anywhere in the file.
    assert need["created_at"][:4].isdigit() and "T" in need["created_at"]
    assert "someone-else" not in json.dumps(data, ensure_ascii=False)


def test_export_needs_login(client):
    assert client.get("/api/v1/me/export").status_code == 401
