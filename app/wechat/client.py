"""Calls to the WeChat server API at WECHAT_API_BASE (the real host, or the local stub in tests)."""

import requests
from flask import current_app

from app.common.errors import AppError, UpstreamError
from app.common.redis import Keys, get_redis

INVALID_CODE = {40029, 40163, 41008}  # invalid, already used, missing code


class WechatError(AppError):
    status, code, message = 502, "wechat_error", "微信服务返回错误"

    def __init__(self, errcode, errmsg, **kwargs):
        super().__init__(kwargs.pop("message", None), details={"errcode": errcode, "errmsg": errmsg}, **kwargs)
        self.errcode = errcode


def _call(method, path, **kwargs):
    config = current_app.config
    try:
        response = requests.request(
            method, config["WECHAT_API_BASE"].rstrip("/") + path, timeout=config["WECHAT_TIMEOUT_S"], **kwargs
        )
        response.raise_for_status()
        payload = response.json()
    except (requests.RequestException, ValueError) as error:
        raise UpstreamError("微信服务暂时不可用，请稍后再试", code="wechat_unavailable") from error
    if payload.get("errcode"):
        raise WechatError(payload["errcode"], payload.get("errmsg", ""))
    return payload


def code2session(code: str) -> dict:
    """wx.login code → {openid, session_key, unionid?}."""
    config = current_app.config
    try:
        return _call(
            "GET",
            "/sns/jscode2session",
            params={
                "appid": config["WECHAT_APPID"],
                "secret": config["WECHAT_SECRET"],
                "js_code": code,
                "grant_type": "authorization_code",
            },
        )
    except WechatError as error:
        if error.errcode in INVALID_CODE:
            raise AppError(
                "登录凭证无效或已过期，请重新登录", code="invalid_login_code", status=401, details=error.details
            ) from None
        raise


def access_token(force_refresh: bool = False) -> str:
    """The server-API token from stable_token, cached in Redis and shared by every worker.

    Each worker asking WeChat for its own token would invalidate the others' (the old token
    lives only minutes after a refresh), so one cached copy serves them all.
    """
    redis = get_redis()
    key, _ = Keys.wechat_access_token()
    if not force_refresh:
        token = redis.get(key)
        if token:
            return token
    config = current_app.config
    payload = _call(
        "POST",
        "/cgi-bin/stable_token",
        json={
            "grant_type": "client_credential",
            "appid": config["WECHAT_APPID"],
            "secret": config["WECHAT_SECRET"],
            "force_refresh": force_refresh,
        },
    )
    # Refresh a few minutes early so no worker uses a token in its last moments.
    redis.set(key, payload["access_token"], ex=max(60, int(payload.get("expires_in", 7200)) - 300))
    return payload["access_token"]
