"""Calls to the WeChat server API at WECHAT_API_BASE (the real host, or the local stub in tests)."""

import logging
import os
import re
import threading
import time
from urllib.parse import urlencode

import orjson
import requests
import urllib3
from flask import current_app
from redis.exceptions import RedisError

from app.common import fastjson, metrics
from app.common.errors import AppError, UpstreamError
from app.common.redis import Keys, get_redis

log = logging.getLogger(__name__)

INVALID_CODE = {40029, 40163, 41008}  # invalid, already used, missing code


class WechatError(AppError):
    status, code, message = 502, "wechat_error", "微信服务返回错误"

    def __init__(self, errcode, errmsg, **kwargs):
        super().__init__(kwargs.pop("message", None), details={"errcode": errcode, "errmsg": errmsg}, **kwargs)
        self.errcode = errcode


_sessions = threading.local()


def _http(base: str) -> requests.Session:
    """This thread's HTTP session for `base`: its kept-alive connections spare each call a new TCP (and TLS)
    handshake and requests' per-call session set-up (a content check is on every submission's path).

    What requests would read from the environment on every call (proxies for this host and NO_PROXY, the CA
    bundle) is read once, when the session is made: scanning the environment took a third of a call's CPU."""
    session = getattr(_sessions, "session", None)
    if session is None or _sessions.base != base:
        if session is not None:
            session.close()
        session = requests.Session()
        session.proxies = requests.utils.get_environ_proxies(base)
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.trust_env = False
        _sessions.session, _sessions.base = session, base
    return session


def _call(method, path, **kwargs):
    config = current_app.config
    base = config["WECHAT_API_BASE"].rstrip("/")
    try:
        response = _http(base).request(method, base + path, timeout=config["WECHAT_TIMEOUT_S"], **kwargs)
        response.raise_for_status()
        payload = response.json()
    except (requests.RequestException, ValueError) as error:
        raise UpstreamError("微信服务暂时不可用，请稍后再试", code="wechat_unavailable") from error
    return _answered(payload)


def _answered(payload) -> dict:
    """WeChat's JSON answer, or its error code raised."""
    if not isinstance(payload, dict):
        raise UpstreamError("微信服务暂时不可用，请稍后再试", code="wechat_unavailable")
    if payload.get("errcode"):
        raise WechatError(payload["errcode"], payload.get("errmsg", ""))
    return payload


# The content check (every need, rating and comment calls it) goes through urllib3 directly: requests' per-call
# layers (preparing the request, its hooks, cookies, adapters, the response object) cost more CPU than the call
# itself (~1 ms of a need submission's ~12). One pool manager per base URL, shared by the process's threads
# (urllib3's pools are thread-safe), with the settings requests took from the environment (proxy for this host,
# NO_PROXY, the CA bundle) read once. The other calls keep requests: the notification worker's retry rules read
# requests' exception types (app/notifications/service.py).
_pools: dict[str, urllib3.PoolManager] = {}
_pools_lock = threading.Lock()
_JSON_HEADERS = {"Content-Type": "application/json"}


def _pool(base: str) -> urllib3.PoolManager:
    pool = _pools.get(base)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(base)
            if pool is None:
                proxies = requests.utils.get_environ_proxies(base)
                proxy = proxies.get(base.split(":", 1)[0]) or proxies.get("all")
                ca_certs = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                options = {"maxsize": 16, "retries": False, "cert_reqs": "CERT_REQUIRED", "ca_certs": ca_certs}
                if ca_certs is None:
                    options["ca_certs"] = requests.certs.where()
                pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
                _pools[base] = pool
    return pool


def _post_json(path: str, params: dict, body: dict) -> dict:
    """POST `body` as JSON by urllib3: the same answers and errors as `_call("POST", path, params=…, json=…)`."""
    config = current_app.config
    base = config["WECHAT_API_BASE"].rstrip("/")
    timeout = config["WECHAT_TIMEOUT_S"]
    try:
        response = _pool(base).request(
            "POST",
            f"{base}{path}?{urlencode(params)}",
            body=orjson.dumps(body),
            headers=_JSON_HEADERS,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
        )
        if response.status >= 400:
            raise ValueError(f"HTTP {response.status}")
        payload = fastjson.loads(response.data)
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
        raise UpstreamError("微信服务暂时不可用，请稍后再试", code="wechat_unavailable") from error
    return _answered(payload)


# What we store from code2Session must fit its columns (users.openid/unionid are varchar(64)); real ones are 28-29
# visible ASCII characters. Anything else is a broken upstream, not a resident: 502, nothing stored.
_WECHAT_ID = re.compile(r"[\x21-\x7e]{1,64}")


def _checked_session(session: dict) -> dict:
    for key, required in (("openid", True), ("unionid", False)):
        value = session.get(key)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not _WECHAT_ID.fullmatch(value):
            raise UpstreamError(
                "微信登录服务返回的数据无效，请稍后再试", code="wechat_bad_response", details={"field": key}
            )
    return session


def code2session(code: str) -> dict:
    """wx.login code → {openid, session_key, unionid?}, with openid and unionid checked (see _checked_session)."""
    config = current_app.config
    try:
        return _checked_session(
            _call(
                "GET",
                "/sns/jscode2session",
                params={
                    "appid": config["WECHAT_APPID"],
                    "secret": config["WECHAT_SECRET"],
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
            )
        )
    except WechatError as error:
        if error.errcode in INVALID_CODE:
            raise AppError(
                "登录凭证无效或已过期，请重新登录", code="invalid_login_code", status=401, details=error.details
            ) from None
        raise


class _LocalToken:
    """This process's copy of the token: the one it fetched (used while Redis is unreachable), or the one it
    last read from Redis, for LOCAL_COPY_S (every content check read it from Redis: a round trip per need).

    stable_token in normal mode hands every caller the same token while it is valid, so workers that
    each fetch it during an outage do not invalidate one another. A copy WeChat no longer accepts (another
    worker's refresh replaced it) is dropped on the rejection and read again (`_fresh_token_after_rejection`).
    """

    def __init__(self):
        self.value, self.expires_at, self.lock = None, 0.0, threading.Lock()

    def get(self):
        return self.value if self.value and time.monotonic() < self.expires_at else None

    def set(self, value, ttl_s):
        with self.lock:
            self.value, self.expires_at = value, time.monotonic() + ttl_s

    def clear(self):
        with self.lock:
            self.value, self.expires_at = None, 0.0


_local_token = _LocalToken()


# A token read from Redis has at least the 300 s margin `access_token` keeps before WeChat expires it.
LOCAL_COPY_S = 60


def _cached_token():
    token = _local_token.get()
    if token:
        return token
    key, _ = Keys.wechat_access_token()
    try:
        token = get_redis().get(key) or None
    except RedisError as error:
        log.warning("WeChat token cache unavailable (%s); using this process's copy", error)
        metrics.redis_fallback("wechat_token")
        return None  # this process's copy, had it one, was returned above
    if token:
        _local_token.set(token, LOCAL_COPY_S)
    return token


def access_token(force_refresh: bool = False) -> str:
    """The server-API token from stable_token, cached in Redis and shared by every worker.

    Each worker asking WeChat for its own token would invalidate the others' (the old token
    lives only minutes after a refresh), so one cached copy serves them all. Without Redis each
    process keeps its own copy (normal-mode stable_token returns the same token to all of them).
    """
    if not force_refresh:
        token = _cached_token()
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
    ttl_s = max(60, int(payload.get("expires_in", 7200)) - 300)
    _local_token.set(payload["access_token"], ttl_s)
    key, _ = Keys.wechat_access_token()
    try:
        get_redis().set(key, payload["access_token"], ex=ttl_s)
    except RedisError as error:
        log.warning("WeChat token not shared through Redis (%s)", error)
        metrics.redis_fallback("wechat_token")
    return payload["access_token"]


TOKEN_REJECTED = {40001, 42001, 40014}  # invalid, expired, or replaced by another refresh


def _requests_post(path: str, params: dict, body: dict) -> dict:
    return _call("POST", path, params=params, json=body)


def _call_with_token(path: str, body: dict, post=_requests_post) -> dict:
    """POST to a server API with the shared access token, re-reading it once if WeChat rejects it."""
    for attempt in range(2):
        token = access_token(force_refresh=False) if attempt == 0 else _fresh_token_after_rejection()
        try:
            return post(path, {"access_token": token}, body)
        except WechatError as error:
            if error.errcode not in TOKEN_REJECTED or attempt == 1:
                raise
    raise AssertionError("unreachable")


def _fresh_token_after_rejection() -> str:
    """Another worker may already have refreshed: drop our cached copy and ask in normal mode.

    A forced refresh would invalidate every other worker's token, so it is never used here.
    """
    key, _ = Keys.wechat_access_token()
    _local_token.clear()
    try:
        get_redis().delete(key)
    except RedisError as error:
        log.warning("WeChat token cache unavailable (%s)", error)
    return access_token(force_refresh=False)


def msg_sec_check(content: str, openid: str, scene: int = 2) -> dict:
    """Text content security v2 → {"suggest": "pass"|"review"|"risky", "label": int, "trace_id": str}."""
    payload = _call_with_token(
        "/wxa/msg_sec_check", {"content": content, "version": 2, "scene": scene, "openid": openid}, _post_json
    )
    result = payload.get("result") or {}
    return {
        "suggest": result.get("suggest", "review"),
        "label": result.get("label"),
        "trace_id": payload.get("trace_id"),
    }


def media_check_async(media_url: str, openid: str, scene: int = 2) -> str:
    """Starts the asynchronous image check; the verdict arrives later at our callback. Returns trace_id."""
    payload = _call_with_token(
        "/wxa/media_check_async",
        {"media_url": media_url, "media_type": 2, "version": 2, "scene": scene, "openid": openid},
    )
    return payload["trace_id"]


def user_phone_number(code: str) -> str:
    """getPhoneNumber's code → the phone number the user agreed to share."""
    payload = _call_with_token("/wxa/business/getuserphonenumber", {"code": code})
    return payload["phone_info"]["purePhoneNumber"]


def send_subscribe_message(openid: str, template_id: str, data: dict, page: str | None = None) -> dict:
    """Sends one subscribe message; raises WechatError (43101: the user has not subscribed)."""
    body = {"touser": openid, "template_id": template_id, "data": data, "miniprogram_state": "formal", "lang": "zh_CN"}
    if page:
        body["page"] = page
    return _call_with_token("/cgi-bin/message/subscribe/send", body)
