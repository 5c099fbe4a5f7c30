"""subscribeMessage.send: accepts, validates and records subscription messages.

touser containing ``unsubscribed`` -> 43101 (the user did not tap "allow"),
touser ``invalid`` -> 40003, template_id ``invalid`` -> 40037. The ``data``
values are checked against the real per-type length limits, the most common
cause of 47003 in production.
"""

import re

from flask import Blueprint, g

from . import errors as E
from .auth import json_body, require_token
from .state import get_state

bp = Blueprint("wechat_subscribe", __name__)

# Maximum characters per template keyword type (prefix of the key, e.g. thing3).
VALUE_LIMITS = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phrase": 5,
    "name": 10,
    "phone_number": 17,
    "car_number": 8,
}
MINIPROGRAM_STATES = {"developer", "trial", "formal"}
_KEY = re.compile(r"([a-z_]+?)\d+$")


def _data_problem(data):
    """The 47003 errmsg for bad template data, or None when it is fine."""
    if not isinstance(data, dict) or not data:
        return "argument invalid! data is empty"
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        if value is None or str(value) == "":
            return f"argument invalid! data.{key}.value is empty"
        match = _KEY.match(key)
        limit = VALUE_LIMITS.get(match.group(1)) if match else None
        if limit and len(str(value)) > limit:
            return f"argument invalid! data.{key}.value invalid"
    return None


@bp.post("/cgi-bin/message/subscribe/send")
@require_token
def send():
    body = json_body()
    if body is None:
        return E.error(E.DATA_FORMAT_ERROR)
    for field in ("touser", "template_id"):
        if not body.get(field):
            return E.error(E.ARGUMENT_INVALID, f"argument invalid! {field} is empty")
    state = get_state()
    record = {**body, "appid": g.token.appid, "received_at": int(state.now())}
    problem = _reject_reason(body)
    if problem:
        with state.lock:
            state.rejected.append({**record, "errcode": problem[0]})
        return E.error(*problem)
    msgid = state.next_msgid()
    with state.lock:
        state.sent.append({**record, "msgid": msgid})
    return E.ok(msgid=msgid)


def _reject_reason(body):
    if body["touser"] == "invalid":
        return (E.INVALID_OPENID, None)
    if body["template_id"] == "invalid":
        return (E.INVALID_TEMPLATE_ID, None)
    state = body.get("miniprogram_state")
    if state is not None and state not in MINIPROGRAM_STATES:
        return (E.ARGUMENT_INVALID, "argument invalid! miniprogram_state invalid")
    message = _data_problem(body.get("data"))
    if message:
        return (E.ARGUMENT_INVALID, message)
    if "unsubscribed" in body["touser"]:
        return (E.USER_REFUSED, None)
    return None
