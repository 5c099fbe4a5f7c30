"""The outbox: written with the change, relayed to RQ, sent by the worker; retries, 43101, Redis outages."""

from datetime import timedelta

import requests
from sqlalchemy import select

from app.common.models import utcnow
from app.notifications import service, worker
from app.notifications.models import OutboxMessage
from tests.demands.world import stub_sent, submit, triage
from tests.transactions import commit


def messages(db):
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def accept(client, world, headers=None):
    demand = submit(client, headers or world.h.resident)
    assert triage(client, world.h.staff, demand["id"], status="accepted").status_code == 200
    return demand


def fail_next(stub, path, times=1, errcode=-1):
    requests.post(f"{stub}/stub/fail", json={"path": path, "times": times, "errcode": errcode}, timeout=5)


SEND = "/cgi-bin/message/subscribe/send"


def test_status_change_is_sent_by_the_worker(client, world, db, stub):
    demand = accept(client, world)
    [row] = messages(db)
    assert (row.status, row.attempts) == ("pending", 0)
    assert worker.run_once() == {"relayed": 1, "worked": True}
    [row] = messages(db)
    assert (row.status, row.attempts, row.errcode) == ("sent", 1, None) and row.sent_at is not None
    [sent] = stub_sent(stub)["sent"]
    assert (sent["touser"], sent["template_id"]) == ("stub-openid-resident-a", "tmpl-demand-status")
    assert sent["page"] == f"pages/demands/detail?id={demand['id']}"
    assert sent["data"]["phrase2"] == {"value": "已受理"}
    assert worker.run_once() == {"relayed": 0, "worked": True}
    assert len(stub_sent(stub)["sent"]) == 1


def test_user_not_subscribed_is_final(client, world, db, make, stub):
    unsubscribed = make.user("resident", openid="stub-openid-unsubscribed-1")
    commit()
    accept(client, world, make.headers(unsubscribed))
    worker.run_once()
    [row] = messages(db)
    assert (row.status, row.errcode, row.attempts) == ("unsubscribed", 43101, 1)
    worker.run_once(now=utcnow() + timedelta(days=1))
    assert messages(db)[0].attempts == 1
    assert [m["errcode"] for m in stub_sent(stub)["rejected"]] == [43101]


def test_wechat_errors_are_retried_with_backoff(client, world, db, stub):
    accept(client, world)
    fail_next(stub, SEND)
    before = utcnow()
    worker.run_once()
    [row] = messages(db)
    assert (row.status, row.attempts, row.errcode) == ("pending", 1, -1)
    assert timedelta(seconds=29) < row.next_attempt_at - before < timedelta(seconds=40)
    assert worker.run_once()["relayed"] == 0  # not due yet
    worker.run_once(now=utcnow() + timedelta(seconds=31))
    assert messages(db)[0].status == "sent" and messages(db)[0].attempts == 2
    assert len(stub_sent(stub)["sent"]) == 1


def test_wechat_unreachable_is_retried_and_backoff_doubles(client, world, db, app, monkeypatch):
    accept(client, world)
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", "http://127.0.0.1:9")
    first = utcnow()
    worker.run_once()
    worker.run_once(now=first + timedelta(seconds=31))
    [row] = messages(db)
    assert (row.status, row.attempts) == ("pending", 2) and "UpstreamError" in row.last_error
    assert timedelta(seconds=59) < row.next_attempt_at - first - timedelta(seconds=0) < timedelta(seconds=70)
    assert service.backoff(1) == timedelta(seconds=30) and service.backoff(20) == timedelta(hours=1)


def test_gives_up_after_the_last_attempt(client, world, db, app, stub, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 2)
    accept(client, world)
    fail_next(stub, SEND, times=5)
    worker.run_once()
    worker.run_once(now=utcnow() + timedelta(minutes=5))
    [row] = messages(db)
    assert (row.status, row.attempts) == ("failed", 2)
    worker.run_once(now=utcnow() + timedelta(days=1))
    assert messages(db)[0].attempts == 2


def test_permanent_errors_are_not_retried(client, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_TEMPLATE_DEMAND_STATUS", "invalid")
    accept(client, world)
    worker.run_once()
    [row] = messages(db)
    assert (row.status, row.errcode) == ("failed", 40037)


def test_delivery_is_idempotent_and_lost_jobs_are_handed_over_again(client, world, db, stub):
    accept(client, world)
    [row] = messages(db)
    assert service.deliver(row.id) == "sent"
    assert service.deliver(row.id) == "skipped"
    assert len(stub_sent(stub)["sent"]) == 1
    accept(client, world, world.h.neighbour)
    lost = messages(db)[-1]
    lost.status, lost.queued_at = "queued", utcnow() - timedelta(minutes=11)  # Redis lost the job
    commit()
    assert worker.run_once()["relayed"] == 1
    assert messages(db)[-1].status == "sent"


def test_failed_change_writes_no_message(client, world, db):
    demand = submit(client, world.h.resident)
    assert triage(client, world.h.staff, demand["id"], status="rejected").status_code == 422
    assert messages(db) == []


def test_cli_commands(app, client, world, db, stub):
    accept(client, world)
    runner = app.test_cli_runner()
    relayed = runner.invoke(args=["notifications", "relay"])
    assert relayed.exit_code == 0 and "relayed 1" in relayed.output
    assert messages(db)[0].status == "queued"
    worked = runner.invoke(args=["notifications", "work", "--burst"])
    assert worked.exit_code == 0, worked.output
    assert messages(db)[0].status == "sent"
    stats = runner.invoke(args=["notifications", "stats"])
    assert stats.output.strip() == "sent\t1"
