"""Outbox use cases: queue a message with the change it reports, relay due rows to RQ, deliver one.

A use case that changes something a resident follows calls `queue_message` before its own commit, so
the message exists exactly when the change does. Redis and WeChat are only touched afterwards by the
relay and the worker: when either is down the rows wait in the database and sending resumes later.
"""

import logging
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import and_, func, or_, select

from app.auth.models import User
from app.common.errors import UpstreamError, ValidationFailed
from app.common.models import utcnow
from app.extensions import db
from app.notifications.models import FINAL_STATUSES, OutboxMessage, Subscription
from app.wechat.client import WechatError, send_subscribe_message

log = logging.getLogger(__name__)

USER_NOT_SUBSCRIBED = 43101
# Errors a retry cannot fix: invalid openid, invalid template id, template data rejected.
PERMANENT_ERRCODES = {40003, 40037, 47003}
# A row handed to RQ but not delivered within this time (Redis lost the job) is handed over again.
REQUEUE_AFTER = timedelta(minutes=10)


def template_id(config_key: str, default: str) -> str:
    """A subscribe-message template id from the configuration (WECHAT_TEMPLATE_*)."""
    return current_app.config.get(config_key, default)


# The subscribe-message templates this server sends: config key → default id.
TEMPLATES = {
    "WECHAT_TEMPLATE_DEMAND_STATUS": "tmpl-demand-status",
    "WECHAT_TEMPLATE_DEMAND_CONFIRM": "tmpl-demand-confirm",
}


def known_templates() -> list[str]:
    return [template_id(key, default) for key, default in TEMPLATES.items()]


def queue_message(user_id: int, template: str, data: dict, page: str | None = None, subject: str | None = None):
    """Adds a message to the outbox inside the caller's transaction (the caller commits).

    Respects the user's subscription consent: a user who told us about this template gets a message
    only while an "accept" is unused (it is used up here); None when nothing is queued.
    """
    consent = db.session.get(Subscription, (user_id, template), with_for_update=True)
    if consent is not None:
        if consent.credits <= 0:
            return None
        consent.credits -= 1
    message = OutboxMessage(user_id=user_id, template_id=template, data=data, page=page, subject=subject)
    db.session.add(message)
    return message


def _config(name, default):
    return current_app.config.get(name, default)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … doubling per failed attempt, at most an hour."""
    base = float(_config("NOTIFY_BACKOFF_S", 30))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def due_messages(limit: int, now):
    """Rows to hand to RQ, locked so two relays never take the same row."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                or_(
                    and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                    and_(OutboxMessage.status == "queued", OutboxMessage.queued_at < now - REQUEUE_AFTER),
                )
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def relay(enqueue, limit: int = 100, now=None) -> int:
    """Hands due rows to the queue with `enqueue(message_id)`; if Redis is down nothing changes."""
    now = now or utcnow()
    rows = due_messages(limit, now)
    if not rows:
        db.session.rollback()
        return 0
    try:
        for row in rows:
            enqueue(row.id)
    except RedisError as error:
        # Jobs enqueued before the failure are harmless: delivery skips rows already sent.
        db.session.rollback()
        log.warning("notification relay: Redis unavailable (%s); %d messages wait", error, len(rows))
        return 0
    for row in rows:
        row.status, row.queued_at = "queued", now
    db.session.commit()
    return len(rows)


def deliver(message_id: int, now=None) -> str:
    """Sends one outbox message and records the outcome; returns the row's new status."""
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update(skip_locked=True)
    )
    if row is None or row.status in FINAL_STATUSES:
        db.session.rollback()  # another worker has it, or it is already done
        return "skipped"
    now = now or utcnow()
    openid = db.session.scalar(select(User.openid).where(User.id == row.user_id))
    row.attempts += 1
    try:
        if not openid:
            raise WechatError(40003, "user has no openid")
        send_subscribe_message(openid, row.template_id, row.data, row.page)
    except WechatError as error:
        row.errcode, row.last_error = error.errcode, str(error.details.get("errmsg") or error.message)[:500]
        if error.errcode == USER_NOT_SUBSCRIBED:
            row.status = "unsubscribed"  # recorded, never retried: the user did not allow this template
        elif error.errcode in PERMANENT_ERRCODES:
            row.status = "failed"
        else:
            _retry_later(row, now)
    except (UpstreamError, RedisError) as error:
        row.errcode, row.last_error = None, f"{type(error).__name__}: {error}"[:500]
        _retry_later(row, now)
    else:
        row.status, row.sent_at, row.errcode, row.last_error = "sent", now, None, None
    db.session.commit()
    return row.status


def _retry_later(row: OutboxMessage, now):
    if row.attempts >= int(_config("NOTIFY_MAX_ATTEMPTS", 8)):
        row.status = "failed"
    else:
        row.status, row.next_attempt_at = "pending", now + backoff(row.attempts)


def outbox_counts() -> dict:
    """Messages per status (for `flask notifications stats` and monitoring)."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return dict(rows.all())


def record_consent(user, answers: dict[str, str]) -> list[Subscription]:
    """Stores what the user chose in wx.requestSubscribeMessage: {template_id: accept|reject|ban}.

    Each "accept" allows one more message of that template; "reject" keeps unused ones (WeChat does
    too); "ban" (the user switched the template off in settings) drops them.
    """
    unknown = sorted(set(answers) - set(known_templates()))
    if unknown:
        raise ValidationFailed(details={"results": [f"未知的模板：{', '.join(unknown)}"]})
    rows = []
    for template, answer in sorted(answers.items()):
        row = db.session.get(Subscription, (user.id, template), with_for_update=True)
        if row is None:
            row = Subscription(user_id=user.id, template_id=template, credits=0)
            db.session.add(row)
        row.last_answer = answer
        if answer == "accept":
            row.credits += 1
        elif answer == "ban":
            row.credits = 0
        rows.append(row)
    db.session.commit()
    return rows


def consents(user) -> list[Subscription]:
    return list(
        db.session.scalars(
            select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.template_id)
        )
    )
