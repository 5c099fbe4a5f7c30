"""Survey fixtures: a circle of 100 people, staff in and out of scope, an admin; the WeChat stub reset."""

from types import SimpleNamespace

import pytest
import requests

from app.extensions import limiter
from tests.factories import MIYUN


@pytest.fixture
def stub(wechat_stub):
    requests.post(f"{wechat_stub}/stub/reset", timeout=5)
    return wechat_stub


@pytest.fixture
def area(make, stub):
    circle = make.circle(center=MIYUN, half_m=600, population=100, name="檀营生活圈")
    other = make.circle(center=(MIYUN[0] + 0.05, MIYUN[1]), half_m=600, population=5000)
    return SimpleNamespace(
        circle=circle,
        other=other,
        staff=make.user("staff", circles=[circle]),
        outsider=make.user("staff", circles=[other]),
        admin=make.user("admin"),
    )


def open_period(client, make, area, **body):
    return client.post(
        f"/api/v1/staff/circles/{area.circle.id}/survey-periods", json=body, headers=make.headers(area.staff)
    )


def answer(client, make, circle_id, user, type_satisfaction=5, service_satisfaction=5, **extra):
    body = {"type_satisfaction": type_satisfaction, "service_satisfaction": service_satisfaction, **extra}
    return client.post(f"/api/v1/circles/{circle_id}/survey-responses", json=body, headers=make.headers(user))


def error_code(response):
    return response.get_json()["error"]["code"]


@pytest.fixture(autouse=True)
def _limits_as_configured(app):
    """Flask-Limiter is one global object: an app created elsewhere with limits on leaves them on."""
    before = limiter.enabled
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    yield
    limiter.enabled = before


@pytest.fixture
def limited_client(app):
    """A second app with rate limits on (in memory); the shared limiter is put back afterwards."""
    from app import create_app

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
