"""Uploads cannot be enumerated: random ids, nothing readable by others before a record uses the file,
signed expiring links for the owner's own previews."""

import uuid

from app.uploads import access
from app.uploads.service import claim_uploads, get_upload
from tests.uploads import files


def paths(upload_id):
    return {s: f"/api/v1/uploads/{upload_id}{s}" for s in ("", "/file", "/thumb")}


def test_ids_are_random_uuids(make, upload, jpeg):
    headers = make.headers(make.user())
    ids = [upload(headers, jpeg).get_json()["id"] for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(uuid.UUID(i).version == 4 and str(uuid.UUID(i)) == i for i in ids)


def test_old_sequential_addresses_are_gone(client, make, upload, jpeg):
    upload(make.headers(make.user()), jpeg)
    for n in (1, 2, 3):
        assert client.get(f"/api/v1/uploads/{n}/file").status_code == 404


def test_an_unused_photo_is_only_its_owners(client, make, upload, jpeg):
    """A staff member's photo needs no media check (no openid): it used to be public from the start."""
    owner = make.user("staff", circles=[make.circle()])
    body = upload(make.headers(owner), jpeg, purpose="rating_photo").get_json()
    assert body["media_check"] == "not_required"
    for path in paths(body["id"]).values():
        assert client.get(path).status_code == 401
        assert client.get(path, headers=make.headers(make.user())).status_code == 403
        assert client.get(path, headers=make.headers(owner)).status_code == 200
    private = client.get(paths(body["id"])["/file"], headers=make.headers(owner))
    assert private.headers["Cache-Control"] == "private, no-store"


def test_signed_links_work_without_a_token_until_they_expire(client, make, upload, jpeg, monkeypatch):
    owner = make.user()
    body = upload(make.headers(owner), jpeg).get_json()  # an outlet photo: private until an outlet is published
    assert client.get(body["url"]).status_code == 200  # what <image src> does: no Authorization header
    assert client.get(body["thumb_url"]).status_code == 200
    other = upload(make.headers(make.user()), jpeg).get_json()
    token = body["url"].split("?token=")[1]
    borrowed = client.get(f"/api/v1/uploads/{other['id']}/file", query_string={"token": token})
    assert borrowed.status_code == 401  # a link opens its own file only
    assert client.get(paths(body["id"])["/file"], query_string={"token": token + "x"}).status_code == 401
    monkeypatch.setattr(access, "FETCH_TOKEN_MAX_AGE_S", -1)
    assert client.get(body["url"]).status_code == 401  # expired


def test_a_photo_becomes_public_when_a_record_uses_it(client, make, upload, jpeg, db):
    owner = make.user("staff", circles=[make.circle()])
    body = upload(make.headers(owner), jpeg, purpose="demand_photo").get_json()
    assert client.get(paths(body["id"])["/file"]).status_code == 401
    claim_uploads(owner, [body["id"]], "demand_photo", circle_id=make.circle().id)
    assert get_upload(body["id"]).attached_at is not None
    public = client.get(paths(body["id"])["/file"])
    assert public.status_code == 200 and public.headers["Cache-Control"] == "public, max-age=86400"
    detail = client.get(paths(body["id"])[""]).get_json()
    assert detail["url"] == paths(body["id"])["/file"]  # public: no token needed


def test_private_uploads_lists_what_goes_with_an_account(make, upload, jpeg, db):
    """The one rule account deletion and exports use: everything of the owner's that is not public."""
    owner = make.user("staff", circles=[make.circle()])
    unused = upload(make.headers(owner), jpeg, purpose="rating_photo").get_json()
    used = upload(make.headers(owner), jpeg, purpose="rating_photo").get_json()
    licence = upload(make.headers(owner), files.pdf(), purpose="certification", filename="l.pdf").get_json()
    claim_uploads(owner, [used["id"]], "rating_photo")
    claim_uploads(owner, [licence["id"]], "certification", field="certification")
    upload(make.headers(make.user()), jpeg)  # someone else's
    assert {u.id for u in access.private_uploads(owner.id)} == {unused["id"], licence["id"]}
