"""Subscribe messages to a resident (their payloads quote needs and replies): exported; deleted on 注销."""

from sqlalchemy import delete, select

from app.extensions import db
from app.notifications.models import OutboxMessage


def export(user) -> dict:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
    ).all()
    return {
        "notifications": [
            {
                "template_id": m.template_id,
                "data": m.data,
                "page": m.page,
                "status": m.status,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
            }
            for m in rows
        ]
    }


def erase(erasure) -> None:
    result = db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == erasure.user.id))
    erasure.count("notifications_deleted", result.rowcount)
