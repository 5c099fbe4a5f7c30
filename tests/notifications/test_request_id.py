"""A need's status change queued by one request is delivered by the worker under that request's id."""

import json
import logging

from sqlalchemy import select

from app.common.logs import JsonFormatter
from app.notifications import worker
from app.notifications.models import OutboxMessage
from tests.demands.world import submit, triage

TRACE = "complaint-trace-000042"


def test_the_worker_logs_the_delivery_under_the_request_id(client, world, db, stub, caplog):
    demand = submit(client, world.h.resident)
    response = triage(client, {**world.h.staff, "X-Request-ID": TRACE}, demand["id"], status="accepted")
    assert response.status_code == 200 and response.headers["X-Request-ID"] == TRACE
    db.session.expire_all()
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.request_id == TRACE

    caplog.set_level(logging.INFO, logger="app.notifications.worker")
    assert worker.run_once() == {"relayed": 1, "worked": True}
    [record] = [r for r in caplog.records if r.getMessage() == "notification delivery"]
    line = json.loads(JsonFormatter().format(record))
    assert (line["request_id"], line["message_id"], line["outcome"]) == (TRACE, row.id, "sent")
    assert "data" not in line and "openid" not in json.dumps(line)  # ids only, never the message's text
