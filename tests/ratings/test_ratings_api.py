"""Rating an outlet: one per user (a second call replaces it), the outlet's average kept in step, listing."""

import requests

from app.outlets.models import Outlet
from app.ratings.service import recent_ratings_for
from app.uploads.models import Upload
from tests.factories import MIYUN, error_code

from .conftest import rate


def outlet_rating(db, outlet_id):
    db.session.expire_all()
    outlet = db.session.get(Outlet, outlet_id)
    return outlet.rating_avg, outlet.rating_count


def test_first_rating_201_second_replaces_200_and_average_follows(client, make, db, area):
    first = rate(client, make, area.outlet.id, area.resident, stars=2, text="排队太久", tags=["排队久"])
    assert first.status_code == 201
    body = first.get_json()
    assert body["stars"] == 2 and body["status"] == "visible" and body["tags"] == ["排队久"]
    assert outlet_rating(db, area.outlet.id) == (2.0, 1)

    second = rate(client, make, area.outlet.id, area.resident, stars=4, text="改进了，服务热情")
    assert second.status_code == 200 and second.get_json()["id"] == body["id"]
    assert outlet_rating(db, area.outlet.id) == (4.0, 1)

    other = make.user()
    assert rate(client, make, area.outlet.id, other, stars=5).status_code == 201
    assert outlet_rating(db, area.outlet.id) == (4.5, 2)
    mine = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings/mine", headers=make.headers(area.resident))
    assert mine.get_json()["stars"] == 4 and mine.get_json()["text"] == "改进了，服务热情"


def test_nearby_search_serves_and_sorts_by_rating(client, make, db, area):
    second = make.outlet(MIYUN[0] + 0.001, MIYUN[1], name="第二家便利店")
    for stars, who in ((3, make.user()), (4, make.user())):
        rate(client, make, area.outlet.id, who, stars=stars)
    rate(client, make, second.id, make.user(), stars=5)
    items = client.get(
        "/api/v1/outlets/nearby", query_string={"lat": MIYUN[1], "lng": MIYUN[0], "coord": "wgs84", "sort": "rating"}
    ).get_json()["items"]
    ranked = [(i["id"], i["rating"]) for i in items if i["id"] in (area.outlet.id, second.id)]
    assert ranked == [(second.id, {"avg": 5.0, "count": 1}), (area.outlet.id, {"avg": 3.5, "count": 2})]


def test_listing_newest_first_paged_and_masked(client, make, db, area):
    people = [make.user() for _ in range(3)]
    people[0].display_name = "张三丰"
    for n, who in enumerate(people, start=1):
        rate(client, make, area.outlet.id, who, stars=n, text=f"第{n}条")
    page1 = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings", query_string={"page_size": 2}).get_json()
    assert [i["text"] for i in page1["items"]] == ["第3条", "第2条"]
    assert page1["has_more"] is True and page1["total"] == 3 and page1["rating"] == {"avg": 2.0, "count": 3}
    page2 = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings", query_string={"page": 2, "page_size": 2})
    last = page2.get_json()["items"][0]
    assert last["nickname"] == "张**" and page2.get_json()["has_more"] is False
    assert page1["items"][0]["nickname"].startswith("居民") and len(page1["items"][0]["nickname"]) == 6
    text = page2.get_data(as_text=True)
    assert "user_id" not in text and people[0].openid not in text and "张三丰" not in text
    recent = recent_ratings_for(area.outlet.id, limit=2)
    assert recent == page1["items"]  # JSON-ready, the same shape as the listing


def test_photos_show_once_their_media_check_passed(client, make, db, area):
    def upload(check, owner=area.resident):
        row = Upload(
            owner_user_id=owner.id, kind="image", purpose="rating_photo", content_type="image/jpeg", size=10,
            storage_key=f"k/{check}.jpg", thumb_key=f"t/{check}.jpg", sha256="0" * 64, media_check=check,
        )  # fmt: skip
        db.session.add(row)
        db.session.flush()
        return row

    passed, pending, strangers = upload("pass"), upload("pending"), upload("pass", make.user())
    refused = rate(client, make, area.outlet.id, area.resident, photo_ids=[strangers.id])
    assert refused.status_code == 422 and error_code(refused) == "invalid_uploads"
    created = rate(client, make, area.outlet.id, area.resident, photo_ids=[passed.id, pending.id])
    assert created.status_code == 201
    listed = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings").get_json()["items"][0]
    assert listed["photos"] == [
        {"url": f"/api/v1/uploads/{passed.id}/file", "thumb_url": f"/api/v1/uploads/{passed.id}/thumb"}
    ]
    db.session.expire_all()
    assert db.session.get(Upload, passed.id).outlet_id == area.outlet.id


def test_content_check_rejects_holds_or_keeps_for_review(client, make, db, area, stub):
    risky = rate(client, make, area.outlet.id, area.resident, stars=1, text="这里有人赌博")
    assert risky.status_code == 422 and error_code(risky) == "content_rejected"
    assert outlet_rating(db, area.outlet.id) == (None, 0)

    review = rate(client, make, area.outlet.id, area.resident, stars=1, text="加微信买便宜货")
    assert review.status_code == 201 and review.get_json()["status"] == "pending_review"
    assert outlet_rating(db, area.outlet.id) == (None, 0)
    assert client.get(f"/api/v1/outlets/{area.outlet.id}/ratings").get_json()["items"] == []

    requests.post(f"{stub}/stub/fail", json={"path": "/wxa/msg_sec_check", "times": 1, "status": 503}, timeout=5)
    down = rate(client, make, area.outlet.id, make.user(), stars=5, text="很好")
    assert down.status_code == 201 and down.get_json()["status"] == "pending_review"
    assert outlet_rating(db, area.outlet.id) == (None, 0)
    no_text = rate(client, make, area.outlet.id, make.user(), stars=3)
    assert no_text.get_json()["status"] == "visible" and outlet_rating(db, area.outlet.id) == (3.0, 1)


def test_bad_input_and_unknown_or_unrateable_outlets(client, make, db, area):
    url = f"/api/v1/outlets/{area.outlet.id}/ratings"
    headers = make.headers(area.resident)
    for body, field in (
        ({"stars": 0}, "stars"),
        ({"stars": 6}, "stars"),
        ({"stars": 4.5}, "stars"),
        ({"stars": "5"}, "stars"),
        ({}, "stars"),
        ({"stars": 5, "text": "好" * 501}, "text"),
        ({"stars": 5, "tags": ["自己编的"]}, "tags"),
        ({"stars": 5, "owner": 1}, "owner"),
    ):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["details"], body
    missing = client.post("/api/v1/outlets/999999/ratings", json={"stars": 5}, headers=headers)
    assert missing.status_code == 404 and error_code(missing) == "outlet_not_found"
    pending = make.outlet(*MIYUN, status="pending")
    assert rate(client, make, pending.id, area.resident).status_code == 404
    suspended = make.outlet(*MIYUN, status="suspended")
    assert error_code(rate(client, make, suspended.id, area.resident)) == "outlet_not_rateable"
    assert client.get("/api/v1/outlets/999999/ratings").status_code == 404
    assert client.get(url, query_string={"page_size": 51}).status_code == 422


def test_who_may_rate(client, make, db, area, owner):
    url = f"/api/v1/outlets/{area.outlet.id}/ratings"
    assert client.post(url, json={"stars": 5}).status_code == 401
    for user in (area.staff, area.admin):
        response = rate(client, make, area.outlet.id, user)
        assert response.status_code == 403 and error_code(response) == "role_forbidden"
    own = rate(client, make, area.outlet.id, owner)
    assert own.status_code == 403  # a merchant account is not a resident account
    owner.roles = ["resident", "merchant"]
    db.session.flush()
    assert error_code(rate(client, make, area.outlet.id, owner)) == "own_outlet"
    assert client.get(url + "/mine").status_code == 401
    assert client.get(url + "/mine", headers=make.headers(make.user())).status_code == 404
    assert client.get("/api/v1/rating-tags").get_json()["items"][0] == "服务热情"


def test_rating_writes_are_rate_limited(limited_client):
    statuses = [limited_client.post("/api/v1/outlets/1/ratings", json={"stars": 5}).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    assert limited_client.get("/api/v1/outlets/999999/ratings").status_code == 404  # reading is not limited
