"""The app behind its proxies, and the headers every response carries.

- `X-Forwarded-*` are trusted only from `PROXY_HOPS` proxies (werkzeug's ProxyFix): with 0 they are
  ignored, so a client cannot choose its own address for the rate limits; with the one nginx of docker
  compose in front, `request.remote_addr` is the resident's address, not nginx's.
- Outbound URLs (handed to WeChat, written into messages) come from configuration, never from the
  request's Host header, which the client chooses.
"""

from flask import current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import ConfigError

HSTS = "max-age=31536000"  # a year; no includeSubDomains: the operator's other hosts are not ours to decide
# Answers with a bearer token in them: never stored by a browser, WebView or shared cache.
TOKEN_ENDPOINTS = ("/api/v1/auth/",)


def trust_proxies(app) -> None:
    hops = app.config.get("PROXY_HOPS") or 0
    if not isinstance(hops, int) or not 0 <= hops <= 5:
        raise ConfigError(f"refusing to start: PROXY_HOPS must be a whole number 0-5, not {hops!r}")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def personal(req) -> bool:
    """Per-user answers: the request names a user (bearer token or session cookie), or logs one in."""
    environ = req.environ  # not req.headers: an absent header raises (and builds) a KeyError there
    return bool(environ.get("HTTP_AUTHORIZATION") or (environ.get("HTTP_COOKIE") and req.cookies)) or (
        req.path.startswith(TOKEN_ENDPOINTS)
    )


def add_security_headers(app) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if personal(request) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:  # https as seen by the client, through ProxyFix
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def outbound_base() -> str:
    """The absolute base of URLs given to other servers: PUBLIC_BASE_URL, or in development where this
    server listens (DEV_SERVER_URL). Production refuses to start without PUBLIC_BASE_URL (app.config)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or current_app.config.get("DEV_SERVER_URL")
    return base.rstrip("/")
