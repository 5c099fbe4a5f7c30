"""Upload use cases: store a file, claim uploads for a record, URLs, WeChat media-check verdicts.

Other packages use `store_upload`, `claim_uploads`, `public_url`, `thumb_url` and the `Upload` model.
"""

import hashlib
import logging
import uuid

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from app.common import metrics
from app.common.errors import AppError, UpstreamError, ValidationFailed
from app.common.extensions import db
from app.common.http import outbound_base
from app.common.models import utcnow
from app.common.redis import Keys, get_redis
from app.common.tx import atomic, write_use_case
from app.uploads import access, images, storage
from app.uploads.models import UPLOAD_PURPOSES, Upload
from app.wechat import client as wechat

log = logging.getLogger(__name__)

__all__ = [
    "Upload",
    "store_upload",
    "claim_uploads",
    "public_url",
    "thumb_url",
    "record_media_verdict",
    "delete_unreferenced_files",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MEDIA_CHECKED_PURPOSES = ("demand_photo", "rating_photo")  # residents' photos shown to other residents
# A claim for the key purpose accepts uploads made for any of these purposes.
COMPATIBLE = {
    "outlet_photo": ("outlet_photo",),
    "certification": ("certification",),
    "demand_photo": ("demand_photo", "rating_photo"),
    "rating_photo": ("rating_photo", "demand_photo"),
}
HIDDEN_CHECKS = ("pending", "review", "risky")
EARLY_VERDICT_TTL_S = 3600


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large() -> AppError:
    limit_mb = max_bytes() / (1024 * 1024)
    return AppError(f"文件超过 {limit_mb:g} MB 上限", code="payload_too_large", status=413)


def _read_limited(file_storage) -> bytes:
    data = file_storage.stream.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise too_large()
    if not data:
        raise ValidationFailed("文件为空", code="empty_file", details={"file": ["文件为空"]})
    return data


def _process(data: bytes, purpose: str) -> tuple[str, images.Processed]:
    fmt = images.sniff(data[:16])
    if fmt is None or (fmt == "pdf" and purpose != "certification"):
        accepted = "JPEG、PNG、WebP 图片" + ("或 PDF" if purpose == "certification" else "")
        raise AppError(
            f"不支持的文件类型，只接受 {accepted}",
            code="unsupported_file_type",
            status=415,
            details={"file": [f"文件内容不是 {accepted}（按内容识别，与文件名无关）"]},
        )
    try:
        if fmt == "pdf":
            return "pdf", images.check_pdf(data)
        return "image", images.process_image(data, fmt)
    except images.FileRejected as error:
        raise ValidationFailed(str(error), code="invalid_file", details={"file": [str(error)]}) from None


def store_upload(user, file_storage, purpose: str) -> Upload:
    """Validates by content, re-encodes images without metadata, stores, and starts the media check."""
    if purpose not in UPLOAD_PURPOSES:
        raise ValidationFailed(details={"purpose": [f"取值必须是：{', '.join(UPLOAD_PURPOSES)}"]})
    data = _read_limited(file_storage)
    kind, processed = _process(data, purpose)
    sha256 = hashlib.sha256(processed.data).hexdigest()
    key = storage.key_for(sha256, processed.ext)
    thumb_key = storage.key_for(sha256, "jpg", prefix="thumbs/") if processed.thumbnail else None
    storage.put(key, processed.data)
    if thumb_key:
        storage.put(thumb_key, processed.thumbnail)
    checked = kind == "image" and purpose in MEDIA_CHECKED_PURPOSES and bool(user.openid)
    upload = Upload(
        owner_user_id=user.id,
        kind=kind,
        purpose=purpose,
        content_type=processed.content_type,
        size=len(processed.data),
        storage_key=key,
        thumb_key=thumb_key,
        width=processed.width,
        height=processed.height,
        sha256=sha256,
        media_check="pending" if checked else "not_required",
    )
    # Committed before WeChat is asked: WeChat fetches the file at once and must find it.
    with atomic():
        db.session.add(upload)
    if checked:
        start_media_check(upload, user.openid)
    return upload


@write_use_case
def start_media_check(upload: Upload, openid: str) -> Upload:
    """Asks WeChat to check the image; the verdict arrives at the push callback (or already has)."""
    # Never from the request's Host: a forged Host would have WeChat check another server's image.
    url = f"{outbound_base()}/api/v1/uploads/{upload.id}/file?token={access.fetch_token(upload.id)}"
    try:
        upload.media_trace_id = wechat.media_check_async(url, openid)
    except (wechat.WechatError, UpstreamError) as error:
        # The upload stays pending (hidden); `flask uploads recheck` asks again later.
        log.warning("media check for upload %s not started: %s", upload.id, error.details or error.message)
        return upload
    try:
        early = get_redis().get(_early_verdict_key(upload.media_trace_id))
    except RedisError as error:
        early = None  # a verdict that overtook us is then lost; `flask uploads recheck` asks again
        log.warning("early media verdicts unavailable: %s", error)
        metrics.redis_fallback("media_verdict")
    if early:
        upload.media_check = early
    return upload


def _early_verdict_key(trace_id: str) -> str:
    return f"{Keys.PREFIX}uploads:media_verdict:{trace_id}"


@write_use_case
def record_media_verdict(event: dict) -> Upload | None:
    """WeChat's wxa_media_check push → the upload's media_check (pass / review / risky)."""
    trace_id = event.get("trace_id")
    if event.get("Event") != "wxa_media_check" or not trace_id:
        return None
    suggest = (event.get("result") or {}).get("suggest")
    verdict = suggest if suggest in ("pass", "review", "risky") and not event.get("errcode") else "review"
    upload = db.session.scalar(select(Upload).where(Upload.media_trace_id == trace_id))
    if upload is None:
        # The push can overtake our saving of trace_id; keep the verdict for start_media_check to pick up.
        try:
            get_redis().set(_early_verdict_key(trace_id), verdict, ex=EARLY_VERDICT_TTL_S)
        except RedisError as error:
            log.warning("early media verdict for %s not kept (%s); the upload is rechecked later", trace_id, error)
            metrics.redis_fallback("media_verdict")
        return None
    upload.media_check = verdict
    return upload


def claim_uploads(user, ids, purpose: str, *, field: str = "photo_ids", circle_id=None, outlet_id=None) -> list[Upload]:
    """The user's own uploads made for `purpose`, in the order given; optionally records where they are used."""
    ids = list(dict.fromkeys(_canonical(i) for i in ids or []))
    if not ids:
        return []
    wellformed = [i for i in ids if _is_uuid(i)]
    found = {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_(wellformed)))}
    errors = []
    for upload_id in ids:
        upload = found.get(upload_id)
        if upload is None or upload.owner_user_id != user.id:
            errors.append(f"文件 {upload_id} 不存在或不属于当前用户")
        elif upload.purpose not in COMPATIBLE[purpose]:
            errors.append(f"文件 {upload_id} 的用途是 {upload.purpose}，不能用作 {purpose}")
        elif upload.media_check == "risky":
            errors.append(f"文件 {upload_id} 未通过内容安全检测")
    if errors:
        raise ValidationFailed("上传文件无效", code="invalid_uploads", details={field: errors})
    claimed = [found[i] for i in ids]
    for upload in claimed:
        upload.attached_at = upload.attached_at or utcnow()
        if circle_id is not None:
            upload.circle_id = circle_id
        if outlet_id is not None:
            upload.outlet_id = outlet_id
    return claimed


def _url(upload: Upload, suffix: str, signed: bool = False) -> str | None:
    if upload.media_check in HIDDEN_CHECKS:
        return None
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    url = f"{base}/api/v1/uploads/{upload.id}/{suffix}"
    if signed and not access.is_public(upload):
        url += f"?token={access.fetch_token(upload.id)}"
    return url


def public_url(upload: Upload, signed: bool = False) -> str | None:
    """Where the file is served; None while its media check is pending or failed. Access rules still apply:
    `signed` adds a 24-hour token to a private file's link, only for answers to someone who may read it."""
    return _url(upload, "file", signed)


def thumb_url(upload: Upload, signed: bool = False) -> str | None:
    return _url(upload, "thumb", signed) if upload.thumb_key else None


def _canonical(upload_id) -> str:
    """The id in PostgreSQL's text form (lower case, hyphenated) when it is a UUID; else as given."""
    try:
        return str(uuid.UUID(str(upload_id)))
    except ValueError:
        return str(upload_id)


def _is_uuid(upload_id: str) -> bool:
    return _canonical(upload_id) == upload_id and len(upload_id) == 36


def get_upload(upload_id) -> Upload:
    upload_id = _canonical(upload_id)
    upload = db.session.get(Upload, upload_id) if _is_uuid(upload_id) else None
    if upload is None:
        raise AppError("文件不存在", code="upload_not_found", status=404)
    return upload


def readable_upload(user, upload_id: str, token: str | None = None) -> Upload:
    """The upload if this reader may see it (401 anonymous, 403 not allowed)."""
    upload = get_upload(upload_id)
    access.authorize_read(user, upload, token)
    return upload


def delete_unreferenced_files(keys) -> int:
    """Deletes stored files (originals and thumbnails) no upload row names any more; call after the commit.

    Storage is content-addressed, so two uploads of the same picture share one file: it goes only with the last.
    """
    keys = {k for k in keys if k}
    if not keys:
        return 0
    used = set(db.session.scalars(select(Upload.storage_key).where(Upload.storage_key.in_(keys))))
    used |= set(db.session.scalars(select(Upload.thumb_key).where(Upload.thumb_key.in_(keys))))
    deleted = 0
    for key in sorted(keys - used):
        try:
            deleted += storage.delete(key)
        except OSError as error:  # the row is gone already; a leftover file is logged, not fatal
            log.warning("could not delete stored file %s: %s", key, error)
    return deleted
