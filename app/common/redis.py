"""The one Redis client, and the key builders with their TTLs.

Every key the application writes is built here so that names and lifetimes are visible at once.

Redis only holds what can be lost or rebuilt (rate-limit counters, caches, the shared WeChat token,
idempotency replays, queued jobs whose truth is the outbox in PostgreSQL), so when it is down or hung
the application degrades instead of failing or waiting: every call is bounded by short socket timeouts
(REDIS_CONNECT_TIMEOUT_S, REDIS_SOCKET_TIMEOUT_S), and after one failure this process skips Redis for
REDIS_DOWN_RETRY_S seconds (a circuit breaker per server), so a paused Redis costs one timeout per
process and window, not one per call. Callers catch `redis.exceptions.RedisError` and carry on.
"""

import logging
import threading
import time

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from app.common import metrics

log = logging.getLogger(__name__)

_clients = {}


class _Breaker:
    """Per-process memory of which Redis servers failed recently (host:port → time to try again)."""

    def __init__(self):
        self._until: dict[tuple, float] = {}
        self._lock = threading.Lock()

    def is_open(self, address) -> bool:
        until = self._until.get(address)
        return until is not None and time.monotonic() < until

    def trip(self, address, pause_s: float, error: Exception):
        with self._lock:
            if self.is_open(address):
                return
            self._until[address] = time.monotonic() + pause_s
        log.warning("Redis %s:%s unavailable (%s); skipped for %.0f s, degraded meanwhile", *address, error, pause_s)

    def close(self, address=None):
        with self._lock:
            if address is None:
                self._until.clear()
            else:
                self._until.pop(address, None)


breaker = _Breaker()


class GuardedConnection(Connection):
    """A connection that fails at once while its server is known to be down, and reports failures.

    Connect failures and read timeouts (a paused server) open the breaker; a reset connection alone
    does not (a restarted Redis drops idle connections, and the client's one retry reconnects).
    """

    def __init__(self, *args, down_retry_s: float = 5.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.down_retry_s = down_retry_s

    @property
    def _address(self):
        return (self.host, self.port)

    def connect(self):
        if breaker.is_open(self._address):
            self.disconnect()
            metrics.redis_error("skipped_while_down")
            raise RedisConnectionError(f"Redis {self.host}:{self.port} marked down; skipped")
        try:
            super().connect()
        except (RedisConnectionError, RedisTimeoutError) as error:
            metrics.redis_error("connect")
            breaker.trip(self._address, self.down_retry_s, error)
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except RedisTimeoutError as error:
            metrics.redis_error("read_timeout")
            breaker.trip(self._address, self.down_retry_s, error)
            raise


def client_options(config) -> dict:
    """Options of every redis-py client the app makes (ours and the rate limiter's storage)."""
    return {
        "socket_timeout": float(config.get("REDIS_SOCKET_TIMEOUT_S", 0.5)),
        "socket_connect_timeout": float(config.get("REDIS_CONNECT_TIMEOUT_S", 0.5)),
        "connection_class": GuardedConnection,
        "down_retry_s": float(config.get("REDIS_DOWN_RETRY_S", 5)),
        # One immediate retry covers a connection dropped by a Redis restart; no back-off holding a request.
        "retry": Retry(NoBackoff(), 1),
    }


def get_redis() -> redis.Redis:
    config = current_app.config
    url = config["REDIS_URL"]
    options = client_options(config)
    cache_key = (url, options["socket_timeout"], options["socket_connect_timeout"], options["down_retry_s"])
    client = _clients.get(cache_key)
    if client is None:
        client = _clients[cache_key] = redis.Redis.from_url(url, decode_responses=True, **options)
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
