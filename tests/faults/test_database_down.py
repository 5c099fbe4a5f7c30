"""PostgreSQL gone: 503 `service_unavailable` with Retry-After, never 500; back without restarting anything.

The app under test reaches the real test database through a TCP proxy this test owns; cutting the proxy
(listener closed, every open connection reset) is PostgreSQL going away for the app, restoring it is
PostgreSQL coming back. The shared server itself is never stopped. No rolled-back `db` fixture here: the
app must use its own engine and pool, as a gunicorn worker does.
"""

import pytest
from sqlalchemy.engine import make_url

from tests.servers import TcpProxy


@pytest.fixture
def proxied(app, stub, committed_data):  # committed_data: the logins below commit users; it removes them
    from app import create_app
    from app.common.extensions import db

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = TcpProxy(url.host, url.port)
    proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    keys = ("REDIS_URL", "WECHAT_API_BASE", "TESTING")
    fresh = create_app({**{k: app.config[k] for k in keys}, "SQLALCHEMY_DATABASE_URI": through_proxy})
    yield fresh, proxy
    proxy.cut()
    with fresh.app_context():
        db.engine.dispose()


def test_database_down_answers_503_and_recovers_on_the_first_request(proxied):
    fresh, proxy = proxied
    client = fresh.test_client()
    assert client.get("/api/v1/cities").status_code == 200  # a pooled connection now exists

    proxy.cut()
    for request in (
        lambda: client.get("/api/v1/cities"),
        lambda: client.get("/api/v1/circles/locate?lat=40.3775&lng=116.8492"),
        lambda: client.post("/api/v1/auth/wechat/login", json={"code": "db-down"}),
    ):
        response = request()
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "service_unavailable"
        assert int(response.headers["Retry-After"]) > 0

    proxy.restore()
    # The very first request after PostgreSQL is back succeeds: the pool's pre-ping drops the broken
    # connections and opens new ones; no worker restart.
    assert client.get("/api/v1/cities").status_code == 200
    assert client.post("/api/v1/auth/wechat/login", json={"code": "db-back"}).status_code == 200
