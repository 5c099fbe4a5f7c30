"""The notification outbox's state for /metrics, read when Prometheus scrapes (app/common/metrics.py `render`)."""

from prometheus_client.core import GaugeMetricFamily
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.common import metrics
from app.common.extensions import db
from app.notifications.models import OutboxMessage
from app.notifications.worker import QUEUE_NAME, notification_queue


class OutboxCollector:
    """Shared state read when Prometheus scrapes: notification outbox and the RQ queue.

    Needs an application context. A backend that is down leaves its metrics out of this scrape (and
    counts a Redis error), so /metrics still answers during an outage.
    """

    def collect(self):
        try:
            rows = db.session.execute(
                select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
                .where(OutboxMessage.status.in_(("pending", "queued")))
                .group_by(OutboxMessage.status)
            ).all()
            now = db.session.scalar(select(func.clock_timestamp()))
            db.session.rollback()
        except SQLAlchemyError:
            db.session.rollback()
        else:
            depth = GaugeMetricFamily(
                "notification_outbox_messages", "Outbox messages not yet delivered", labels=["status"]
            )
            counts = {status: count for status, count, _ in rows}
            for status in ("pending", "queued"):
                depth.add_metric([status], counts.get(status, 0))
            yield depth
            oldest = min((first for _, _, first in rows), default=None)
            yield GaugeMetricFamily(
                "notification_outbox_oldest_age_seconds",
                "Age of the oldest undelivered outbox message (0 when none)",
                value=(now - oldest).total_seconds() if oldest else 0.0,
            )
        try:
            length = notification_queue().count
        except RedisError:
            metrics.redis_error("metrics_queue_length")
        else:
            family = GaugeMetricFamily("rq_queue_length", "Jobs waiting in the RQ queue", labels=["queue"])
            family.add_metric([QUEUE_NAME], length)
            yield family
