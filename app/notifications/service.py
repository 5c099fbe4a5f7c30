"""Outbox use cases: queue a message with the change it reports, relay due rows to RQ, deliver one.

A use case that changes something a resident follows calls `queue_message` before its own commit, so
the message exists exactly when the change does. Redis and WeChat are only touched afterwards by the
relay and the worker: when either is down the rows wait in the database and sending resumes later
(an enqueue that fails changes nothing: the row is the truth, the job only a wake-up call).

Delivery is at least once, and twice only where the first attempt's outcome is unknown:
- the worker commits `sending` (with the attempt number) before calling WeChat, and records the answer
  right after it; a row still `queued` after NOTIFY_REQUEUE_AFTER_S was never attempted (the job was
  lost or its worker died before the call) and is handed over again, safely;
- a row left `sending` for that long belongs to a worker killed during the call: WeChat may or may not
  have sent it, so it is sent again (at least once), and logged;
- WeChat's answer lost after the request went out (a read timeout, a dropped connection) is also an
  unknown outcome: retried after the back-off. Failures before the request reached WeChat (connection
  refused, connect timeout) and WeChat's error answers are known not sent, and retried as usual;
- a success or a final refusal (43101 "not subscribed", a permanent error) is known and never sent
  again; a one-time subscription already used by a first attempt that did arrive makes WeChat refuse
  most second sends (43101), which bounds the duplicates of the unknown cases.
"""

import logging
from datetime import timedelta

import requests
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import and_, func, or_, select, update

from app.auth.models import User
from app.common import metrics
from app.common.errors import UpstreamError, ValidationFailed
from app.common.extensions import db
from app.common.logs import current_request_id
from app.common.models import utcnow
from app.common.tx import atomic, write_use_case
from app.notifications.models import OutboxMessage, Subscription
from app.wechat.client import WechatError, send_subscribe_message

log = logging.getLogger(__name__)

USER_NOT_SUBSCRIBED = 43101
# Errors a retry cannot fix: invalid openid, invalid template id, template data rejected.
PERMANENT_ERRCODES = {40003, 40037, 47003}
UNKNOWN_OUTCOME = "outcome unknown"  # last_error prefix: the request may have reached WeChat


def requeue_after() -> timedelta:
    """A row `queued` or `sending` this long is handed to the queue again (NOTIFY_REQUEUE_AFTER_S)."""
    return timedelta(seconds=float(_config("NOTIFY_REQUEUE_AFTER_S", 60)))


def template_id(config_key: str, default: str) -> str:
    """A subscribe-message template id from the configuration (WECHAT_TEMPLATE_*)."""
    return current_app.config.get(config_key, default)


# The subscribe-message templates this server sends: config key → default id.
TEMPLATES = {
    "WECHAT_TEMPLATE_DEMAND_STATUS": "tmpl-demand-status",
    "WECHAT_TEMPLATE_DEMAND_CONFIRM": "tmpl-demand-confirm",
    "WECHAT_TEMPLATE_CLAIM_RESULT": "tmpl-claim-result",
}


def known_templates() -> list[str]:
    return [template_id(key, default) for key, default in TEMPLATES.items()]


def clip(value: str, limit: int) -> str:
    """Text for a subscribe-message field (WeChat: thing ≤ 20 characters, phrase ≤ 5), on one line."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


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
    message = OutboxMessage(
        user_id=user_id, template_id=template, data=data, page=page, subject=subject, request_id=current_request_id()
    )
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
                    and_(OutboxMessage.status == "queued", OutboxMessage.queued_at < now - requeue_after()),
                    and_(OutboxMessage.status == "sending", OutboxMessage.sending_at < now - requeue_after()),
                )
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


@write_use_case
def relay(enqueue, limit: int = 100, now=None) -> int:
    """Hands due rows to the queue with `enqueue(message_id)`; if Redis is down nothing changes."""
    now = now or utcnow()
    rows = due_messages(limit, now)
    if not rows:  # ends the use case with nothing changed: the same as a rollback
        return 0
    try:
        for row in rows:
            enqueue(row.id)
    except RedisError as error:
        # Jobs enqueued before the failure are harmless: delivery skips rows already sent. Nothing changed
        # yet, so ending the use case just releases the rows.
        log.warning("notification relay: Redis unavailable (%s); %d messages wait", error, len(rows))
        metrics.redis_error("notification_relay")
        return 0
    for row in rows:
        if row.status == "sending":
            log.warning("notification %s: worker gone during attempt %s, sending again", row.id, row.attempts)
            row.last_error = f"{UNKNOWN_OUTCOME}: worker stopped during attempt {row.attempts}"
        row.status, row.queued_at = "queued", now
    return len(rows)


def deliver(message_id: int, now=None) -> str:
    """Sends one outbox message and records the outcome; returns the row's new status."""
    now = now or utcnow()
    # Committed before the call: a worker killed during it leaves `sending`, not `queued`.
    with atomic():
        row = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update(skip_locked=True)
        )
        if row is None or row.status not in ("pending", "queued"):
            return "skipped"  # another worker has it (or is sending it), or it is already done; nothing changed
        openid = db.session.scalar(select(User.openid).where(User.id == row.user_id))
        row.attempts += 1
        row.status, row.sending_at = "sending", now
        attempt, message = row.attempts, (row.template_id, row.data, row.page)

    outcome = {"errcode": None, "last_error": None}
    try:
        if not openid:
            raise WechatError(40003, "user has no openid")
        send_subscribe_message(openid, *message)
    except WechatError as error:
        outcome = {"errcode": error.errcode, "last_error": str(error.details.get("errmsg") or error.message)[:500]}
        if error.errcode == USER_NOT_SUBSCRIBED:
            outcome["status"] = "unsubscribed"  # recorded, never retried: the user did not allow this template
        elif error.errcode in PERMANENT_ERRCODES:
            outcome["status"] = "failed"
        else:
            outcome.update(_retry_later(attempt, now))
    except (UpstreamError, RedisError) as error:
        reached = _may_have_reached_wechat(error)
        prefix = f"{UNKNOWN_OUTCOME}: " if reached else ""
        outcome = {"errcode": None, "last_error": f"{prefix}{type(error).__name__}: {error}"[:500]}
        outcome.update(_retry_later(attempt, now))
    else:
        outcome = {"status": "sent", "sent_at": now, "errcode": None, "last_error": None}
    # Recorded only if the row is still this attempt's (a requeue after the window may have moved on).
    with atomic():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending", OutboxMessage.attempts == attempt)
            .values(**outcome)
        )
    return outcome["status"]


def _may_have_reached_wechat(error: Exception) -> bool:
    """False only when the request certainly never left (refused, connect timeout, Redis for the token)."""
    cause = error.__cause__
    if isinstance(error, RedisError) or cause is None:
        return False
    if isinstance(cause, requests.ConnectTimeout):
        return False
    if isinstance(cause, requests.ConnectionError) and "NewConnectionError" in repr(cause):
        return False
    request = getattr(cause, "request", None)  # the token call failing means the message never left
    if request is not None and "/message/subscribe/send" not in (request.url or ""):
        return False
    return isinstance(cause, requests.RequestException)


def _retry_later(attempts: int, now) -> dict:
    if attempts >= int(_config("NOTIFY_MAX_ATTEMPTS", 8)):
        return {"status": "failed"}
    return {"status": "pending", "next_attempt_at": now + backoff(attempts)}


def outbox_counts() -> dict:
    """Messages per status (for `flask notifications stats` and monitoring)."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return dict(rows.all())


@write_use_case
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
    return rows


def consents(user) -> list[Subscription]:
    return list(
        db.session.scalars(
            select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.template_id)
        )
    )
