"""Local time for opening hours and survey periods: the circles are in China (Asia/Shanghai)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def local_zone() -> ZoneInfo:
    name = current_app.config.get("TZ", "Asia/Shanghai") if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def now_local() -> datetime:
    return datetime.now(local_zone())


def local_day_start(day) -> datetime:
    """Midnight of a calendar day in local time (date filters such as "submitted on or after 12-01")."""
    return datetime(day.year, day.month, day.day, tzinfo=local_zone())
