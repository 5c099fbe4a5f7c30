"""`Idempotency-Key` for POST views: a retried request gets the first response instead of a second record.

Mobile networks retry. The first request with a key takes an in-flight lock in Redis (SET NX); when it
succeeds its status and body are kept for 24 hours under the same key, scoped to the user (or the
client address) and the endpoint, and replayed for every repeat. A repeat while the first is still
running gets 409; the same key with a different body gets 422. If Redis is down the request runs
without the guarantee rather than failing.
"""

import hashlib
import json
import logging
import re
from functools import wraps

from flask import Response, make_response, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from redis.exceptions import RedisError

from app.common.errors import Conflict, ValidationFailed
from app.common.redis import Keys, get_redis

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
RESULT_TTL_S = 24 * 3600
LOCK_TTL_S = 120  # longer than any request may take; a crashed request frees the key after this
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (UUIDs, ULIDs …)

HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "重试时携带相同的值：24 小时内返回首次请求的结果，不会重复创建",
}


def _redis_key(raw_key: str) -> str:
    verify_jwt_in_request(optional=True)
    who = f"user:{current_user.id}" if current_user else f"ip:{request.remote_addr}"
    digest = hashlib.sha256(f"{who}\n{request.method} {request.path}\n{raw_key}".encode()).hexdigest()
    return f"{Keys.PREFIX}idempotency:{digest}"


def _fingerprint() -> str:
    return hashlib.sha256(request.query_string + b"\n" + request.get_data(cache=True)).hexdigest()


def _replay(stored: dict) -> Response:
    response = Response(stored["body"], status=stored["status"], mimetype=stored.get("mimetype"))
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _answer_repeat(stored: dict, fingerprint: str) -> Response:
    if stored.get("fingerprint") != fingerprint:
        raise ValidationFailed(
            "该 Idempotency-Key 已用于内容不同的请求",
            code="idempotency_key_reused",
            details={HEADER: ["同一个键只能用于同一个请求"]},
        )
    if stored.get("state") == "done":
        return _replay(stored)
    raise Conflict("相同的请求正在处理中，请稍后重试", code="idempotency_in_flight")


def idempotent(view):
    """Decorator for POST views (put it above flask-smorest's decorators so it sees the final response)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        raw_key = request.headers.get(HEADER)
        if raw_key is None or request.method != "POST":
            return view(*args, **kwargs)
        if not _KEY_PATTERN.match(raw_key):
            raise ValidationFailed(
                "Idempotency-Key 格式有误", code="invalid_idempotency_key", details={HEADER: ["应为 1-255 个可见字符"]}
            )
        key, fingerprint = _redis_key(raw_key), _fingerprint()
        lock = json.dumps({"state": "in_flight", "fingerprint": fingerprint})
        try:
            redis = get_redis()
            if not redis.set(key, lock, nx=True, ex=LOCK_TTL_S):
                stored = redis.get(key)
                if stored is not None:
                    return _answer_repeat(json.loads(stored), fingerprint)
                if not redis.set(key, lock, nx=True, ex=LOCK_TTL_S):  # expired in between: one more try
                    raise Conflict("相同的请求正在处理中，请稍后重试", code="idempotency_in_flight")
        except RedisError as error:
            log.warning("idempotency unavailable (%s); running %s without it", error, request.path)
            return view(*args, **kwargs)

        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _forget(redis, key)
            raise
        if 200 <= response.status_code < 300:
            stored = {
                "state": "done",
                "fingerprint": fingerprint,
                "status": response.status_code,
                "body": response.get_data(as_text=True),
                "mimetype": response.mimetype,
            }
            try:
                redis.set(key, json.dumps(stored, ensure_ascii=False), ex=RESULT_TTL_S)
            except RedisError as error:
                log.warning("idempotency result not kept (%s)", error)
        else:
            _forget(redis, key)  # errors are not kept: the client may fix the request and retry with the key
        return response

    return wrapper


def _forget(redis, key):
    try:
        redis.delete(key)
    except RedisError:
        pass
