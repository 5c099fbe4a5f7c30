"""The resident's consent to the privacy notice (隐私保护指引): kept on the user's row and asked for at login.

The privacy domain (app/privacy) offers the notice and the consent API; login (auth/service.py) and the user's
own view (auth/schemas.py) need the same rule, so it lives with the user, below both.
"""

from flask import current_app

from app.common.errors import Conflict
from app.common.models import utcnow
from app.common.tx import write_use_case

NOTICE_TITLE = "一刻钟便民生活圈隐私保护指引"


def current_version() -> str:
    return current_app.config["PRIVACY_NOTICE_VERSION"]


def notice() -> dict:
    return {"version": current_version(), "title": NOTICE_TITLE, "url": current_app.config.get("PRIVACY_NOTICE_URL")}


def consent_required(user) -> bool:
    """Residents must have accepted the current notice; staff accounts are the organisation's, not asked."""
    if user.has_role("staff", "admin"):
        return False
    return user.privacy_version != current_version()


@write_use_case
def accept_notice(user, version: str):
    """Records that the user accepted this version; only the current one can be accepted."""
    if version != current_version():
        raise Conflict(
            "隐私保护指引已更新，请阅读最新版本后再同意",
            code="privacy_version_outdated",
            details={"version": [f"当前版本为 {current_version()}"]},
        )
    if user.privacy_version != version:
        user.privacy_version, user.privacy_accepted_at = version, utcnow()
    return user
