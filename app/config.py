"""Configuration from environment variables only (12-factor)."""

import os
from pathlib import Path


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


class Config:
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")
    SECRET_KEY = _env("SECRET_KEY")
    JWT_SECRET_KEY = _env("JWT_SECRET", _env("SECRET_KEY"))
    JWT_ACCESS_TOKEN_EXPIRES = int(_env("JWT_ACCESS_TOKEN_EXPIRES", "7200"))
    WECHAT_APPID = _env("WECHAT_APPID", "wx-dev-appid")
    WECHAT_SECRET = _env("WECHAT_SECRET", "wx-dev-secret")
    WECHAT_API_BASE = _env("WECHAT_API_BASE", "https://api.weixin.qq.com")
    WECHAT_TIMEOUT_S = float(_env("WECHAT_TIMEOUT_S", "5"))
    WECHAT_PUSH_TOKEN = _env("WECHAT_PUSH_TOKEN", "stub-push-token")
    # Subscribe-message templates (data keys: thing1 需求, phrase2 状态, thing3 说明, time4 时间).
    WECHAT_TEMPLATE_DEMAND_STATUS = _env("WECHAT_TEMPLATE_DEMAND_STATUS", "tmpl-demand-status")
    WECHAT_TEMPLATE_DEMAND_CONFIRM = _env("WECHAT_TEMPLATE_DEMAND_CONFIRM", "tmpl-demand-confirm")
    NOTIFY_MAX_ATTEMPTS = int(_env("NOTIFY_MAX_ATTEMPTS", "8"))
    NOTIFY_BACKOFF_S = float(_env("NOTIFY_BACKOFF_S", "30"))
    RQ_REDIS_URL = _env("RQ_REDIS_URL")
    OPEN311_CHECK_OPENID = _env("OPEN311_CHECK_OPENID", "open311-client")
    TZ = _env("TZ", "Asia/Shanghai")
    UPLOAD_DIR = _env("UPLOAD_DIR", str(Path(__file__).resolve().parent.parent / "var" / "uploads"))
    UPLOAD_MAX_BYTES = int(_env("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")
    # Personal data: the privacy notice version residents must have accepted (a new one asks again) and where
    # its full text is published; retention periods are read by app/common/retention.py (RETENTION_*_DAYS).
    PRIVACY_NOTICE_VERSION = _env("PRIVACY_NOTICE_VERSION", "2026-12-01")
    PRIVACY_NOTICE_URL = _env("PRIVACY_NOTICE_URL")
    # Walking model for walk_minutes: straight-line metres × detour factor ÷ speed.
    # 80 m/min (4.8 km/h) and a 1.2 street detour make 1 km straight ≈ 15 minutes.
    WALK_SPEED_M_PER_MIN = float(_env("WALK_SPEED_M_PER_MIN", "80"))
    WALK_DETOUR_FACTOR = float(_env("WALK_DETOUR_FACTOR", "1.2"))
    RATELIMIT_STORAGE_URI = _env("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") == "1"

    API_TITLE = "一刻钟便民生活圈 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = None
    JSON_AS_ASCII = False
    JSON_SORT_KEYS = False

    PRODUCTION = _env("FLASK_ENV", _env("APP_ENV", "development")) == "production"

    @classmethod
    def check(cls, config):
        missing = [k for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL") if not config.get(k)]
        if config.get("PRODUCTION"):
            missing += [k for k in ("SECRET_KEY", "JWT_SECRET_KEY") if not config.get(k)]
            if config.get("WECHAT_SECRET") == "wx-dev-secret":
                missing.append("WECHAT_SECRET")
            if config.get("WECHAT_PUSH_TOKEN") == "stub-push-token":
                missing.append("WECHAT_PUSH_TOKEN")
        if missing:
            raise RuntimeError(f"missing configuration: {', '.join(missing)} (set the environment variables)")
        if not config.get("SECRET_KEY"):
            # Development only: a fixed key keeps tokens valid across restarts of `make run`.
            config["SECRET_KEY"] = config["JWT_SECRET_KEY"] = "dev-only-secret-change-me-0123456789"
