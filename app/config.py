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
    # The mini-program sends a bearer header; the web console keeps the same token in an HttpOnly,
    # SameSite=Strict cookie that scripts cannot read, with a double-submit CSRF token on every
    # state-changing call (the readable console_csrf cookie echoed in X-CSRF-TOKEN).
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    JWT_ACCESS_COOKIE_NAME = "console_access"
    JWT_ACCESS_COOKIE_PATH = "/api/"
    JWT_ACCESS_CSRF_COOKIE_NAME = "console_csrf"
    JWT_ACCESS_CSRF_COOKIE_PATH = "/"
    JWT_ACCESS_CSRF_HEADER_NAME = "X-CSRF-TOKEN"
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_CSRF_CHECK_FORM = False
    JWT_COOKIE_SAMESITE = "Strict"
    JWT_SESSION_COOKIE = True  # gone when the browser closes; the token itself expires anyway
    # Failed password logins before an account is locked for 15 minutes.
    LOGIN_LOCK_AFTER = int(_env("LOGIN_LOCK_AFTER", "5"))
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
    # Secure cookies in production (HTTPS); `make run` serves plain http on loopback.
    JWT_COOKIE_SECURE = _env("COOKIE_SECURE", "1" if PRODUCTION else "0") == "1"

    # The web console (console/, built by Vite) served at /console/, and its map tiles.
    CONSOLE_DIST = _env("CONSOLE_DIST", str(Path(__file__).resolve().parent.parent / "console" / "dist"))
    # A tile URL template ({z}/{x}/{y}, {s}) and the coordinate system of its tiles; no URL → plain background.
    MAP_TILE_URL = _env("MAP_TILE_URL")
    MAP_TILE_COORD = _env("MAP_TILE_COORD", "gcj02")
    MAP_TILE_SUBDOMAINS = _env("MAP_TILE_SUBDOMAINS", "")
    MAP_TILE_ATTRIBUTION = _env("MAP_TILE_ATTRIBUTION", "")

    @classmethod
    def check(cls, config):
        missing = [k for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL") if not config.get(k)]
        if config.get("PRODUCTION"):
            missing += [k for k in ("SECRET_KEY", "JWT_SECRET_KEY") if not config.get(k)]
            if config.get("WECHAT_SECRET") == "wx-dev-secret":
                missing.append("WECHAT_SECRET")
            if config.get("WECHAT_PUSH_TOKEN") == "stub-push-token":
                missing.append("WECHAT_PUSH_TOKEN")
        if config.get("MAP_TILE_COORD") not in ("gcj02", "wgs84"):
            raise RuntimeError("MAP_TILE_COORD must be gcj02 or wgs84")
        if missing:
            raise RuntimeError(f"missing configuration: {', '.join(missing)} (set the environment variables)")
        if not config.get("SECRET_KEY"):
            # Development only: a fixed key keeps tokens valid across restarts of `make run`.
            config["SECRET_KEY"] = config["JWT_SECRET_KEY"] = "dev-only-secret-change-me-0123456789"
