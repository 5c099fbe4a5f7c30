"""居民使用率 (好不好 item 9) counts residents who used the platform in the circle: searched there logged in,
filed or supported a need there, rated one of its outlets; not survey answerers or home settings."""

from datetime import date, timedelta

from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from app.common.clock import now_local
from app.usage.models import PlatformUse
from app.usage.service import active_residents, ratings_read_once
from tests.factories import MIYUN


def _search(client, headers=None, lng=MIYUN[0], lat=MIYUN[1]):
    query = {"lat": lat, "lng": lng, "coord": "wgs84"}
    return client.get("/api/v1/outlets/nearby", query_string=query, headers=headers or {})


def _uses(db):
    return db.session.execute(select(PlatformUse.circle_id, PlatformUse.user_id, PlatformUse.kind)).all()


def test_a_logged_in_resident_search_is_noted_once_a_day(client, make, db):
    circle = make.circle(center=MIYUN, half_m=600, population=100)
    resident = make.user()
    assert _search(client).status_code == 200  # anonymous: nothing noted
    assert _search(client, make.headers(make.user("staff", circles=[circle]))).status_code == 200  # not a resident
    assert _uses(db) == []
    for _ in range(3):
        assert _search(client, make.headers(resident)).status_code == 200
    assert _uses(db) == [(circle.id, resident.id, "search")]
    assert db.session.scalar(select(func.count()).select_from(PlatformUse)) == 1
    # Outside every circle: nothing to note.
    assert _search(client, make.headers(resident), lng=MIYUN[0] + 1).status_code == 200
    assert len(_uses(db)) == 1
    # A stale token never fails a public search.
    with client.application.app_context():
        stale = create_access_token(identity=str(resident.id), expires_delta=-timedelta(days=1))
    assert _search(client, {"Authorization": f"Bearer {stale}"}).status_code == 200
    assert _search(client, {"Authorization": "Bearer not-a-token"}).status_code == 200


def test_item_9_counts_only_residents_who_used_the_platform(client, world, make, db):
    c = world.circle(population=10)
    # Two residents who only answered a survey / set their home here: not users of the platform.
    for _ in range(2):
        idle = make.user()
        idle.home_circle_id = c.id
    searcher, rater, filer = make.user(), make.user(), make.user()
    db.session.flush()
    lng, lat = c.center
    assert _search(client, make.headers(searcher), lng=lng, lat=lat).status_code == 200
    outlet = c.outlet("convenience_store")
    assert client.post(
        f"/api/v1/outlets/{outlet.id}/ratings", json={"stars": 5, "text": "方便"}, headers=make.headers(rater)
    ).status_code in (200, 201)
    need = {
        "kind": "missing_type",
        "business_type": "repair",
        "text": "附近没有修鞋的",
        "location": {"lng": lng, "lat": lat},
    }
    filed = client.post("/api/v1/demands", json={**need, "coord": "wgs84"}, headers=make.headers(filer))
    assert filed.status_code == 201, filed.get_json()

    today = now_local().date()
    used = active_residents([c.id], date(today.year, 1, 1), today)[c.id]
    assert (used["residents"], used["searched"], used["filed"], used["rated"]) == (3, 1, 1, 1)

    body = client.get(f"/api/v1/circles/{c.id}/evaluation", headers=make.headers(c.staff)).get_json()
    smart = next(i for i in body["service"]["items"] if i["no"] == 9)
    usage = next(p for p in smart["evidence"]["parts"] if p["name"] == "居民使用率")
    assert usage["residents"] == 3 and usage["population"] == 10 and usage["share"] == 0.3
    assert (usage["searched"], usage["filed"], usage["rated"]) == (1, 1, 1)
    assert "搜索" in usage["counted"] and "搜索" in smart["rule"]


def test_raters_read_once_for_a_pass_count_as_when_read_per_batch(client, world, make, db):
    """The nightly pass reads the year's raters once (ratings_read_once); each batch then counts the same."""
    first, second = world.circle(population=10), world.circle(population=10)
    raters = [make.user() for _ in range(3)]
    db.session.flush()
    for circle, who in ((first, raters), (second, raters[:1])):
        for outlet in (circle.outlet("convenience_store"), circle.outlet("pharmacy")):
            for rater in who:
                response = client.post(
                    f"/api/v1/outlets/{outlet.id}/ratings", json={"stars": 4, "text": "好"}, headers=make.headers(rater)
                )
                assert response.status_code in (200, 201)
    today = now_local().date()
    period = (date(today.year, 1, 1), today)
    ids = [first.id, second.id, world.circle().id]
    per_batch = active_residents(ids, *period)
    with ratings_read_once(*period):
        once = active_residents(ids, *period)
    assert once == per_batch
    assert (per_batch[first.id]["rated"], per_batch[second.id]["rated"]) == (3, 1)
