"""Use cases: the phone number with consent, export, account deletion (the privacy notice and its acceptance:
app/auth/consent.py, where login reads it too)."""

import logging
from datetime import UTC, date, datetime

from app.auth.consent import current_version
from app.common import personal_data
from app.common.errors import AppError, Forbidden
from app.common.models import utcnow
from app.common.tx import atomic, write_use_case
from app.merchants.payload import phone_from_code

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1


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
