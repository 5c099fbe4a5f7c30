"""Requeue window and resends: only where the first attempt's outcome is unknown, after
NOTIFY_REQUEUE_AFTER_S (60 s by default), never where it is known."""

import time
from datetime import timedelta

import requests

from app.common.models import utcnow
from app.notifications import service, worker
from tests.demands.world import stub_sent
from tests.notifications.test_outbox import SEND, accept, messages
from tests.transactions import commit


def delay_next(stub, path, seconds):
    """WeChat accepts the call, but only after `seconds` (the app's read timeout may fire first)."""
    requests.post(f"{stub}/stub/fail", json={"path": path, "delay": seconds, "errcode": 0}, timeout=5)


def test_requeue_window_is_short_and_configurable(client, world, db, stub, app, monkeypatch):
    accept(client, world)
    [row] = messages(db)
    row.status, row.queued_at = "queued", utcnow() - timedelta(seconds=30)  # a job still waiting in RQ
    commit()
    assert service.relay(lambda _id: None) == 0  # within the window: left alone
    assert service.relay(lambda _id: None, now=utcnow() + timedelta(seconds=31)) == 1  # 60 s by default
    monkeypatch.setitem(app.config, "NOTIFY_REQUEUE_AFTER_S", 5)
    row = messages(db)[0]
    row.queued_at = utcnow() - timedelta(seconds=6)
    commit()
    assert service.relay(lambda _id: None) == 1


def test_a_message_being_sent_is_not_sent_twice_meanwhile(client, world, db, stub):
    accept(client, world)
    [row] = messages(db)
    row.status, row.sending_at, row.attempts = "sending", utcnow(), 1  # a worker is in the call right now
    commit()
    assert service.deliver(row.id) == "skipped"  # a duplicate job for it does nothing
    assert worker.run_once()["relayed"] == 0  # nor does the relay hand it over again within the window
    assert stub_sent(stub)["sent"] == []


def test_worker_gone_mid_send_is_sent_again_after_the_window(client, world, db, stub):
    accept(client, world)
    [row] = messages(db)
    row.status, row.sending_at, row.attempts = "sending", utcnow() - timedelta(seconds=61), 1
    commit()
    assert worker.run_once() == {"relayed": 1, "worked": True}  # at least once: the outcome was unknown
    [row] = messages(db)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(stub_sent(stub)["sent"]) == 1


def test_timeout_after_wechat_accepted_is_recorded_as_unknown(client, world, db, stub, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_TIMEOUT_S", 0.3)
    accept(client, world)
    delay_next(stub, SEND, 0.8)
    worker.run_once()  # the access token is fetched first, quickly; the send then times out
    [row] = messages(db)
    # Not silently "pending" as if nothing had happened: the attempt may have reached WeChat.
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error.startswith(service.UNKNOWN_OUTCOME)
    time.sleep(0.8)
    assert len(stub_sent(stub)["sent"]) == 1  # and it had: WeChat accepted after our timeout


def test_wechat_refusing_is_known_and_not_unknown(client, world, db, stub, app, monkeypatch):
    accept(client, world)
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", "http://127.0.0.1:9")  # connection refused: never left
    worker.run_once()
    [row] = messages(db)
    assert row.status == "pending" and not row.last_error.startswith(service.UNKNOWN_OUTCOME)
