"""Uploads: type by content, size limit, EXIF stripped, thumbnails, content-addressed storage."""

from pathlib import Path

from sqlalchemy import func, select

from app.uploads.models import Upload
from tests.uploads import files
from tests.uploads.conftest import decode


def count_uploads(db):
    return db.session.scalar(select(func.count()).select_from(Upload))


def test_photo_is_reencoded_without_exif_and_thumbnailed(client, make, upload, app, jpeg):
    owner = make.user()
    response = upload(make.headers(owner), jpeg)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kind"] == "image" and body["purpose"] == "outlet_photo" and body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (1200, 800)
    # Not used by any record yet: private to the owner, with signed links the mini-program's <image> can load.
    assert body["url"].startswith(f"/api/v1/uploads/{body['id']}/file?token=")
    assert body["thumb_url"].startswith(f"/api/v1/uploads/{body['id']}/thumb?token=")
    assert body["media_check"] == "not_required"

    served = client.get(body["url"], headers=make.headers(owner))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    stored = decode(served.data)
    assert stored.size == (1200, 800)
    assert dict(stored.getexif()) == {} and b"taken at home" not in served.data and b"TestCam" not in served.data
    thumb = decode(client.get(body["thumb_url"], headers=make.headers(owner)).data)
    assert thumb.format == "JPEG" and max(thumb.size) == 320


def test_storage_is_content_addressed(make, upload, app, db, jpeg):
    headers = make.headers(make.user())
    first = upload(headers, jpeg).get_json()
    second = upload(headers, jpeg).get_json()
    rows = {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_([first["id"], second["id"]])))}
    a, b = rows[first["id"]], rows[second["id"]]
    assert a.id != b.id and a.storage_key == b.storage_key == f"{a.sha256[:2]}/{a.sha256[2:4]}/{a.sha256}.jpg"
    assert a.thumb_key == f"thumbs/{a.sha256[:2]}/{a.sha256[2:4]}/{a.sha256}.jpg"
    assert (Path(app.config["UPLOAD_DIR"]) / a.storage_key).is_file()


def test_exif_orientation_is_applied_before_stripping(make, upload):
    body = upload(make.headers(make.user()), files.jpeg(size=(300, 200), orientation=6)).get_json()
    assert (body["width"], body["height"]) == (200, 300)


def test_png_webp_and_pdf_for_certification(make, upload):
    headers = make.headers(make.user())
    png = upload(headers, files.png(), filename="a.png").get_json()
    assert png["content_type"] == "image/png" and png["kind"] == "image"
    webp = upload(headers, files.webp(), filename="a.webp").get_json()
    assert webp["content_type"] == "image/webp"
    pdf = upload(headers, files.pdf(), purpose="certification", filename="licence.pdf")
    assert pdf.status_code == 201
    assert pdf.get_json()["kind"] == "pdf" and pdf.get_json()["thumb_url"] is None


def test_type_is_decided_by_content_not_name(make, upload, db):
    headers = make.headers(make.user())
    before = count_uploads(db)
    exe = upload(headers, files.windows_exe(), filename="photo.jpg")
    assert exe.status_code == 415
    assert exe.get_json()["error"]["code"] == "unsupported_file_type" and "file" in exe.get_json()["error"]["details"]
    pdf_as_photo = upload(headers, files.pdf(), purpose="outlet_photo", filename="shop.jpg")
    assert pdf_as_photo.status_code == 415
    broken = upload(headers, files.jpeg()[:300], filename="cut.jpg")
    assert broken.status_code == 422 and broken.get_json()["error"]["code"] == "invalid_file"
    empty = upload(headers, b"", filename="empty.jpg")
    assert empty.status_code == 422
    assert count_uploads(db) == before


def test_twenty_megabytes_is_refused_with_413(make, upload, db):
    before = count_uploads(db)
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (20 * 1024 * 1024)
    response = upload(make.headers(make.user()), big)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert count_uploads(db) == before


def test_configured_limit_applies_while_reading(make, upload, app, jpeg, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2000)
    response = upload(make.headers(make.user()), jpeg)  # larger than 2000 bytes, below the framing slack
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"


def test_bad_forms(client, make, upload, jpeg):
    headers = make.headers(make.user())
    assert upload({}, jpeg).status_code == 401
    wrong_purpose = upload(headers, jpeg, purpose="selfie")
    assert wrong_purpose.status_code == 422 and "purpose" in wrong_purpose.get_json()["error"]["details"]
    extra = upload(headers, jpeg, caption="x")
    assert extra.status_code == 422 and "caption" in extra.get_json()["error"]["details"]
    no_file = client.post(
        "/api/v1/uploads", data={"purpose": "outlet_photo"}, headers=headers, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["details"]
    as_json = client.post("/api/v1/uploads", json={"purpose": "outlet_photo"}, headers=headers)
    assert as_json.status_code == 422


def test_openapi_documents_multipart_upload(client):
    spec = client.get("/api/openapi.json").get_json()
    body = spec["paths"]["/api/v1/uploads"]["post"]["requestBody"]["content"]["multipart/form-data"]
    schema = body["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert schema["properties"]["file"]["format"] == "binary"
