"""Content safety for residents' text (WeChat msgSecCheck v2), shared by ratings and survey comments.

A "risky" verdict refuses the text; "review" or an unreachable WeChat keeps it for staff
instead of publishing it (or losing it).
"""

import logging

from app.common.errors import AppError, ValidationFailed
from app.wechat import client as wechat

log = logging.getLogger(__name__)

PASS, REVIEW, UNAVAILABLE = "pass", "review", "unavailable"


def check_text(text: str | None, openid: str | None, field: str = "text") -> str:
    """pass / review / unavailable for text that may be published; raises 422 content_rejected when risky."""
    if not text or not text.strip():
        return PASS
    if not openid:  # msgSecCheck v2 needs the author's openid; without it a person decides
        return REVIEW
    try:
        suggest = wechat.msg_sec_check(text, openid)["suggest"]
    except AppError as error:  # WeChat down or refusing: keep the text for staff, do not lose it
        log.warning("msg_sec_check unavailable: %s", error.code)
        return UNAVAILABLE
    if suggest == "risky":
        raise ValidationFailed(
            "内容含有违规信息，请修改后再提交", code="content_rejected", details={field: ["内容未通过安全检测"]}
        )
    return PASS if suggest == "pass" else REVIEW
