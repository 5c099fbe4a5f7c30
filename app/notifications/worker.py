"""RQ wiring: the queue, the job the worker runs, and one synchronous pass for tests and cron.

`flask notifications work` runs relay + worker in one process (an RQ SimpleWorker: no fork, so the
database pool is never shared with a child). A plain `rq worker notifications` also works for the
jobs when `flask notifications relay --loop` runs somewhere.
"""

import logging
import time

import redis
from flask import current_app
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.common import jobs, metrics
from app.common.extensions import db
from app.common.logs import bound_request_id
from app.notifications import service
from app.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

QUEUE_NAME = "notifications"
_connections = {}


def rq_connection() -> redis.Redis:
    """RQ needs bytes responses, so it gets its own client (RQ_REDIS_URL, default REDIS_URL)."""
    url = current_app.config.get("RQ_REDIS_URL") or current_app.config["REDIS_URL"]
    client = _connections.get(url)
    if client is None:
        # Few, quick retries: when Redis is down the rows simply wait for the next pass.
        retry = Retry(ExponentialBackoff(cap=0.5, base=0.05), 2)
        client = _connections[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, retry=retry)
    return client


def notification_queue() -> Queue:
    return Queue(QUEUE_NAME, connection=rq_connection(), default_timeout=60)


def deliver_job(message_id: int) -> str:
    """The RQ job: deliver one outbox message (loads the app when run by a bare `rq worker`)."""
    return jobs.in_app(_deliver_traced, message_id)


def _deliver_traced(message_id: int) -> str:
    """Delivers under the id of the request that queued the message, so its log lines can be found by it."""
    request_id = db.session.scalar(select(OutboxMessage.request_id).where(OutboxMessage.id == message_id))
    with bound_request_id(request_id):
        status = service.deliver(message_id)
        log.info("notification delivery", extra={"message_id": message_id, "outcome": status})
    return status


def _enqueue(queue: Queue):
    def enqueue(message_id: int):
        queue.enqueue_call(
            deliver_job, args=(message_id,), job_id=f"notification-{message_id}", result_ttl=3600, failure_ttl=86400
        )

    return enqueue


def relay_once(limit: int = 100, now=None) -> int:
    """Moves due outbox rows onto the RQ queue; 0 when Redis is down (the rows wait)."""
    try:
        queue = notification_queue()
    except RedisError:
        metrics.redis_error("notification_relay")
        return 0
    return service.relay(_enqueue(queue), limit=limit, now=now)


def work_once() -> bool:
    """Drains the queue in this process (burst mode); False when Redis is unavailable."""
    try:
        # Also the queues of the jobs domains schedule on RQ's cron (app.common.jobs), enqueued by run_once.
        worker = SimpleWorker([notification_queue(), *jobs.queues(rq_connection())], connection=rq_connection())
        worker.work(burst=True, logging_level="WARNING")
    except RedisError as error:
        log.warning("notification worker: Redis unavailable (%s)", error)
        metrics.redis_error("notification_worker")
        return False
    return True


def run_once(now=None) -> dict:
    """One relay pass, then deliver everything queued, synchronously."""
    relayed = relay_once(now=now)
    try:
        jobs.enqueue_due(rq_connection())
    except RedisError as error:  # the schedule waits for Redis like the outbox does
        log.warning("scheduled jobs: Redis unavailable (%s)", error)
    worked = work_once()
    return {"relayed": relayed, "worked": worked}


def run_forever(interval_s: float = 2.0):
    """The worker process: relay and deliver every `interval_s` seconds; survives Redis and DB outages."""
    while True:
        try:
            run_once()
        except Exception:  # a database outage must not end the worker: log it, roll back, try again
            log.exception("notification pass failed")
            db.session.rollback()
        db.session.remove()
        time.sleep(interval_s)
