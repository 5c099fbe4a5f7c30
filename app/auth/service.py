"""Login use cases and user administration."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import current_app
from flask_jwt_extended import create_access_token
from sqlalchemy import select

from app.auth.models import User
from app.circles.models import Circle
from app.common.errors import AppError, ValidationFailed
from app.common.models import utcnow
from app.extensions import db
from app.wechat import client as wechat

_hasher = PasswordHasher()


def _token_response(user: User) -> dict:
    token = create_access_token(identity=str(user.id), additional_claims={"roles": user.roles})
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": current_app.config["JWT_ACCESS_TOKEN_EXPIRES"],
        "user": user,
    }


def login_with_wechat(code: str) -> dict:
    """Exchanges a wx.login code for our token; the session_key is dropped, never stored or returned."""
    session = wechat.code2session(code)
    openid = session["openid"]
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is None:
        user = User(openid=openid, roles=["resident"])
        db.session.add(user)
    if session.get("unionid"):
        user.unionid = session["unionid"]
    if user.disabled:
        raise AppError("账号已停用", code="account_disabled", status=403)
    user.last_login_at = utcnow()
    db.session.commit()
    return _token_response(user)


def login_with_password(username: str, password: str) -> dict:
    user = db.session.scalar(select(User).where(User.username == username))
    valid = False
    if user is not None and user.password_hash:
        try:
            valid = _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            valid = False
    else:
        _hasher.hash(password)  # same cost for unknown users, so timing does not reveal usernames
    if not valid:
        raise AppError("用户名或密码错误", code="invalid_credentials", status=401)
    if user.disabled:
        raise AppError("账号已停用", code="account_disabled", status=403)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return _token_response(user)


def create_user(username: str, password: str, role: str, circle_ids=(), display_name=None, city_ids=()) -> User:
    """Creates an account from the command line (`flask users create`): the operator may create any role."""
    from app.auth.accounts import create_account

    return create_account(None, username, password, role, circle_ids, city_ids, display_name)


def set_home_circle(user: User, circle_id: int | None) -> User:
    if circle_id is not None and db.session.get(Circle, circle_id) is None:
        raise ValidationFailed(details={"circle_id": ["生活圈不存在"]})
    from app.surveys.home import move_home  # surveys build on accounts, not the reverse

    move_home(user, circle_id)
    db.session.commit()
    return user
