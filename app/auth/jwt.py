"""flask-jwt-extended wiring: who the token names, and the contract's envelope for token errors."""

from app.common.errors import envelope
from app.extensions import db, jwt


def init_jwt_callbacks():
    from app.auth.models import User

    @jwt.user_lookup_loader
    def _load_user(_header, payload):
        user = db.session.get(User, int(payload["sub"]))
        # A deleted account (注销) keeps its row as a tombstone: tokens issued before stop working here.
        return None if user is None or user.disabled or user.deleted_at is not None else user

    @jwt.user_lookup_error_loader
    def _unknown_user(_header, _payload):
        return envelope("invalid_token", "登录已失效，请重新登录", {}, 401)

    @jwt.unauthorized_loader
    def _missing(reason):
        # Also called for a cookie-authenticated write without the double-submit token (CSRFError).
        if "CSRF" in reason:
            return envelope("csrf_failed", "页面已过期或来源不明，请刷新后重试", {}, 403)
        return envelope("unauthorized", "请先登录", {}, 401)

    @jwt.invalid_token_loader
    def _invalid(reason):
        return envelope("invalid_token", "登录凭证无效，请重新登录", {}, 401)

    @jwt.expired_token_loader
    def _expired(_header, _payload):
        return envelope("token_expired", "登录已过期，请重新登录", {}, 401)

    @jwt.revoked_token_loader
    def _revoked(_header, _payload):
        return envelope("token_revoked", "登录已失效，请重新登录", {}, 401)
