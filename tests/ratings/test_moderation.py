"""Merchant replies, reports, and staff hiding ratings (which takes them out of the average)."""

import requests
from sqlalchemy import select

from app.outlets.models import Outlet
from app.ratings.models import RatingDecision
from tests.factories import error_code

from .conftest import rate


def rated(client, make, area, stars=2, text="服务一般"):
    return rate(client, make, area.outlet.id, area.resident, stars=stars, text=text).get_json()["id"]


def test_owner_replies(client, make, db, area, owner):
    rating_id = rated(client, make, area)
    url = f"/api/v1/ratings/{rating_id}/reply"
    assert client.post(url, json={"text": "感谢反馈"}).status_code == 401
    stranger = client.post(url, json={"text": "感谢反馈"}, headers=make.headers(area.resident))
    assert stranger.status_code == 403 and error_code(stranger) == "not_outlet_owner"
    assert client.post(url, json={"text": "我们会改进"}, headers=make.headers(area.admin)).status_code == 403
    assert client.post(url, json={"text": ""}, headers=make.headers(owner)).status_code == 422
    risky = client.post(url, json={"text": "赌博"}, headers=make.headers(owner))
    assert risky.status_code == 422 and error_code(risky) == "content_rejected"

    first = client.post(url, json={"text": "感谢反馈，我们会改进"}, headers=make.headers(owner))
    assert first.status_code == 201 and first.get_json()["reply"]["text"] == "感谢反馈，我们会改进"
    listed = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings").get_json()["items"][0]
    assert listed["reply"]["text"] == "感谢反馈，我们会改进" and listed["reply"]["replied_at"]
    # One reply per rating, editable (tests/ratings/test_merchant_replies.py): the first path edits too.
    again = client.post(url, json={"text": "再说一次"}, headers=make.headers(owner))
    assert again.status_code == 200 and again.get_json()["reply"]["text"] == "再说一次"
    assert (
        client.post("/api/v1/ratings/999999/reply", json={"text": "x"}, headers=make.headers(owner)).status_code == 404
    )


def test_reply_needs_the_content_check(client, make, db, area, owner, stub):
    rating_id = rated(client, make, area)
    requests.post(f"{stub}/stub/fail", json={"path": "/wxa/msg_sec_check", "times": 1, "status": 503}, timeout=5)
    down = client.post(f"/api/v1/ratings/{rating_id}/reply", json={"text": "谢谢"}, headers=make.headers(owner))
    assert down.status_code == 503 and error_code(down) == "content_check_unavailable"
    ok = client.post(f"/api/v1/ratings/{rating_id}/reply", json={"text": "谢谢"}, headers=make.headers(owner))
    assert ok.status_code == 201


def test_report_once_then_staff_in_scope_see_it(client, make, db, area):
    rating_id = rated(client, make, area)
    far_rating = rate(client, make, area.far_outlet.id, make.user(), stars=1).get_json()["id"]
    url = f"/api/v1/ratings/{rating_id}/report"
    assert client.post(url, json={"reason": "广告"}).status_code == 401
    reporter = make.user()
    first = client.post(url, json={"reason": "与事实不符"}, headers=make.headers(reporter))
    assert first.status_code == 201 and first.get_json() == {"rating_id": rating_id, "open_reports": 1}
    again = client.post(url, json={"reason": "重复"}, headers=make.headers(reporter))
    assert again.status_code == 409 and error_code(again) == "already_reported"
    assert client.post(url, json={"reason": ""}, headers=make.headers(reporter)).status_code == 422
    assert client.post(url, json={"reason": "x" * 201}, headers=make.headers(reporter)).status_code == 422
    assert client.post(url, json={"reason": "x"}, headers=make.headers(area.staff)).status_code == 201
    client.post(f"/api/v1/ratings/{far_rating}/report", json={"reason": "x"}, headers=make.headers(reporter))

    listing = "/api/v1/staff/ratings"
    assert client.get(listing).status_code == 401
    assert client.get(listing, headers=make.headers(area.resident)).status_code == 403
    mine = client.get(listing, query_string={"reported": 1}, headers=make.headers(area.staff)).get_json()
    assert [i["id"] for i in mine["items"]] == [rating_id]
    item = mine["items"][0]
    assert item["open_reports"] == 2 and item["reports"][0]["reason"] == "与事实不符"
    assert item["outlet"] == {"id": area.outlet.id, "name": "好邻居便利店", "circle_id": area.circle.id}
    scoped = client.get(listing, query_string={"circle_id": area.circle.id}, headers=make.headers(area.outsider))
    assert scoped.status_code == 403 and error_code(scoped) == "out_of_scope"
    theirs = client.get(listing, query_string={"reported": 1}, headers=make.headers(area.outsider)).get_json()
    assert [i["id"] for i in theirs["items"]] == [far_rating]
    everything = client.get(listing, query_string={"reported": 1}, headers=make.headers(area.admin)).get_json()
    assert {i["id"] for i in everything["items"]} == {rating_id, far_rating} and everything["total"] == 2


def test_staff_hide_and_unhide_with_a_reason(client, make, db, area):
    rating_id = rated(client, make, area, stars=1)
    rate(client, make, area.outlet.id, make.user(), stars=5)
    client.post(f"/api/v1/ratings/{rating_id}/report", json={"reason": "恶意差评"}, headers=make.headers(make.user()))
    url = f"/api/v1/staff/ratings/{rating_id}/hide"
    assert client.post(url, json={"reason": "x"}).status_code == 401
    assert client.post(url, json={"reason": "x"}, headers=make.headers(area.resident)).status_code == 403
    outside = client.post(url, json={"reason": "x"}, headers=make.headers(area.outsider))
    assert outside.status_code == 403 and error_code(outside) == "out_of_scope"
    assert client.post(url, json={}, headers=make.headers(area.staff)).status_code == 422

    hidden = client.post(url, json={"reason": "经核实为恶意差评"}, headers=make.headers(area.staff))
    assert hidden.status_code == 200
    assert hidden.get_json()["status"] == "hidden" and hidden.get_json()["open_reports"] == 0
    db.session.expire_all()
    outlet = db.session.get(Outlet, area.outlet.id)
    assert (outlet.rating_avg, outlet.rating_count) == (5.0, 1)
    public = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings").get_json()["items"]
    assert [i["stars"] for i in public] == [5]
    assert (
        client.post(
            f"/api/v1/ratings/{rating_id}/report", json={"reason": "x"}, headers=make.headers(make.user())
        ).status_code
        == 404
    )
    mine = client.get(f"/api/v1/outlets/{area.outlet.id}/ratings/mine", headers=make.headers(area.resident))
    assert mine.get_json()["status"] == "hidden"
    # Re-rating does not bring a hidden rating back: staff decide again.
    assert rate(client, make, area.outlet.id, area.resident, stars=2).get_json()["status"] == "pending_review"

    shown = client.post(url, json={"hidden": False, "reason": "复核后恢复"}, headers=make.headers(area.admin))
    assert shown.status_code == 200 and shown.get_json()["status"] == "visible"
    db.session.expire_all()
    outlet = db.session.get(Outlet, area.outlet.id)
    assert (round(outlet.rating_avg, 2), outlet.rating_count) == (3.5, 2)
    decisions = db.session.scalars(select(RatingDecision).where(RatingDecision.rating_id == rating_id)).all()
    assert [(d.action, d.reason) for d in decisions] == [("hide", "经核实为恶意差评"), ("unhide", "复核后恢复")]
    assert (
        client.post(
            "/api/v1/staff/ratings/999999/hide", json={"reason": "x"}, headers=make.headers(area.admin)
        ).status_code
        == 404
    )


def test_staff_review_pending_ratings(client, make, db, area):
    pending_id = rate(client, make, area.outlet.id, area.resident, stars=4, text="加微信有优惠").get_json()["id"]
    queue = client.get(
        "/api/v1/staff/ratings", query_string={"status": "pending_review"}, headers=make.headers(area.staff)
    ).get_json()["items"]
    assert [(i["id"], i["content_check"]) for i in queue] == [(pending_id, "review")]
    approve = client.post(
        f"/api/v1/staff/ratings/{pending_id}/hide", json={"hidden": False, "reason": "内容无问题"},
        headers=make.headers(area.staff),
    )  # fmt: skip
    assert approve.get_json()["status"] == "visible"
    db.session.expire_all()
    assert db.session.get(Outlet, area.outlet.id).rating_count == 1
    assert (
        client.get(
            "/api/v1/staff/ratings", query_string={"status": "nope"}, headers=make.headers(area.staff)
        ).status_code
        == 422
    )
