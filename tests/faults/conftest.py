"""Fault fixtures: an app whose Redis is a private redis-server this test may kill or pause."""

import shutil

import pytest

from tests.faults.committed import committed_data  # noqa: F401  (a fixture for this package)
from tests.servers import PrivateRedis

needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def degradable(app, db, redis, private_redis, stub):
    """A second app instance with rate limits on, whose every Redis client (ours, the limiter's storage)
    points at the private server, with short timeouts so a hung server shows quickly."""
    from app import create_app
    from app.common.extensions import limiter
    from app.common.redis import breaker

    keys = ("SQLALCHEMY_DATABASE_URI", "WECHAT_API_BASE", "TESTING", "UPLOAD_DIR")
    fresh = create_app(
        {
            **{k: app.config[k] for k in keys},
            "REDIS_URL": private_redis.url,
            "RATELIMIT_STORAGE_URI": private_redis.url,
            "RATELIMIT_ENABLED": True,
            "REDIS_SOCKET_TIMEOUT_S": 0.2,
            "REDIS_CONNECT_TIMEOUT_S": 0.2,
            "REDIS_DOWN_RETRY_S": 30,
        }
    )
    yield fresh
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    limiter._storage_dead = False  # Flask-Limiter is one global object; the next app starts healthy
    breaker.close()
