"""Who may read an upload: the one place for these rules (readers, account deletion, exports).

- Nobody but the owner (and reviewing staff, for files submitted to their circle) reads a file that no
  record uses yet, nor a licence; a file becomes public only once a record uses it and, for residents'
  photos, WeChat's media check passed, or, for outlet photos, the outlet is published.
- Signed links (`fetch_token`, 24 h) let WeChat's checker and the owner's <image> tags, which cannot send
  a bearer token, read a private file.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.common.errors import Forbidden, Unauthorized
from app.common.policy import can_manage_circle
from app.extensions import db

FETCH_TOKEN_MAX_AGE_S = 24 * 3600  # WeChat answers within 30 minutes; a day leaves room for retries
PUBLIC_OUTLET_STATUSES = ("approved", "suspended")


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


def _outlet(upload):
    if upload.outlet_id is None:
        return None
    from app.outlets.models import Outlet

    return db.session.get(Outlet, upload.outlet_id)


def is_public(upload) -> bool:
    if upload.attached_at is None or upload.purpose == "certification":
        return False
    if upload.purpose == "outlet_photo":
        outlet = _outlet(upload)
        return outlet is not None and outlet.status in PUBLIC_OUTLET_STATUSES
    return upload.media_check in ("pass", "not_required")


def staff_may_read(user, upload) -> bool:
    """Reviewing staff: the circle the file was submitted in, or the circle of the outlet using it."""
    if user is None:
        return False
    if can_manage_circle(user, upload.circle_id):
        return True
    outlet = _outlet(upload)
    return outlet is not None and can_manage_circle(user, outlet.circle_id)


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
