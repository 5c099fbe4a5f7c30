"""注销 end to end: the API answer, the database state afterwards, tokens refused, evaluation unchanged."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.evaluation import service as evaluation
from app.merchants.models import Application
from app.outlets.models import Outlet
from app.ratings.models import Rating
from app.surveys.models import SurveyResponse
from app.uploads import storage
from app.uploads.models import Upload
from tests.factories import error_code
from tests.privacy.conftest import login, ok
from tests.transactions import commit


def _flat(value, path=""):
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _flat(item, f"{path}/{i}").items()}
    return {path: value}


def test_resident_deletes_account_and_keeps_public_content_anonymous(client, db, town):
    keys = {u.id: (u.storage_key, u.thumb_key) for u in db.session.scalars(select(Upload))}
    before = evaluation.evaluate_circle(town.circle.id, use_cache=False)

    answer = ok(client.post("/api/v1/me/deletion", json={"confirm": True}, headers=town.headers))
    assert answer["remove_content"] is False
    counts = answer["counts"]
    assert counts["survey_answers_anonymised"] == 1 and counts["needs_kept_anonymous"] == 1
    assert counts["ratings_kept_anonymous"] == 1 and counts["files_erased"] == 2 and counts["files_kept_public"] == 2

    # Tokens issued before stop working at once.
    refused = client.get("/api/v1/me", headers=town.headers)
    assert refused.status_code == 401 and error_code(refused) == "invalid_token"
    assert client.get("/api/v1/me/export", headers=town.headers).status_code == 401

    # The account row is an empty tombstone.
    db.session.expire_all()
    user = db.session.get(User, town.user_id)
    assert user.deleted_at is not None and user.disabled
    assert (user.openid, user.unionid, user.phone, user.display_name, user.home_circle_id) == (None,) * 5
    assert user.privacy_version is None and user.roles == ["resident"]

    # Survey answers stay as anonymous counts; the comment (free text) is gone.
    answers = db.session.scalars(select(SurveyResponse).where(SurveyResponse.circle_id == town.circle.id)).all()
    assert len(answers) == 4 and all(a.user_id is None or a.user_id != town.user_id for a in answers)
    mine = [a for a in answers if (a.type_satisfaction, a.service_satisfaction) == (2, 4)]
    assert len(mine) == 1 and mine[0].user_id is None and mine[0].comment is None

    # The public need and rating stay, shown as 已注销用户, with their public photos.
    need = ok(client.get(f"/api/v1/demands/{town.need_id}?coord=wgs84"))
    assert need["text"] == "小区门口缺一家早餐店" and [p["id"] for p in need["photos"]] == [town.need_photo]
    ratings = ok(client.get(f"/api/v1/outlets/{town.outlet.id}/ratings"))["items"]
    assert [(r["nickname"], r["text"]) for r in ratings] == [("已注销用户", "店员很热情")]
    assert len(ratings[0]["photos"]) == 1

    # Private files (the licence, the unused pending photo) are erased, rows and bytes.
    remaining = {u.id: u for u in db.session.scalars(select(Upload))}
    assert town.licence not in remaining and town.pending_photo not in remaining
    for gone in (town.licence, town.pending_photo):
        assert not storage.exists(keys[gone][0])
    for kept in (town.need_photo, town.rating_photo):
        assert remaining[kept].owner_user_id is None and storage.exists(keys[kept][0])
        assert client.get(f"/api/v1/uploads/{kept}/file").status_code == 200

    # The evaluation is the same: survey answers, ratings and needs all still count, every score is equal,
    # and so does 居民使用率 (residents who used the platform in the period: this one did, before leaving).
    after = _flat(evaluation.evaluate_circle(town.circle.id, use_cache=False))
    changed = {k: (v, after.get(k)) for k, v in _flat(before).items() if after.get(k) != v and k != "/computed_at"}
    usage = next(k for k, v in after.items() if v == "居民使用率").rsplit("/", 1)[0]
    assert changed == {} and after[f"{usage}/residents"] == 1

    # The same WeChat account logging in again is a new, unrelated resident who is asked to consent.
    body, _ = login(client, "privacy-resident")
    assert body["user"]["id"] != town.user_id and body["consent_required"] is True


def test_resident_may_ask_that_needs_and_ratings_go_too(client, db, town):
    answer = ok(
        client.post("/api/v1/me/deletion", json={"confirm": True, "remove_content": True}, headers=town.headers)
    )
    assert answer["counts"]["ratings_removed"] == 1 and answer["counts"]["needs_removed"] == 1
    assert answer["counts"]["files_erased"] == 4
    assert db.session.scalar(select(Rating).where(Rating.id == town.rating_id)) is None
    db.session.expire_all()
    assert db.session.get(Outlet, town.outlet.id).rating_count == 0
    hidden = client.get(f"/api/v1/demands/{town.need_id}")
    assert hidden.status_code == 404 or "早餐店" not in hidden.get_data(as_text=True)
    # Survey answers are never removed: they are anonymous counts either way.
    assert db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.comment.is_(None), SurveyResponse.type_satisfaction == 2)
    )


def test_merchant_deletion_leaves_the_outlet_unowned(client, db, make, stub):
    body, h = login(client, "privacy-merchant")
    merchant = db.session.get(User, body["user"]["id"])
    merchant.roles = ["resident", "merchant"]
    shop = make.outlet(name="老王修车", types=("repair",), owner_user_id=merchant.id)
    pending = Application(
        kind="change",
        status="pending",
        applicant_user_id=merchant.id,
        outlet_id=shop.id,
        name="老王修车",
        payload={"phone": "13912345678", "hours": {}},
    )
    db.session.add(pending)
    commit()
    answer = ok(client.post("/api/v1/me/deletion", json={"confirm": True}, headers=h))
    assert answer["counts"]["outlets_unowned"] == 1 and answer["counts"]["applications_closed"] == 1
    db.session.expire_all()
    outlet = db.session.get(Outlet, shop.id)
    assert outlet.owner_user_id is None and outlet.status == "approved"
    application = db.session.get(Application, pending.id)
    assert application.status == "rejected" and "phone" not in application.payload
    assert ok(client.get(f"/api/v1/outlets/{shop.id}"))["name"] == "老王修车"
    assert db.session.get(User, merchant.id).roles == ["resident"]


@pytest.mark.parametrize("body", [{}, {"confirm": False}, {"confirm": True, "extra": 1}])
def test_deletion_needs_an_explicit_confirmation(client, make, db, body):
    resident = make.user()
    response = client.post("/api/v1/me/deletion", json=body, headers=make.headers(resident))
    assert response.status_code == 422 and error_code(response) == "validation_error"
    assert db.session.get(User, resident.id).deleted_at is None


def test_staff_accounts_are_not_deleted_by_themselves(client, make, db):
    staff = make.user("staff", circles=[make.circle()])
    response = client.post("/api/v1/me/deletion", json={"confirm": True}, headers=make.headers(staff))
    assert response.status_code == 403 and error_code(response) == "staff_account"


def test_deletion_needs_login(client):
    response = client.post("/api/v1/me/deletion", json={"confirm": True})
    assert response.status_code == 401


def test_operator_deletes_an_account_for_a_resident_who_cannot_log_in(app, client, db, town):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "delete", str(town.user_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "survey_answers_anonymised" in result.output
    db.session.expire_all()
    assert db.session.get(User, town.user_id).deleted_at is not None
    assert client.get("/api/v1/me", headers=town.headers).status_code == 401
    again = runner.invoke(args=["accounts", "delete", str(town.user_id), "--yes"])
    assert again.exit_code != 0 and "账号已注销" in again.output
    missing = runner.invoke(args=["accounts", "delete", "999999", "--yes"])
    assert missing.exit_code != 0 and "no account" in missing.output
