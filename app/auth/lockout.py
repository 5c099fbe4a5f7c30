"""Account lock after repeated wrong passwords (per username, shared by all workers through Redis).

The request rate limit stops one address from guessing fast; this stops many addresses from guessing one
account. With Redis down the lock is skipped (the password check itself still holds).
"""

from flask import current_app
from redis.exceptions import RedisError

from app.common.errors import AppError
from app.common.redis import Keys, get_redis


def _key(username: str):
    return Keys.login_failures(username.strip().lower())


def check_not_locked(username: str):
    key, ttl = _key(username)
    try:
        failures = int(get_redis().get(key) or 0)
        remaining = get_redis().ttl(key) if failures >= current_app.config["LOGIN_LOCK_AFTER"] else 0
    except RedisError:
        return
    if remaining and remaining > 0:
        minutes = max(1, (remaining + 59) // 60)
        raise AppError(
            f"密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试",
            code="account_locked",
            status=429,
            details={"retry_after": remaining},
            headers={"Retry-After": str(remaining)},
        )


def record_failure(username: str) -> int:
    """Counts a wrong password; returns how many tries are left before the lock (0 = now locked)."""
    key, ttl = _key(username)
    try:
        pipe = get_redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        failures = pipe.execute()[0]
    except RedisError:
        return current_app.config["LOGIN_LOCK_AFTER"]
    return max(0, current_app.config["LOGIN_LOCK_AFTER"] - failures)


def clear(username: str):
    try:
        get_redis().delete(_key(username)[0])
    except RedisError:
        pass
