"""Content safety for ratings and survey comments: the shared policy (app/wechat/moderation.py)."""

from app.wechat.moderation import PASS, REVIEW, UNAVAILABLE, screen_text

__all__ = ["PASS", "REVIEW", "UNAVAILABLE", "check_text"]


def check_text(text: str | None, openid: str | None, field: str = "text") -> str:
    """pass / review / unavailable for text that may be published; raises 422 content_rejected when risky."""
    if not text or not text.strip():
        return PASS
    if not openid:  # msgSecCheck v2 needs the author's openid; without it a person decides
        return REVIEW
    return screen_text(text, openid, field).outcome
