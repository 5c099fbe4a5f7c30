"""Use cases: the privacy notice and its acceptance, the phone number with consent, export, account deletion."""

import logging
from datetime import UTC, date, datetime

from flask import current_app

from app.common import personal_data
from app.common.errors import AppError, Conflict, Forbidden
from app.common.models import utcnow
from app.common.tx import atomic, write_use_case
from app.merchants.payload import phone_from_code

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
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


@write_use_case
def set_phone(user, phone_code: str):
    """Stores the number WeChat's phone button released: the tap on that button is the resident's consent."""
    user.phone = phone_from_code(phone_code)
    user.phone_consented_at = utcnow()
    return user


@write_use_case
def withdraw_phone(user):
    user.phone = user.phone_consented_at = None
    return user


def export(user) -> dict:
    """Everything the platform holds about the user, by domain, as JSON (coordinates WGS-84)."""
    records = {}
    for module in personal_data.hooks():
        records.update(module.export(user))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(),
        "privacy_notice_version": current_version(),
        "records": _jsonable(records),
    }


def _jsonable(value):
    """ISO 8601 for dates (Flask's own encoder would write HTTP dates), recursively."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def delete_account(user, remove_content: bool = False) -> dict:
    """注销: erases or anonymises the user's data in one transaction, then deletes their private files.

    Runs at once (no grace period): when the answer arrives the account is empty and its tokens are refused.
    """
    if user.deleted_at is not None:
        raise AppError("账号已注销", code="account_deleted", status=410)
    if user.has_role("staff", "admin"):
        raise Forbidden("工作人员账号由管理员停用，不能自行注销", code="staff_account")
    erasure = personal_data.Erasure(user=user, remove_content=remove_content, at=utcnow())
    with atomic():
        for module in personal_data.hooks():
            module.erase(erasure)
    from app.uploads.service import delete_unreferenced_files

    erasure.count("stored_files_deleted", delete_unreferenced_files(erasure.files))
    log.info("account %s deleted (%s)", user.id, erasure.counts)
    return {"deleted_at": erasure.at, "remove_content": remove_content, "counts": erasure.counts}
