"""Content safety for needs: the shared policy (app/wechat/moderation.py) as publish or hold."""

from app.wechat.moderation import PASS, UNAVAILABLE, screen_text


def check_text(text: str, openid: str, field: str = "text") -> tuple[str, str | None]:
    """→ ("visible", None) or ("held", reason). A risky verdict is refused with 422 content_rejected."""
    screening = screen_text(text, openid, field)
    if screening.outcome == PASS:
        return "visible", None
    if screening.outcome == UNAVAILABLE:
        return "held", "check_unavailable"
    return "held", f"review:{screening.label}"
