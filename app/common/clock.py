"""Local time for opening hours and survey periods: the circles are in China (Asia/Shanghai)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def local_zone() -> ZoneInfo:
    name = current_app.config.get("TZ", "Asia/Shanghai") if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def now_local() -> datetime:
    return datetime.now(local_zone())
