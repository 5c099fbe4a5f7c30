"""Checking what a merchant submits and turning it into the stored payload (WGS-84, normalised).

Validation finishes before anything is changed, so a refused submission leaves nothing behind.
"""

from app.common.errors import ValidationFailed
from app.merchants import fields
from app.outlets.service import checked_types_and_hours
from app.repair import service as repair
from app.uploads.service import claim_uploads
from app.wechat import client as wechat


def phone_from_code(code: str) -> str:
    try:
        return wechat.user_phone_number(code)
    except wechat.WechatError as error:
        raise ValidationFailed(
            "手机号授权无效，请重新授权",
            code="invalid_phone_code",
            details={"phone_code": ["手机号授权码无效或已使用"]},
        ) from error


def prepare(user, data: dict) -> tuple[dict, list]:
    """Checked payload for the fields present in `data` (WGS-84 lng/lat), and the uploads it claims."""
    payload = {key: data[key] for key in fields.SENT_AS_GIVEN if key in data}
    uploads = []
    if "lng" in data:
        payload["lng"], payload["lat"] = data["lng"], data["lat"]
    payload = checked_types_and_hours(payload)
    if data.get("phone_code"):
        payload["phone"] = phone_from_code(data["phone_code"])
    if "online_platforms" in payload:
        payload["online"] = bool(payload["online_platforms"])
    if "photo_ids" in data:
        photos = claim_uploads(user, data["photo_ids"], "outlet_photo")
        payload["photo_ids"] = [u.id for u in photos]
        uploads += photos
    if "certification" in data:
        certification = dict(data["certification"])
        if certification.get("licence_upload_id") is not None:
            uploads += claim_uploads(user, [certification["licence_upload_id"]], "certification", field="certification")
        payload["certification"] = certification
    if "repair_services" in data:
        payload["repair_services"] = repair.check_offers(data["repair_services"])
    if "schedule" in data:
        payload["schedule"] = repair.check_schedule(data["schedule"])
    if data.get("service_area") is not None:
        payload["service_area"] = repair.check_service_area(data["service_area"])
    return payload, uploads


def check_complete(state: dict) -> None:
    """Rules across fields, on the outlet as it will be (current values overlaid with the submission)."""
    errors = {}
    if state.get("mobile") and state.get("on_site_service"):
        errors["on_site_service"] = ["流动摊点与上门服务请分别登记"]
    if state.get("mobile") and not state.get("schedule"):
        errors["schedule"] = ["流动摊点需登记出摊地点和时段"]
    if state.get("on_site_service") and not state.get("service_area"):
        errors["service_area"] = ["上门服务需登记服务范围（生活圈或半径）"]
    if "repair" in (state.get("types") or []) and not state.get("repair_services"):
        errors["repair_services"] = ["小修小补点需列出服务项目和价格（明码标价）"]
    if errors:
        raise ValidationFailed(details=errors)


def split(payload: dict) -> tuple[dict, dict]:
    """(fields that publish at once, fields that need review)."""
    reviewed = {k: v for k, v in payload.items() if k in fields.REVIEWED}
    immediate = {k: v for k, v in payload.items() if k not in fields.REVIEWED}
    return immediate, reviewed
