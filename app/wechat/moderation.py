"""The one content-safety policy for residents' text (WeChat msgSecCheck v2), used by every domain as it is.

"risky" refuses the text (422 content_rejected); "review" keeps it for staff; when WeChat, or the Redis
holding its token, is unavailable the text is also kept for staff — never lost, never published unchecked.
Empty text passes; text without its author's openid (msgSecCheck v2 needs one: staff-created accounts) is
for a person to decide ("review").
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

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    @property
    def hold_reason(self) -> str | None:
        """Why the text waits for staff (None when it passed): `check_unavailable` or `review:<label>`."""
        if self.outcome == PASS:
            return None
        return "check_unavailable" if self.outcome == UNAVAILABLE else f"review:{self.label}"


def screen_text(text: str | None, openid: str | None, field: str = "text") -> Screening:
    if not text or not text.strip():
        return Screening(PASS)
    if not openid:
        return Screening(REVIEW)
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
