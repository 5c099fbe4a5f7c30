"""The one content-safety policy for residents' text (WeChat msgSecCheck v2).

"risky" refuses the text (422 content_rejected); "review" keeps it for staff; when WeChat, or the Redis
holding its token, is unavailable the text is also kept for staff — never lost, never published unchecked.
"""

import logging
from dataclasses import dataclass

from redis.exceptions import RedisError

from app.common import metrics
from app.common.errors import AppError, ValidationFailed
from app.wechat import client as wechat

log = logging.getLogger(__name__)

PASS, REVIEW, UNAVAILABLE = "pass", "review", "unavailable"


@dataclass(frozen=True)
class Screening:
    outcome: str  # pass | review | unavailable
    label: int | None = None


def screen_text(text: str, openid: str, field: str = "text") -> Screening:
    try:
        verdict = wechat.msg_sec_check(text, openid)
    except (AppError, RedisError) as error:
        log.warning("msg_sec_check unavailable (%s): keeping the text for staff", error)
        metrics.content_check(UNAVAILABLE)
        return Screening(UNAVAILABLE)
    metrics.content_check(verdict["suggest"])
    if verdict["suggest"] == "risky":
        raise ValidationFailed(
            "内容含有违规信息，请修改后再提交", code="content_rejected", details={field: ["内容未通过安全检测"]}
        )
    return Screening(PASS if verdict["suggest"] == "pass" else REVIEW, verdict.get("label"))
