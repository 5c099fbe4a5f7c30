"""Delivered or given-up subscribe messages keep their payload (need titles, replies) only for troubleshooting."""

from app.common import retention

retention.register(
    retention.Rule(
        name="notification_payloads",
        table="notification_outbox",
        timestamp="updated_at",
        setting="RETENTION_NOTIFICATIONS_DAYS",
        default_days=30,
        where="status IN ('sent', 'unsubscribed', 'failed')",
        why="已发送或放弃的订阅消息（含需求标题、回复）：用于排查送达问题",
    )
)
