"""Configuration from environment variables only (12-factor)."""

import os
from pathlib import Path


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


class Config:
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    # A pooled connection idle for DATABASE_PING_IDLE_S is pinged before use (app/common/pool.py) and replaced if
    # a PostgreSQL restart broke it, so workers recover on their own; connect_timeout bounds the wait for a server
    # that does not answer (requests get 503 meanwhile).
    # At most 15 connections per process as with SQLAlchemy's default (5 kept + 10 overflow), all kept between
    # requests: an overflow connection was closed whenever 5 sat idle, and under load a worker whose requests hold
    # one only briefly (a me-too reads only its user's row here, when not remembered) logged in again and again.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_size": 15,
        "max_overflow": 0,
        "pool_pre_ping": False,
        "connect_args": {"connect_timeout": int(_env("DATABASE_CONNECT_TIMEOUT_S", "3"))},
    }
    DATABASE_PING_IDLE_S = float(_env("DATABASE_PING_IDLE_S", "1"))
    DATABASE_RETRY_AFTER_S = int(_env("DATABASE_RETRY_AFTER_S", "2"))  # Retry-After of the 503 while it is down
    DATABASE_CONNECT_TIMEOUT_S = int(_env("DATABASE_CONNECT_TIMEOUT_S", "3"))
    # The read path (app/common/reads.py): streaming replicas for declared read-only requests, comma-separated
    # SQLAlchemy URLs; none → the primary. A user who wrote within DATABASE_READ_YOUR_WRITES_S reads from the
    # primary; a replica that fails is left alone for DATABASE_REPLICA_RETRY_S.
    DATABASE_REPLICA_URLS = _env("DATABASE_REPLICA_URLS", "")
    DATABASE_READ_YOUR_WRITES_S = float(_env("DATABASE_READ_YOUR_WRITES_S", "10"))
    DATABASE_REPLICA_RETRY_S = float(_env("DATABASE_REPLICA_RETRY_S", "5"))
    # Read connections have no pre-ping; they are replaced after this many seconds (before idle timeouts).
    DATABASE_POOL_RECYCLE_S = int(_env("DATABASE_POOL_RECYCLE_S", "1800"))
    REDIS_URL = _env("REDIS_URL")
    # Redis down or hung degrades, never fails (app/common/redis.py): bounded calls, then skipped for a while.
    REDIS_CONNECT_TIMEOUT_S = float(_env("REDIS_CONNECT_TIMEOUT_S", "0.5"))
    REDIS_SOCKET_TIMEOUT_S = float(_env("REDIS_SOCKET_TIMEOUT_S", "0.5"))
    REDIS_DOWN_RETRY_S = float(_env("REDIS_DOWN_RETRY_S", "5"))
    SECRET_KEY = _env("SECRET_KEY")
    # Its own key, never derived from SECRET_KEY in production (a leaked Flask key must not mint tokens).
    JWT_SECRET_KEY = _env("JWT_SECRET")
    JWT_ACCESS_TOKEN_EXPIRES = int(_env("JWT_ACCESS_TOKEN_EXPIRES", "7200"))
    # A token's account row is remembered per process this long (0: read on every request); a change made
    # by another process (an account disabled or deleted) counts after at most this delay (app/auth/jwt.py).
    AUTH_USER_CACHE_S = float(_env("AUTH_USER_CACHE_S", "3"))
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
    WECHAT_TEMPLATE_CLAIM_RESULT = _env("WECHAT_TEMPLATE_CLAIM_RESULT", "tmpl-claim-result")
    NOTIFY_MAX_ATTEMPTS = int(_env("NOTIFY_MAX_ATTEMPTS", "8"))
    NOTIFY_BACKOFF_S = float(_env("NOTIFY_BACKOFF_S", "30"))
    # A message handed to the queue but not finished within this time (worker killed, job lost) is handed
    # over again; a message whose send may have reached WeChat is not (see notifications/service.py).
    NOTIFY_REQUEUE_AFTER_S = float(_env("NOTIFY_REQUEUE_AFTER_S", "60"))
    RQ_REDIS_URL = _env("RQ_REDIS_URL")
    # When the worker process recomputes every evaluation ahead (cron fields, local time; empty: never).
    EVALUATION_REFRESH_CRON = _env("EVALUATION_REFRESH_CRON", "30 2 * * *")
    # When the worker process brings the stored outlet ↔ circle reach up to date between the nightly passes (the
    # outlets and circles written since; the whole table after a bulk import): evaluations pair by geometry only
    # until then (cron fields; empty: only at the nightly pass).
    EVALUATION_REACH_REFRESH_CRON = _env("EVALUATION_REACH_REFRESH_CRON", "*/5 * * * *")
    # How many chunks of cities that refresh evaluates at once, each on its own database connection.
    EVALUATION_REFRESH_WORKERS = int(_env("EVALUATION_REFRESH_WORKERS", "2"))
    OPEN311_CHECK_OPENID = _env("OPEN311_CHECK_OPENID", "open311-client")
    TZ = _env("TZ", "Asia/Shanghai")
    UPLOAD_DIR = _env("UPLOAD_DIR", str(Path(__file__).resolve().parent.parent / "var" / "uploads"))
    UPLOAD_MAX_BYTES = int(_env("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
    # Largest request body (JSON) of any route, refused with 413 before it is read; uploads raise it per request
    # to UPLOAD_MAX_BYTES. 2 MB holds the largest circle boundary an admin posts.
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024)))
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")
    # Personal data: the privacy notice version residents must have accepted (a new one asks again) and where
    # its full text is published; retention periods are read by app/common/retention.py (RETENTION_*_DAYS).
    PRIVACY_NOTICE_VERSION = _env("PRIVACY_NOTICE_VERSION", "2026-12-01")
    PRIVACY_NOTICE_URL = _env("PRIVACY_NOTICE_URL")
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are trusted (0: none; the
    # docker compose nginx front is 1). Client addresses for rate limits come from the nearest untrusted hop.
    PROXY_HOPS = int(_env("PROXY_HOPS", "0"))
    # Development only: where this server listens, for URLs handed to other servers when
    # PUBLIC_BASE_URL is unset (`make run` serves on 127.0.0.1:$PORT).
    DEV_SERVER_URL = _env("DEV_SERVER_URL", f"http://127.0.0.1:{_env('PORT', '8000')}")
    # Walking model for walk_minutes: straight-line metres × detour factor ÷ speed.
    # 80 m/min (4.8 km/h) and a 1.2 street detour make 1 km straight ≈ 15 minutes.
    WALK_SPEED_M_PER_MIN = float(_env("WALK_SPEED_M_PER_MIN", "80"))
    WALK_DETOUR_FACTOR = float(_env("WALK_DETOUR_FACTOR", "1.2"))
    # A resident answers a circle's survey from inside it or within this walk of its boundary (15 minutes).
    SURVEY_HOME_RADIUS_M = int(_env("SURVEY_HOME_RADIUS_M", "1000"))
    RATELIMIT_STORAGE_URI = _env("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") == "1"
    # WeChat logins per client address: residents behind one carrier NAT share an address, so operators may
    # raise it; the mini-program's tests raise it (every page test logs a new resident in from 127.0.0.1).
    WECHAT_LOGIN_RATE_LIMIT = _env("WECHAT_LOGIN_RATE_LIMIT", "20/minute")
    # Redis unreachable: the same limits are counted in this process's memory until it answers again
    # (Flask-Limiter's fallback); any other storage error lets the request through rather than fail it.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

    # One JSON line per log record (request log included); "text" for reading in a terminal.
    LOG_FORMAT = _env("LOG_FORMAT", "json")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")

    API_TITLE = "一刻钟便民生活圈 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = None
    JSON_AS_ASCII = False
    JSON_SORT_KEYS = False

    APP_ENV = _env("APP_ENV", "development")
    # Flask's own FLASK_ENV (deprecated): it can make a deployment production, never the reverse.
    FLASK_ENV = _env("FLASK_ENV")
    # Secure cookies (HTTPS only): on in production unless COOKIE_SECURE=0; `make run` serves plain http.
    COOKIE_SECURE = _env("COOKIE_SECURE")

    # The web console (console/, built by Vite) served at /console/, and its map tiles.
    CONSOLE_DIST = _env("CONSOLE_DIST", str(Path(__file__).resolve().parent.parent / "console" / "dist"))
    # A tile URL template ({z}/{x}/{y}, {s}) and the coordinate system of its tiles; no URL → plain background.
    MAP_TILE_URL = _env("MAP_TILE_URL")
    MAP_TILE_COORD = _env("MAP_TILE_COORD", "gcj02")
    MAP_TILE_SUBDOMAINS = _env("MAP_TILE_SUBDOMAINS", "")
    MAP_TILE_ATTRIBUTION = _env("MAP_TILE_ATTRIBUTION", "")

    @classmethod
    def check(cls, config):
        """Refuses to start with a configuration that is unsafe for its environment (ConfigError)."""
        problems = [f"{k} is required" for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL") if not config.get(k)]
        env = str(config.get("APP_ENV") or "development").strip().lower()
        if env not in APP_ENVS:
            problems.append(f"APP_ENV={config.get('APP_ENV')!r} is unknown (one of: {', '.join(APP_ENVS)})")
        production = env == "production" or str(config.get("FLASK_ENV") or "").strip().lower() == "production"
        config["PRODUCTION"] = production
        secure = config.get("COOKIE_SECURE")
        config["JWT_COOKIE_SECURE"] = production if secure in (None, "") else str(secure) == "1"
        if config.get("MAP_TILE_COORD") not in ("gcj02", "wgs84"):
            problems.append("MAP_TILE_COORD must be gcj02 or wgs84")
        if production:
            problems += production_problems(config)
        if problems:
            raise ConfigError("refusing to start: " + "; ".join(problems))
        if not production:
            # Development only: fixed keys keep tokens valid across restarts of `make run`.
            config["SECRET_KEY"] = config.get("SECRET_KEY") or DEV_SECRET_KEY
            config["JWT_SECRET_KEY"] = config.get("JWT_SECRET_KEY") or config["SECRET_KEY"]


APP_ENVS = ("development", "test", "production")
DEV_SECRET_KEY = "dev-only-secret-change-me-0123456789"
# Values that ship in this repository (defaults, examples, the stub): never secrets in production.
DEV_DEFAULTS = {DEV_SECRET_KEY, "wx-dev-secret", "wx-dev-appid", "stub-push-token", "circle", "change-me"}
MIN_SECRET_BYTES = 32
# (config key, environment variable, minimum length): WeChat fixes the length of its own values
# (AppSecret 32 hex characters, push Token 3-32 characters), so only our keys have a minimum here.
PRODUCTION_SECRETS = (
    ("SECRET_KEY", "SECRET_KEY", MIN_SECRET_BYTES),
    ("JWT_SECRET_KEY", "JWT_SECRET", MIN_SECRET_BYTES),
    ("WECHAT_SECRET", "WECHAT_SECRET", 0),
    ("WECHAT_PUSH_TOKEN", "WECHAT_PUSH_TOKEN", 0),
)


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message names every variable to fix."""


def production_problems(config) -> list[str]:
    problems = []
    for key, var, minimum in PRODUCTION_SECRETS:
        value = config.get(key)
        if not value:
            problems.append(f"{var} is required in production")
        elif value in DEV_DEFAULTS:
            problems.append(f"{var} is a development default; generate one (e.g. `openssl rand -hex 32`)")
        elif len(str(value).encode()) < minimum:
            problems.append(f"{var} must be at least {minimum} bytes (e.g. `openssl rand -hex 32`)")
    if config.get("WECHAT_APPID") in DEV_DEFAULTS:
        problems.append("WECHAT_APPID is the development placeholder; set the mini-program's AppID")
    if config.get("SECRET_KEY") and config.get("SECRET_KEY") == config.get("JWT_SECRET_KEY"):
        problems.append("JWT_SECRET must differ from SECRET_KEY")
    base = str(config.get("PUBLIC_BASE_URL") or "")
    if not base:
        problems.append("PUBLIC_BASE_URL is required in production (e.g. https://api.example.cn)")
    elif not base.lower().startswith("https://"):
        problems.append(f"PUBLIC_BASE_URL must be an https:// address in production, not {base!r}")
    return problems
