"""The usage log (who searched in which circle on which day): exported, and deleted on 注销."""

from sqlalchemy import delete

from app.common.extensions import db
from app.common.personal_data import records
from app.usage.models import PlatformUse


def export(user) -> dict:
    return {"platform_uses": records(PlatformUse.user_id, user, ("circle_id", "day", "kind"), PlatformUse.day)}


def erase(erasure) -> None:
    result = db.session.execute(delete(PlatformUse).where(PlatformUse.user_id == erasure.user.id))
    erasure.count("platform_uses_deleted", result.rowcount)
