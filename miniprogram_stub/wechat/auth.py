"""Login (jscode2session), stable access_token, and the access_token check.

Magic values let tests reach each error without a real WeChat account:
login code ``invalid`` -> 40029, ``busy`` -> -1, a code containing ``union``
also gets a unionid; secret ``bad-secret`` -> 40125 on both endpoints.
"""

import base64
import functools
import secrets

from flask import Blueprint, g, jsonify, request

from . import errors as E
from .state import Token, get_state

bp = Blueprint("wechat_auth", __name__)

BAD_SECRET = "bad-secret"
# Real wx.login codes are 32 characters; WeChat knows no longer one (40029). Keeps stub openids within 64.
MAX_CODE_LENGTH = 40
# The real stable_token ignores a second force_refresh within 30 s.
FORCE_REFRESH_MIN_INTERVAL = 30
# In normal mode the real platform hands out a new token during the last
# 5 minutes of the old one's life; both work until the old one expires.
ROTATE_BEFORE_EXPIRY = 300


def json_body():
    """The POST body as a dict, or None; WeChat ignores the Content-Type."""
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else None


def consume_code(state, kind, code):
    """False when single-use codes are on and this code was seen before."""
    with state.lock:
        if not state.config["single_use_codes"]:
            return True
        if (kind, code) in state.used_codes:
            return False
        state.used_codes.add((kind, code))
        return True


@bp.get("/sns/jscode2session")
def jscode2session():
    args = request.args
    code = args.get("js_code", "")
    if args.get("secret") == BAD_SECRET:
        return E.error(E.INVALID_APPSECRET)
    if not code:
        return E.error(E.CODE_MISSING)
    if code == "busy":
        return E.error(E.SYSTEM_ERROR)
    if code == "invalid":
        return E.error(E.INVALID_CODE)
    if len(code) > MAX_CODE_LENGTH:
        return E.error(E.INVALID_CODE)
    if not consume_code(get_state(), "login", code):
        return E.error(E.CODE_BEEN_USED)
    # A real session_key is a base64 16-byte AES key; keep that so apps can
    # decrypt-test with it. Success bodies carry no errcode, as in the real API.
    body = {
        "openid": f"{get_state().config['openid_prefix']}{code}",
        "session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
    }
    if "union" in code:
        body["unionid"] = f"stub-unionid-{code}"
    return jsonify(body)


@bp.post("/cgi-bin/stable_token")
def stable_token():
    body = json_body()
    if body is None:
        return E.error(E.DATA_FORMAT_ERROR)
    if body.get("grant_type") != "client_credential":
        return E.error(E.INVALID_GRANT_TYPE)
    if not body.get("appid"):
        return E.error(E.APPID_MISSING)
    if not body.get("secret"):
        return E.error(E.APPSECRET_MISSING)
    if body["secret"] == BAD_SECRET:
        return E.error(E.INVALID_APPSECRET)
    state = get_state()
    with state.lock:
        token = _stable_token_for(state, body["appid"], bool(body.get("force_refresh")))
        expires_in = max(round(token.expires_at - state.now()), 0)
    return jsonify({"access_token": token.value, "expires_in": expires_in})


def _stable_token_for(state, appid, force):
    now = state.now()
    current = state.current_token.get(appid)
    usable = current is not None and current.status(now) is None
    if force:
        last = state.last_force_refresh.get(appid)
        if usable and last is not None and now - last < FORCE_REFRESH_MIN_INTERVAL:
            return current
        state.last_force_refresh[appid] = now
        if current is not None:
            current.revoked_at = now + state.config["force_refresh_grace"]
        return _issue(state, appid, now)
    ttl = state.config["token_ttl"]
    # Halved for tiny test TTLs so a fresh token is not rotated immediately.
    rotate_before = min(ROTATE_BEFORE_EXPIRY, ttl / 2)
    if usable and current.expires_at - now > rotate_before:
        return current
    return _issue(state, appid, now)


def _issue(state, appid, now):
    token = Token(
        value=f"STUB_{secrets.token_urlsafe(32)}",
        appid=appid,
        expires_at=now + state.config["token_ttl"],
    )
    state.tokens[token.value] = token
    state.current_token[appid] = token
    state.tokens_issued += 1
    return token


def require_token(view):
    """Reject calls without a live ``?access_token=``; sets ``g.token``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        value = request.args.get("access_token")
        if not value:
            return E.error(E.ACCESS_TOKEN_MISSING)
        state = get_state()
        with state.lock:
            token = state.tokens.get(value)
            problem = E.INVALID_CREDENTIAL if token is None else token.status(state.now())
        if problem:
            return E.error(problem)
        g.token = token
        return view(*args, **kwargs)

    return wrapper
