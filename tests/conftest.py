"""Test fixtures: real PostGIS and Redis (started by `make test`), schema built by the migrations,
every test inside a transaction that is rolled back, Redis flushed per test."""

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.transactions import check_requests, rolled_back

ROOT = Path(__file__).resolve().parent.parent


def _load_services_env():
    env_file = ROOT / "var" / "services.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key and value:
                os.environ.setdefault(key, value)


def _test_database_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    url = make_url(os.environ["DATABASE_URL"])
    return url.set(database=f"{url.database}_test").render_as_string(hide_password=False)


def _test_redis_url() -> str:
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]
    base = os.environ["REDIS_URL"].rsplit("/", 1)
    return f"{base[0]}/15" if base[-1].isdigit() else os.environ["REDIS_URL"].rstrip("/") + "/15"


def _recreate_database(url: str):
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def wechat_stub():
    from miniprogram_stub.wechat_server import serve_in_thread

    base_url, shutdown = serve_in_thread(port=0)
    yield base_url
    shutdown()


@pytest.fixture(scope="session")
def app(wechat_stub):
    _load_services_env()
    if "DATABASE_URL" not in os.environ or "REDIS_URL" not in os.environ:
        pytest.exit("DATABASE_URL/REDIS_URL unset: run `make test` (it starts PostGIS and Redis)", returncode=2)
    database_url = _test_database_url()
    _recreate_database(database_url)
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = database_url, _test_redis_url()

    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": os.environ["REDIS_URL"],
            "RATELIMIT_STORAGE_URI": os.environ["REDIS_URL"],
            "RATELIMIT_ENABLED": False,
            "WECHAT_API_BASE": wechat_stub,
            "UPLOAD_DIR": str(ROOT / "var" / "test-uploads"),
            # One connection per test (rolled back at the end): no worker thread may take another.
            "EVALUATION_REFRESH_WORKERS": 1,
        }
    )
    with app.app_context():
        upgrade()  # the schema comes from the migrations, so they are tested too
    check_requests()  # a request that leaves changes uncommitted fails its test
    return app


@pytest.fixture
def db(app):
    """Each test runs in a transaction rolled back at the end; services' commits become savepoints."""
    with rolled_back(app) as database:
        yield database


@pytest.fixture
def redis(app):
    from app.common.redis import get_redis

    with app.app_context():
        client = get_redis()
        client.flushdb()
        yield client


@pytest.fixture
def client(app, db, redis):
    return app.test_client()


@pytest.fixture
def make(db):
    from tests import factories

    return factories.Factory(db)


@pytest.fixture
def stub(wechat_stub):
    """The WeChat stub, reset: no tokens, no recorded messages, no injected failures."""
    import requests

    requests.post(f"{wechat_stub}/stub/reset", timeout=5)
    return wechat_stub


@pytest.fixture(autouse=True)
def _no_wechat_token_in_this_process():
    """The WeChat client keeps a copy of the token it last read (app.wechat.client._local_token): a test
    starts without one, so what it puts in Redis (or the stub's reset) is what the client sees."""
    from app.wechat import client

    client._local_token.clear()


@pytest.fixture(autouse=True)
def _limits_as_configured(app):
    """Flask-Limiter is one global object: an app created with limits on would leave them on for all."""
    from app.common.extensions import limiter

    before = limiter.enabled
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    yield
    limiter.enabled = before


@pytest.fixture
def limited_client(app):
    """A client of a second app with rate limits on (in memory)."""
    from app import create_app
    from app.common.extensions import limiter

    limited = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "WECHAT_API_BASE")},
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "TESTING": True,
        }
    )
    yield limited.test_client()
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
