"""getuserphonenumber: trade the code from a getPhoneNumber button for a phone.

The number is derived from the code so tests can predict it: a code that
contains an 11-digit mobile number (``phone-13912345678``) yields exactly that
number, any other code a stable 138xxxxxxxx; code ``invalid`` -> 40029.
"""

import hashlib
import re

from flask import Blueprint, g

from . import errors as E
from .auth import consume_code, json_body, require_token
from .state import get_state

bp = Blueprint("wechat_phone", __name__)

_MOBILE = re.compile(r"1\d{10}")


def phone_for_code(code):
    match = _MOBILE.search(code)
    if match:
        return match.group()
    digits = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 10**8
    return f"138{digits:08d}"


@bp.post("/wxa/business/getuserphonenumber")
@require_token
def get_user_phone_number():
    body = json_body()
    code = (body or {}).get("code")
    if not code:
        return E.error(E.DATA_FORMAT_ERROR)
    if code == "invalid":
        return E.error(E.INVALID_CODE)
    state = get_state()
    if not consume_code(state, "phone", code):
        return E.error(E.CODE_BEEN_USED)
    phone = phone_for_code(code)
    return E.ok(
        phone_info={
            "phoneNumber": phone,  # mainland numbers come without the +86
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"timestamp": int(state.now()), "appid": g.token.appid},
        }
    )
