"""The merchant's side of ratings: one reply per rating, editable and checked, shown in the outlet detail; their
own outlet's ratings with what still waits for a reply and the credit level. Only the owner or staff in scope."""

from sqlalchemy import func, select

from app.ratings.models import Rating
from tests.factories import error_code

from .conftest import rate


def reply(client, make, user, rating_id, text):
    return client.post(f"/api/v1/merchant/ratings/{rating_id}/reply", json={"text": text}, headers=make.headers(user))


def test_one_reply_per_rating_edited_in_place_and_shown_in_the_outlet_detail(client, make, db, area, owner):
    rating_id = rate(client, make, area.outlet.id, area.resident, stars=2, text="排队太久").get_json()["id"]
    first = reply(client, make, owner, rating_id, "抱歉，早高峰已加一个收银台")
    assert first.status_code == 201 and first.get_json()["reply"]["text"] == "抱歉，早高峰已加一个收银台"
    edited = reply(client, make, owner, rating_id, "  抱歉，早高峰已加两个收银台  ")
    assert edited.status_code == 200 and edited.get_json()["reply"]["text"] == "抱歉，早高峰已加两个收银台"
    assert edited.get_json()["reply"]["replied_at"] >= first.get_json()["reply"]["replied_at"]
    detail = client.get(f"/api/v1/outlets/{area.outlet.id}").get_json()
    [shown] = [r for r in detail["recent_ratings"] if r["id"] == rating_id]
    assert shown["reply"]["text"] == "抱歉，早高峰已加两个收银台"
    assert db.session.scalar(select(func.count()).select_from(Rating).where(Rating.id == rating_id)) == 1

    risky = reply(client, make, owner, rating_id, "赌博")
    assert risky.status_code == 422 and error_code(risky) == "content_rejected"
    assert (
        db.session.get(Rating, rating_id).reply_text == "抱歉，早高峰已加两个收银台"
    )  # the refused edit changed nothing
    blank = reply(client, make, owner, rating_id, "")
    assert blank.status_code == 422 and "text" in blank.get_json()["error"]["details"]


def test_only_the_outlets_merchant_replies(client, make, area, owner):
    rating_id = rate(client, make, area.outlet.id, area.resident, stars=4).get_json()["id"]
    assert client.post(f"/api/v1/merchant/ratings/{rating_id}/reply", json={"text": "谢谢"}).status_code == 401
    for user in (area.resident, area.staff, make.user("merchant", openid="another-shop")):
        refused = reply(client, make, user, rating_id, "谢谢")
        assert refused.status_code == 403 and error_code(refused) == "not_outlet_owner"
    missing = reply(client, make, owner, 2_000_000_000, "谢谢")
    assert missing.status_code == 404 and error_code(missing) == "rating_not_found"


def test_the_merchant_withdraws_a_reply_and_the_rating_waits_again(client, make, db, area, owner):
    rating_id = rate(client, make, area.outlet.id, area.resident, stars=2, text="排队太久").get_json()["id"]
    url = f"/api/v1/merchant/ratings/{rating_id}/reply"
    assert reply(client, make, owner, rating_id, "回错了").status_code == 201
    for user in (area.resident, area.staff):
        refused = client.delete(url, headers=make.headers(user))
        assert refused.status_code == 403 and error_code(refused) == "not_outlet_owner"
    assert client.delete(url).status_code == 401

    withdrawn = client.delete(url, headers=make.headers(owner))
    assert withdrawn.status_code == 204 and withdrawn.data == b""
    rating = db.session.get(Rating, rating_id)
    assert (rating.reply_text, rating.reply_user_id, rating.replied_at) == (None, None, None)
    mine = client.get(f"/api/v1/merchant/outlets/{area.outlet.id}/ratings", headers=make.headers(owner)).get_json()
    assert mine["unreplied"] == 1 and mine["items"][0]["reply"] is None
    again = client.delete(url, headers=make.headers(owner))
    assert again.status_code == 404 and error_code(again) == "reply_not_found"
    assert reply(client, make, owner, rating_id, "抱歉，已加收银台").status_code == 201  # a new reply is a first one
    legacy = client.delete(f"/api/v1/ratings/{rating_id}/reply", headers=make.headers(owner))
    assert legacy.status_code == 405 and legacy.get_json()["error"]["code"]


def test_own_outlet_ratings_with_unreplied_count_and_credit_level(client, make, db, area, owner):
    ids = [
        rate(client, make, area.outlet.id, make.user(), stars=stars, text=f"第{stars}条").get_json()["id"]
        for stars in (5, 4, 2)
    ]
    reply(client, make, owner, ids[2], "感谢指正")
    url = f"/api/v1/merchant/outlets/{area.outlet.id}/ratings"
    page = client.get(url, headers=make.headers(owner)).get_json()
    assert [r["id"] for r in page["items"]] == list(reversed(ids)) and page["total"] == 3
    assert page["rating"] == {"avg": 3.67, "count": 3} and page["unreplied"] == 2
    assert page["items"][0]["reply"]["text"] == "感谢指正" and page["items"][1]["reply"] is None
    assert page["credit"]["level"] == "B" and page["credit"]["inputs"]["rating_count"] == 3
    assert page["credit"]["rule_text"]
    waiting = client.get(url, query_string={"replied": "0"}, headers=make.headers(owner)).get_json()
    assert [r["id"] for r in waiting["items"]] == [ids[1], ids[0]] and waiting["total"] == 2

    # Staff in scope see it too; nobody else.
    assert client.get(url, headers=make.headers(area.staff)).status_code == 200
    for user in (area.resident, area.outsider, make.user("merchant", openid="another-owner")):
        refused = client.get(url, headers=make.headers(user))
        assert refused.status_code == 403 and error_code(refused) == "not_outlet_owner"
    assert client.get(url).status_code == 401
    missing = client.get("/api/v1/merchant/outlets/2000000000/ratings", headers=make.headers(owner))
    assert missing.status_code == 404 and error_code(missing) == "outlet_not_found"
