"""A notification worker killed (SIGKILL) while WeChat is answering: the row is left `sending`, nothing
resends it within NOTIFY_REQUEUE_AFTER_S, and after the window it is sent again (at least once).

The worker is a real `flask notifications work --burst` process on committed data; the WeChat stub
takes 3 s to answer the send, and the process is killed meanwhile.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from app.common.models import utcnow
from app.notifications import service, worker
from app.notifications.models import OutboxMessage
from tests.demands.world import demand_body, stub_sent
from tests.factories import MIYUN
from tests.notifications.test_outbox import SEND
from tests.notifications.test_requeue import delay_next
from tests.transactions import commit

ROOT = Path(__file__).resolve().parents[2]


def _calls(stub, path):
    return requests.get(f"{stub}/stub/calls", timeout=5).json()["counts"].get(path, 0)


def _row(db):
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    db.session.rollback()
    return row


def test_worker_killed_mid_send(app, committed_data, stub, redis):
    make, db = committed_data, committed_data.db
    circle = make.circle(center=MIYUN, half_m=800)
    resident = make.user("resident", openid="stub-openid-killed-worker")
    staff = make.user("staff", circles=[circle])
    commit()
    client = app.test_client()
    need = client.post("/api/v1/demands", json=demand_body(), headers=make.headers(resident))
    assert need.status_code == 201, need.get_json()
    url = f"/api/v1/staff/demands/{need.get_json()['id']}?coord=wgs84"
    assert client.patch(url, json={"status": "accepted"}, headers=make.headers(staff)).status_code == 200
    delay_next(stub, SEND, 3)

    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "WECHAT_API_BASE": stub,
        "FLASK_APP": "wsgi.py",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "notifications", "work", "--burst"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _row(db).status != "sending" or _calls(stub, SEND) == 0:  # in WeChat's hands now
            assert process.poll() is None and time.monotonic() < deadline, "the worker never started sending"
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait(timeout=10)

    row = _row(db)
    assert (row.status, row.attempts) == ("sending", 1)  # not `queued`: the attempt is on record
    assert worker.run_once(now=utcnow() + timedelta(seconds=30)) == {"relayed": 0, "worked": True}
    assert _row(db).status == "sending"  # within the window nobody sends it again

    assert worker.run_once(now=utcnow() + timedelta(seconds=61))["relayed"] == 1
    row = _row(db)
    assert (row.status, row.attempts) == ("sent", 2)
    time.sleep(3)
    # WeChat did get the killed worker's request too: the documented at-least-once duplicate.
    assert len(stub_sent(stub)["sent"]) == 2
    assert service.requeue_after() == timedelta(seconds=60)
