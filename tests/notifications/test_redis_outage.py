"""Redis stops: a status change is still recorded, and its notice is sent once Redis is back.

A private redis-server is started for this test on its own port (the shared one is never touched).
"""

import shutil

import pytest
from sqlalchemy import select

from app.demands.models import Demand
from app.notifications import worker
from app.notifications.models import OutboxMessage
from tests.demands.world import stub_sent, submit, triage
from tests.servers import PrivateRedis

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


@pytest.fixture
def private_redis(tmp_path, app, monkeypatch):
    server = PrivateRedis(tmp_path)
    server.start()
    # Everything this app does with Redis (queue, WeChat token, idempotency) now goes to the private server.
    monkeypatch.setitem(app.config, "REDIS_URL", server.url)
    yield server
    server.stop()


def test_status_change_survives_redis_down_and_is_sent_when_it_is_back(client, world, db, stub, private_redis):
    demand = submit(client, world.h.resident)
    private_redis.stop()

    response = triage(client, world.h.staff, demand["id"], status="accepted", reply="已受理，正在选址")
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert db.session.get(Demand, demand["id"]).status == "accepted"
    [row] = db.session.scalars(select(OutboxMessage))
    assert row.status == "pending"

    assert worker.run_once() == {"relayed": 0, "worked": False}  # Redis is down: nothing lost, nothing sent
    db.session.expire_all()
    assert (row.status, row.attempts) == ("pending", 0)
    assert stub_sent(stub)["sent"] == []

    private_redis.start()
    assert worker.run_once() == {"relayed": 1, "worked": True}
    db.session.expire_all()
    assert row.status == "sent" and row.sent_at is not None
    [sent] = stub_sent(stub)["sent"]
    assert sent["touser"] == "stub-openid-resident-a"
    assert sent["data"]["phrase2"] == {"value": "已受理"} and sent["data"]["thing3"] == {"value": "已受理，正在选址"}
