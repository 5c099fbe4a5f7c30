"""Staff record promotion events in their circles; residents see upcoming ones nearby; item 8 counts them."""

from datetime import date, timedelta

import pytest

from app.common.clock import now_local
from app.events.service import events_count
from tests.factories import MIYUN, error_code

from .conftest import FAR, event_body, gcj

TODAY = now_local().date()


@pytest.fixture(autouse=True)
def _today_at_test_time():
    # The local date per test, not per import: a long run can cross midnight in Asia/Shanghai (16:00 UTC).
    global TODAY
    TODAY = now_local().date()


URL = "/api/v1/staff/events"


def create(client, make, user, **kwargs):
    starts_on = kwargs.pop("starts_on", TODAY)
    return client.post(URL, json=event_body(starts_on, **kwargs), headers=make.headers(user))


def test_staff_record_an_event_placed_by_its_point(client, make, db, area):
    response = create(client, make, area.staff, starts_on=TODAY, ends_on=TODAY + timedelta(days=2))
    assert response.status_code == 201
    body = response.get_json()
    assert body["circle_id"] == area.circle.id and body["theme_name"] == "邻里节" and body["status"] == "ongoing"
    assert body["location"] == pytest.approx(gcj(*MIYUN), abs=1e-6)
    wgs = client.get(f"/api/v1/events/{body['id']}", query_string={"coord": "wgs84"}).get_json()
    assert wgs["location"] == pytest.approx({"lng": MIYUN[0], "lat": MIYUN[1]}, abs=1e-6)
    assert client.get("/api/v1/events/999999").status_code == 404
    themes = client.get("/api/v1/event-themes").get_json()["items"]
    assert [t["name_zh"] for t in themes] == ["邻里节", "美食节", "团购节", "家政便民", "其他"]


def test_circle_given_or_from_the_point_and_always_in_scope(client, make, db, area):
    nowhere = (MIYUN[0] + 0.2, MIYUN[1])
    outside = create(client, make, area.staff, at=nowhere)
    assert outside.status_code == 422 and error_code(outside) == "outside_circles"
    given = create(client, make, area.staff, at=nowhere, circle_id=area.circle.id)
    assert given.status_code == 201 and given.get_json()["circle_id"] == area.circle.id
    not_mine = create(client, make, area.staff, circle_id=area.other.id)
    assert not_mine.status_code == 403 and error_code(not_mine) == "out_of_scope"
    by_point = create(client, make, area.staff, at=FAR)
    assert by_point.status_code == 403
    assert error_code(create(client, make, area.admin, circle_id=999999)) == "circle_not_found"
    assert create(client, make, area.admin, at=FAR).get_json()["circle_id"] == area.other.id


def test_roles_and_bad_input(client, make, db, area):
    assert client.post(URL, json=event_body(TODAY)).status_code == 401
    assert create(client, make, make.user()).status_code == 403
    assert create(client, make, area.outsider).status_code == 403
    for changes, field in (
        ({"ends_on": str(TODAY - timedelta(days=1))}, "ends_on"),
        ({"theme": "carnival"}, "theme"),
        ({"title": ""}, "title"),
        ({"title": "节" * 121}, "title"),
        ({"location": {"lat": 100, "lng": 116}}, "location"),
        ({"starts_on": "2025-13-01"}, "starts_on"),
        ({"coord": "bd09"}, "coord"),
        ({"price": 1}, "price"),
    ):
        body = {**event_body(TODAY), **changes}
        response = client.post(URL, json=body, headers=make.headers(area.staff))
        assert response.status_code == 422 and field in response.get_json()["error"]["details"], changes
    missing = {k: v for k, v in event_body(TODAY).items() if k != "organiser"}
    assert client.post(URL, json=missing, headers=make.headers(area.staff)).status_code == 422


def test_edit_and_delete(client, make, db, area):
    event_id = create(client, make, area.staff).get_json()["id"]
    url = f"{URL}/{event_id}"
    assert client.patch(url, json={"title": "x"}).status_code == 401
    assert client.patch(url, json={"title": "x"}, headers=make.headers(area.outsider)).status_code == 403
    renamed = client.patch(url, json={"title": "檀营美食节", "theme": "food"}, headers=make.headers(area.staff))
    assert renamed.status_code == 200 and renamed.get_json()["theme_name"] == "美食节"
    backwards = client.patch(url, json={"ends_on": str(TODAY - timedelta(days=3))}, headers=make.headers(area.staff))
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["error"]["details"]
    away = client.patch(url, json={"location": gcj(*FAR)}, headers=make.headers(area.staff))
    assert away.status_code == 403
    assert client.get(f"/api/v1/events/{event_id}").get_json()["circle_id"] == area.circle.id
    moved = client.patch(url, json={"location": gcj(*FAR)}, headers=make.headers(area.admin))
    assert moved.get_json()["circle_id"] == area.other.id
    assert moved.get_json()["location"] == pytest.approx(gcj(*FAR), abs=1e-6)
    assert client.delete(url, headers=make.headers(area.staff)).status_code == 403
    assert client.delete(url, headers=make.headers(area.outsider)).status_code == 204
    assert client.get(f"/api/v1/events/{event_id}").status_code == 404
    assert client.delete(url, headers=make.headers(area.admin)).status_code == 404
    assert client.patch(f"{URL}/999999", json={"title": "x"}, headers=make.headers(area.admin)).status_code == 404


def test_nearby_upcoming_by_start_date_then_distance(client, make, db, area):
    near, farther = (MIYUN[0] + 0.001, MIYUN[1]), (MIYUN[0] + 0.004, MIYUN[1])
    ids = {}
    for name, starts, at in (
        ("ended", TODAY - timedelta(days=10), near),
        ("later_near", TODAY + timedelta(days=5), near),
        ("soon_far", TODAY + timedelta(days=1), farther),
        ("soon_near", TODAY + timedelta(days=1), near),
        ("ongoing", TODAY - timedelta(days=1), farther),
        ("other_circle", TODAY, FAR),
    ):
        ends = starts + timedelta(days=2) if name == "ongoing" else starts
        ids[name] = create(client, make, area.admin, title=name, starts_on=starts, ends_on=ends, at=at).get_json()["id"]
    here = gcj(*MIYUN)
    body = client.get("/api/v1/events/nearby", query_string={**here, "radius": 1000}).get_json()
    assert [i["title"] for i in body["items"]] == ["ongoing", "soon_near", "soon_far", "later_near"]
    first = body["items"][1]
    assert 80 <= first["distance_m"] <= 90 and first["walk_minutes"] == 2 and first["status"] == "upcoming"
    paged = client.get("/api/v1/events/nearby", query_string={**here, "radius": 1000, "page_size": 3}).get_json()
    assert paged["has_more"] is True and len(paged["items"]) == 3
    wide = client.get("/api/v1/events/nearby", query_string={**here, "radius": 10000}).get_json()["items"]
    assert "other_circle" in [i["title"] for i in wide]
    for bad in ({"lat": 40.3}, {**here, "radius": 0}, {**here, "radius": 10001}, {**here, "coord": "x"}):
        assert client.get("/api/v1/events/nearby", query_string=bad).status_code == 422


def test_circle_events_by_year(client, make, db, area):
    past = TODAY.year - 1
    for starts, ends in ((date(past, 12, 30), date(past + 1, 1, 2)), (date(past, 3, 1), None), (TODAY, None)):
        create(client, make, area.staff, starts_on=starts, ends_on=ends or starts)
    last_year = client.get(f"/api/v1/circles/{area.circle.id}/events", query_string={"year": past}).get_json()
    assert [i["starts_on"] for i in last_year["items"]] == [f"{past}-03-01", f"{past}-12-30"]
    assert last_year["total"] == 2 and last_year["items"][0]["status"] == "ended"
    this_year = client.get(f"/api/v1/circles/{area.circle.id}/events").get_json()
    assert [i["starts_on"] for i in this_year["items"]] == [f"{past}-12-30", str(TODAY)]  # the one crossing new year
    assert client.get("/api/v1/circles/999999/events").status_code == 404
    assert client.get(f"/api/v1/circles/{area.circle.id}/events", query_string={"year": 1800}).status_code == 422


def test_events_count_for_item_8(client, make, db, area):
    past = TODAY.year - 1
    for starts in (date(past, 1, 15), date(past, 6, 1), date(past, 12, 30)):
        create(client, make, area.staff, starts_on=starts, ends_on=starts + timedelta(days=3))
    create(client, make, area.admin, starts_on=date(past, 5, 1), at=FAR)
    assert events_count([area.circle.id], past)[area.circle.id] == 3  # counted in the year they started
    assert events_count([area.other.id], past)[area.other.id] == 1
    before = events_count([area.circle.id], TODAY.year)[area.circle.id]
    create(client, make, area.staff, starts_on=TODAY)
    assert events_count([area.circle.id], TODAY.year)[area.circle.id] == before + 1
    announced = TODAY + timedelta(days=1)
    create(client, make, area.staff, starts_on=announced)  # not held yet: does not count
    assert events_count([area.circle.id], TODAY.year)[area.circle.id] == before + 1
    assert events_count([area.circle.id], announced.year)[area.circle.id] == (
        before + 1 if announced.year == TODAY.year else 0
    )
