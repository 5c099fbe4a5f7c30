"""Content safety for residents' text: WeChat msg_sec_check v2 decides publish, hold or reject."""

import logging

from redis.exceptions import RedisError

from app.common.errors import AppError, ValidationFailed
from app.wechat import client as wechat

log = logging.getLogger(__name__)


def check_text(text: str, openid: str, field: str = "text") -> tuple[str, str | None]:
    """→ ("visible", None) or ("held", label). A risky verdict is refused with 422 content_rejected.

    When WeChat (or the Redis holding its token) is unavailable the text is held for staff to read
    rather than refused: the resident's need is not lost and nothing unchecked is published.
    """
    try:
        verdict = wechat.msg_sec_check(text, openid)
    except (AppError, RedisError) as error:
        log.warning("msg_sec_check unavailable (%s): holding for review", error)
        return "held", "check_unavailable"
    if verdict["suggest"] == "risky":
        raise ValidationFailed(
            "内容含有违规信息，请修改后再提交",
            code="content_rejected",
            details={field: ["内容未通过安全检测"]},
        )
    if verdict["suggest"] == "review":
        return "held", f"review:{verdict.get('label')}"
    return "visible", None
