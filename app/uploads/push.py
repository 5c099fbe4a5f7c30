"""WeChat message-push signature: sha1 of the sorted (token, timestamp, nonce)."""

import hashlib
import hmac
import time

from flask import current_app

from app.common.errors import Forbidden

MAX_CLOCK_SKEW_S = 300


def expected_signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def verify(signature: str, timestamp: str, nonce: str) -> None:
    token = current_app.config.get("WECHAT_PUSH_TOKEN", "stub-push-token")
    # Bytes: compare_digest refuses non-ASCII str, and a signature is whatever the caller sent.
    good = hmac.compare_digest(expected_signature(token, timestamp, nonce).encode(), (signature or "").encode())
    try:
        fresh = abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW_S  # a replayed old push is refused
    except ValueError:
        fresh = False
    if not (good and fresh):
        raise Forbidden("推送签名无效", code="invalid_signature")
