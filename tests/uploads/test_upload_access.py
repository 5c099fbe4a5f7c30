"""Who may read an upload: certification private to owner and staff in scope; photos public when their
record is public; the claim rules other packages rely on."""

import pytest

from app.common.errors import ValidationFailed
from app.uploads.service import claim_uploads, get_upload, public_url
from tests.uploads import files


@pytest.fixture
def licence(make, upload):
    owner = make.user()
    body = upload(make.headers(owner), files.pdf(), purpose="certification", filename="licence.pdf").get_json()
    return owner, body


def test_certification_visible_only_to_owner_staff_in_scope_and_admin(client, make, licence):
    owner, body = licence
    circle, other_circle = make.circle(), make.circle(center=(116.9, 40.4))
    claim_uploads(owner, [body["id"]], "certification", field="certification", circle_id=circle.id)
    url = f"/api/v1/uploads/{body['id']}/file"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=make.headers(make.user())).status_code == 403
    assert client.get(url, headers=make.headers(make.user("staff", circles=[other_circle]))).status_code == 403
    in_scope = client.get(url, headers=make.headers(make.user("staff", circles=[circle])))
    assert in_scope.status_code == 200 and in_scope.mimetype == "application/pdf"
    assert in_scope.headers["Content-Security-Policy"] == "sandbox"
    assert in_scope.headers["Cache-Control"] == "private, no-store"
    assert client.get(url, headers=make.headers(make.user("admin"))).status_code == 200
    assert client.get(url, headers=make.headers(owner)).status_code == 200
    assert client.get(f"/api/v1/uploads/{body['id']}", headers=make.headers(make.user())).status_code == 403


def test_outlet_photo_public_once_outlet_approved(client, make, upload, db, jpeg):
    owner = make.user()
    body = upload(make.headers(owner), jpeg).get_json()
    outlet = make.outlet(status="pending")
    claim_uploads(owner, [body["id"]], "outlet_photo", outlet_id=outlet.id)
    url, thumb = (f"/api/v1/uploads/{body['id']}/{suffix}" for suffix in ("file", "thumb"))
    assert client.get(url).status_code == 401
    assert client.get(url, headers=make.headers(make.user())).status_code == 403
    outlet.status = "approved"
    db.session.flush()
    public = client.get(url)
    assert public.status_code == 200 and public.headers["Cache-Control"] == "public, max-age=86400"
    assert client.get(thumb).status_code == 200
    assert client.get(f"/api/v1/uploads/{body['id']}").get_json()["id"] == body["id"]


def test_unknown_upload_and_missing_thumbnail(client, make, licence):
    owner, body = licence
    assert client.get("/api/v1/uploads/999999/file").status_code == 404
    unknown = client.get("/api/v1/uploads/8f1c3a52-0c4e-4c39-9a53-6f7f5a0e2b11/file")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "upload_not_found"
    missing_thumb = client.get(f"/api/v1/uploads/{body['id']}/thumb", headers=make.headers(owner))
    assert missing_thumb.status_code == 404 and missing_thumb.get_json()["error"]["code"] == "no_thumbnail"


def test_claim_checks_owner_purpose_and_existence(make, upload, licence, jpeg):
    owner, pdf = licence
    photo = upload(make.headers(owner), jpeg).get_json()
    stranger_photo = upload(make.headers(make.user()), jpeg).get_json()
    claimed = claim_uploads(owner, [photo["id"], photo["id"]], "outlet_photo")
    assert [u.id for u in claimed] == [photo["id"]]
    assert claim_uploads(owner, [], "outlet_photo") == []
    with pytest.raises(ValidationFailed) as refused:
        claim_uploads(owner, [photo["id"], stranger_photo["id"], pdf["id"], 999999], "outlet_photo")
    errors = refused.value.details["photo_ids"]
    assert len(errors) == 3
    assert str(stranger_photo["id"]) in errors[0] and str(pdf["id"]) in errors[1] and "999999" in errors[2]


def test_demand_and_rating_photos_are_compatible(make, upload, jpeg):
    staff = make.user("staff", circles=[make.circle()])  # no openid: no WeChat check
    body = upload(make.headers(staff), jpeg, purpose="rating_photo").get_json()
    assert body["media_check"] == "not_required"
    assert [u.id for u in claim_uploads(staff, [body["id"]], "demand_photo")] == [body["id"]]
    assert public_url(get_upload(body["id"])) == f"/api/v1/uploads/{body['id']}/file"
