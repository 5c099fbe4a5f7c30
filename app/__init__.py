"""Resident service platform for the 一刻钟便民生活圈 programme: the Flask application factory."""

from flask import Flask, request

from app.auth.jwt import init_jwt_callbacks
from app.common import inputs, pool, reads
from app.common.errors import AppError, register_error_handlers
from app.common.extensions import api, db, jwt, limiter, migrate
from app.common.flaskapp import App
from app.common.http import add_security_headers, trust_proxies
from app.common.logs import configure_logging, init_request_logging
from app.common.method_override import MethodOverride
from app.common.openapi import ErrorResponsesPlugin
from app.config import Config

# Domain packages whose models and routes make up the app; each has models.py and usually routes.py.
DOMAINS = (
    "taxonomy",
    "circles",
    "outlets",
    "auth",
    "audit",
    "uploads",
    "merchants",
    "repair",
    "demands",
    "notifications",
    "open311",
    "ratings",
    "places",
    "surveys",
    "events",
    "usage",
    "evaluation",
    "demo",
    "privacy",
    "console",
    "ops",
)


def create_app(overrides: dict | None = None) -> Flask:
    app = App(__name__)
    app.wsgi_app = MethodOverride(app.wsgi_app)
    app.config.from_object(Config)
    if overrides:
        app.config.update(overrides)
    Config.check(app.config)
    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    trust_proxies(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    init_request_logging(app)  # first, so the request id and timer exist before any other hook can answer
    db.init_app(app)
    with app.app_context():
        pool.init_app(app, db.engine)
    reads.init_app(app)
    migrate.init_app(app, db, directory=str(__import__("pathlib").Path(__file__).parent.parent / "migrations"))
    jwt.init_app(app)
    init_jwt_callbacks()
    _limiter_storage_options(app)
    limiter.init_app(app)
    api.init_app(
        app,
        spec_kwargs={
            "info": {"description": "一刻钟便民生活圈居民服务平台接口"},
            "extra_plugins": [ErrorResponsesPlugin(app)],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    # The web console sends the same token as the console_access cookie (+ X-CSRF-TOKEN on writes).
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "console_access"})
    register_error_handlers(app, api)
    inputs.init_app(app, api)
    _require_json_bodies(app)
    add_security_headers(app)

    from app import registry

    registry.register(app, api)
    from app.evaluation import invalidation, nightly

    invalidation.init_app(app)  # cached evaluations follow every change of their inputs (session hooks, signals)
    nightly.init_app(app)  # and are computed ahead each night (RQ cron, run by the worker process)
    from app.console.serve import console_files

    app.register_blueprint(console_files)
    return app


# Endpoints that take files (multipart/form-data); every other body is JSON.
MULTIPART_PATHS = ("/api/v1/uploads", "/api/v1/staff/outlets/import")


def _limiter_storage_options(app):
    """The limiter's Redis client gets the same short timeouts and circuit breaker as ours."""
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://", "unix://")):
        from app.common.redis import client_options

        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", client_options(app.config))


def _require_json_bodies(app):
    """A body sent as form data or text is refused before parsing, with the contract's envelope."""

    @app.before_request
    def _check_content_type():
        if request.method in ("POST", "PUT", "PATCH") and request.path.startswith("/api/"):
            if request.content_length in (None, 0) and not request.headers.get("Transfer-Encoding"):
                return None
            if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
                return None
            if request.mimetype == "multipart/form-data" and (
                request.path.startswith(MULTIPART_PATHS) or request.path.endswith("/batch")  # CSV batch entries
            ):
                return None
            raise AppError(
                "请求体必须是 JSON（Content-Type: application/json）", code="unsupported_media_type", status=415
            )
