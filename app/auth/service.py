"""Login use cases and user administration."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import current_app
from flask_jwt_extended import create_access_token
from sqlalchemy import select

from app.auth import lockout
from app.auth.consent import accept_notice, consent_required, notice
from app.auth.models import User
from app.circles.models import Circle
from app.common.errors import AppError, ValidationFailed
from app.common.extensions import db
from app.common.models import utcnow
from app.common.tx import write_use_case
from app.wechat import client as wechat

_hasher = PasswordHasher()


def _issue_token(user: User) -> str:
    return create_access_token(identity=str(user.id), additional_claims={"roles": user.roles})


def _token_response(user: User) -> dict:
    return {
        "access_token": _issue_token(user),
        "token_type": "Bearer",
        "expires_in": current_app.config["JWT_ACCESS_TOKEN_EXPIRES"],
        "user": user,
        # True: show the privacy notice and record the answer (POST /me/privacy-consent) before going on.
        "consent_required": consent_required(user),
        "privacy_notice": notice(),
    }


def login_with_wechat(code: str, privacy_version: str | None = None) -> dict:
    """Exchanges a wx.login code for our token; the session_key is dropped, never stored or returned.

    `privacy_version`: the notice version the resident accepted on the login screen, recorded with the login.
    """
    return _token_response(_wechat_user(code, privacy_version))


@write_use_case
def _wechat_user(code: str, privacy_version: str | None) -> User:
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
    if privacy_version is not None:
        accept_notice(user, privacy_version)
    return user


def login_with_password(username: str, password: str) -> dict:
    """Bearer-token login for API clients (the mini-program's staff corner)."""
    return _token_response(check_password(username, password))


@write_use_case
def check_password(username: str, password: str) -> User:
    """The account behind a username and password, or the reason why not (wrong, locked, disabled)."""
    lockout.check_not_locked(username)
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
        left = lockout.record_failure(username)
        if left == 0:
            lockout.check_not_locked(username)  # this failure locked it: say so now
        hint = f"，再错 {left} 次账号将锁定 15 分钟" if left <= 2 else ""
        raise AppError(f"用户名或密码错误{hint}", code="invalid_credentials", status=401, details={"tries_left": left})
    if user.disabled:
        raise AppError("账号已停用，请联系管理员", code="account_disabled", status=403)
    lockout.clear(username)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def console_session(user: User) -> tuple[dict, str]:
    """What the console's sign-in answers (no token in the body) and the token to put in its cookie."""
    return {"expires_in": current_app.config["JWT_ACCESS_TOKEN_EXPIRES"], "user": user}, _issue_token(user)


def create_user(username: str, password: str, role: str, circle_ids=(), display_name=None, city_ids=()) -> User:
    """Creates an account from the command line (`flask users create`): the operator may create any role."""
    from app.auth.accounts import create_account

    return create_account(None, username, password, role, circle_ids, city_ids, display_name)


@write_use_case
def set_home_circle(user: User, circle_id: int | None) -> User:
    if circle_id is not None and db.session.get(Circle, circle_id) is None:
        raise ValidationFailed(details={"circle_id": ["生活圈不存在"]})
    move_home(user, circle_id)
    return user


def move_home(user: User, circle_id: int | None):
    """The resident lives somewhere else now: a staff confirmation of the old circle no longer holds (surveys
    count answers by the home circle: app/surveys/home.py)."""
    if user.home_circle_id != circle_id:
        user.home_circle_id = circle_id
        user.home_confirmed_by = user.home_confirmed_at = None
