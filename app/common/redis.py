"""The one Redis client, and the key builders with their TTLs.

Every key the application writes is built here so that names and lifetimes are visible at once.
"""

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

_clients = {}


def get_redis() -> redis.Redis:
    url = current_app.config["REDIS_URL"]
    client = _clients.get(url)
    if client is None:
        # Fail fast when Redis is down (callers fall back or queue in the database) instead of
        # the client's default retries with back-off holding a request for seconds.
        client = _clients[url] = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=2, socket_connect_timeout=1, retry=Retry(NoBackoff(), 1)
        )
    return client


class Keys:
    PREFIX = "circle:"

    @classmethod
    def wechat_access_token(cls):
        return f"{cls.PREFIX}wechat:access_token", None  # TTL comes from WeChat's expires_in

    @classmethod
    def taxonomy_version(cls):
        return f"{cls.PREFIX}taxonomy:version", 24 * 3600

    @classmethod
    def login_failures(cls, username: str):
        """Failed password logins of one account; at LOGIN_LOCK_AFTER within the TTL the account is locked."""
        return f"{cls.PREFIX}auth:login_failures:{username}", 15 * 60
