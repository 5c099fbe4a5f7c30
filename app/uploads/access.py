"""Who may read an upload: the one place for these rules (readers, account deletion, exports).

- Nobody but the owner (and reviewing staff, for files submitted to their circle) reads a file that no
  record uses yet, nor a licence; a file becomes public only once a record uses it and, for residents'
  photos, WeChat's media check passed, or, for outlet photos, the outlet is published.
- Signed links (`fetch_token`, 24 h) let WeChat's checker and the owner's <image> tags, which cannot send
  a bearer token, read a private file.

Whether the record showing a file is published is the holding domain's to say: uploads lie below the domains
that attach files, so those register a `holder` per purpose (outlets for `outlet_photo`: app/outlets/photos.py),
wired in app/registry.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.common.errors import Forbidden, Unauthorized
from app.common.extensions import db
from app.common.policy import can_manage_circle

FETCH_TOKEN_MAX_AGE_S = 24 * 3600  # WeChat answers within 30 minutes; a day leaves room for retries


@dataclass(frozen=True)
class Holder:
    """The record a file is shown on, as its domain tells: whether it is published, and the circle reviewing it."""

    published: bool
    circle_id: int | None


_holders: dict[str, Callable[[object], Holder | None]] = {}


def register_holder(purpose: str, holder_of: Callable[[object], Holder | None]) -> None:
    """`holder_of(upload)` → the Holder of a file of this purpose, or None while no record shows it."""
    _holders[purpose] = holder_of


def _holder(upload) -> Holder | None:
    holder_of = _holders.get(upload.purpose)
    return holder_of(upload) if holder_of is not None else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="upload-fetch")


def fetch_token(upload_id: str) -> str:
    return _serializer().dumps(str(upload_id))


def token_allows(token: str | None, upload_id: str) -> bool:
    if not token:
        return False
    try:
        return _serializer().loads(token, max_age=FETCH_TOKEN_MAX_AGE_S) == str(upload_id)
    except BadSignature:  # also SignatureExpired
        return False


def is_public(upload) -> bool:
    if upload.attached_at is None or upload.purpose == "certification":
        return False
    if upload.purpose in _holders:
        holder = _holder(upload)
        return holder is not None and holder.published
    return upload.media_check in ("pass", "not_required")


def staff_may_read(user, upload) -> bool:
    """Reviewing staff: the circle the file was submitted in, or the circle of the record showing it."""
    if user is None:
        return False
    if can_manage_circle(user, upload.circle_id):
        return True
    holder = _holder(upload)
    return holder is not None and can_manage_circle(user, holder.circle_id)


def authorize_read(user, upload, token: str | None = None) -> None:
    if token_allows(token, upload.id) or is_public(upload):
        return
    if user is None:
        raise Unauthorized("请先登录后查看该文件", code="unauthorized")
    if user.id == upload.owner_user_id or staff_may_read(user, upload):
        return
    raise Forbidden("无权查看该文件", code="upload_forbidden")


def private_uploads(owner_user_id: int) -> list:
    """The owner's files nobody else may read (for account deletion: these go with the account)."""
    from sqlalchemy import select

    from app.uploads.models import Upload

    owned = db.session.scalars(select(Upload).where(Upload.owner_user_id == owner_user_id).order_by(Upload.created_at))
    return [upload for upload in owned if not is_public(upload)]
