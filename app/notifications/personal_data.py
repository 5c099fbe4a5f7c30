"""Subscribe messages to a resident (their payloads quote needs and replies) and their subscribe consents:
exported; deleted on 注销."""

from sqlalchemy import delete

from app.common.extensions import db
from app.common.personal_data import records
from app.notifications.models import OutboxMessage, Subscription


def export(user) -> dict:
    fields = ("template_id", "data", "page", "status", "created_at", "sent_at")
    return {
        "notifications": records(OutboxMessage.user_id, user, fields),
        "notification_subscriptions": records(
            Subscription.user_id,
            user,
            ("template_id", "last_answer", "credits", "updated_at"),
            order_by=Subscription.template_id,
        ),
    }


def erase(erasure) -> None:
    result = db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == erasure.user.id))
    erasure.count("notifications_deleted", result.rowcount)
    result = db.session.execute(delete(Subscription).where(Subscription.user_id == erasure.user.id))
    erasure.count("notification_subscriptions_deleted", result.rowcount)
