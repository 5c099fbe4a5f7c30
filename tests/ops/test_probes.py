"""/healthz and /readyz against the real servers, and against servers that are really not there."""

import pytest
from sqlalchemy import text

from app.ops.service import migration_heads

CLOSED_PORT = 1  # nothing listens on port 1 of loopback: a refused connection, as when a server is down


@pytest.fixture
def fresh_app(app):
    """Builds a second app on other backends (Flask apps are cheap; the global ones stay untouched)."""
    from app import create_app

    def build(**overrides):
        config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "TESTING", "WECHAT_API_BASE")}
        config["RATELIMIT_ENABLED"] = False
        return create_app({**config, **overrides})

    return build


def test_liveness_answers_without_the_backends(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_ready_when_database_at_head_and_redis_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"] == {"status": "ok"}
    migrations = body["checks"]["migrations"]
    assert migrations["status"] == "ok" and migrations["current"] == migrations["head"] == sorted(migration_heads())


def test_not_ready_while_migrations_are_behind(client, db):
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))  # rolled back after the test
    response = client.get("/readyz")
    assert response.status_code == 503
    migrations = response.get_json()["checks"]["migrations"]
    assert migrations["status"] == "behind" and migrations["current"] == ["0001"]


def test_redis_down_is_degraded_but_ready(fresh_app):
    response = fresh_app(REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0").test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["redis"] == {"status": "degraded", "error": "ConnectionError"}


def test_database_down_is_not_ready_and_says_which(fresh_app):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{CLOSED_PORT}/nothing"
    response = fresh_app(SQLALCHEMY_DATABASE_URI=url).test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == {"status": "down", "error": "OperationalError"}
    assert body["checks"]["migrations"] == {"status": "unknown"}
    assert "nobody" not in response.get_data(as_text=True)  # no connection details to whoever probes
