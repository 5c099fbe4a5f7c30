"""The account itself: exported in full (the resident's own phone unmasked); emptied on 注销.

The row stays as a tombstone (deleted_at set, every identifier NULL, a database constraint checks it) so
content that stays points at "已注销用户" and tokens issued before stop working (app/auth/jwt.py). Logging
in again with the same WeChat account creates a new, unrelated account.
"""

from app.common.extensions import db


def export(user) -> dict:
    return {
        "account": {
            "id": user.id,
            "roles": list(user.roles),
            "openid": user.openid,
            "unionid": user.unionid,
            "username": user.username,
            "display_name": user.display_name,
            "phone": user.phone,
            "phone_consented_at": user.phone_consented_at,
            "home_circle_id": user.home_circle_id,
            "privacy_version": user.privacy_version,
            "privacy_accepted_at": user.privacy_accepted_at,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
        }
    }


def erase(erasure) -> None:
    user = erasure.user
    user.circles = []  # loading the relationship flushes: before the row is half emptied
    user.deleted_at = erasure.at
    for column in ("openid", "unionid", "username", "password_hash", "display_name", "phone", "phone_consented_at"):
        setattr(user, column, None)
    # The home circle is where they live; without it they no longer count as the circle's platform users.
    user.home_circle_id = None
    user.last_login_at = user.privacy_version = user.privacy_accepted_at = None
    user.roles = ["resident"]
    user.disabled = True
    db.session.flush()
    erasure.count("account_emptied", 1)
