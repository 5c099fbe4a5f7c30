"""A resident who has used every part of the platform through the API, ready to export or delete their data."""

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from app.uploads.models import Upload
from tests.evaluation.conftest import World
from tests.transactions import commit
from tests.uploads.files import jpeg

PHONE_CODE = "phone-13912345678"


def login(client, code, **extra):
    response = client.post("/api/v1/auth/wechat/login", json={"code": code, **extra})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body, {"Authorization": f"Bearer {body['access_token']}"}


def upload(client, headers, purpose, color):
    form = {"file": (io.BytesIO(jpeg(size=(64, 48), color=color)), "p.jpg"), "purpose": purpose}
    response = client.post("/api/v1/uploads", data=form, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def town(make, db, redis, stub, client):
    """A circle with a shop and a survey already answered by three others; then one resident acts through the API."""
    world = World(make, db)
    c = world.circle(population=100)
    outlet = c.outlet("convenience_store", name="好邻居便利店")
    c.survey([5, 4, 3], [5, 5, 2])
    commit()
    body, h = login(client, "privacy-resident", privacy_version="2026-12-01")
    user_id = body["user"]["id"]
    ok(client.post("/api/v1/me/phone", json={"phone_code": PHONE_CODE}, headers=h))
    need_photo = upload(client, h, "demand_photo", (10, 200, 30))
    rating_photo = upload(client, h, "rating_photo", (200, 10, 30))
    pending_photo = upload(client, h, "demand_photo", (30, 30, 220))  # never used, check still pending
    licence = upload(client, h, "certification", (90, 90, 90))
    # WeChat's media check passed for the two photos shown publicly.
    db.session.execute(update(Upload).where(Upload.id.in_([need_photo, rating_photo])).values(media_check="pass"))
    lng, lat = c.center
    need = ok(
        client.post(
            "/api/v1/demands",
            json={
                "kind": "missing_type",
                "business_type": "breakfast",
                "text": "小区门口缺一家早餐店",
                "address": "鼓楼东街 3 号楼下",
                "location": {"lng": lng, "lat": lat},
                "coord": "wgs84",
                "photo_ids": [need_photo],
            },
            headers=h,
        ),
        201,
    )
    rating = ok(
        client.post(
            f"/api/v1/outlets/{outlet.id}/ratings",
            json={"stars": 4, "text": "店员很热情", "tags": [], "photo_ids": [rating_photo]},
            headers=h,
        ),
        201,
    )
    ok(
        client.post(
            f"/api/v1/circles/{c.id}/survey-responses",
            json={
                "type_satisfaction": 2,
                "service_satisfaction": 4,
                "comment": "希望多开早餐店",
                "location": {"lng": c.center[0], "lat": c.center[1]},  # answered from home, in the circle
                "coord": "wgs84",
            },
            headers=h,
        ),
        201,
    )
    return SimpleNamespace(
        circle=c,
        outlet=outlet,
        user_id=user_id,
        headers=h,
        need_id=need["id"],
        rating_id=rating["id"],
        need_photo=need_photo,
        rating_photo=rating_photo,
        pending_photo=pending_photo,
        licence=licence,
    )
