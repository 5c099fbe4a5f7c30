"""Request ids, JSON log lines, and the per-request access log and metrics.

Every request gets an id: the front proxy's `X-Request-ID` when it is a plausible id (nginx sets its own
`$request_id`), otherwise a new one. It is returned as `X-Request-ID` on every response (errors included), is
on every log line written while the request runs, is stored with the notifications the request queued and is
logged again by the worker that delivers them, so a resident's complaint can be traced end to end.

One JSON line per request on the `app.access` logger: request id, method, route template, path (never the
query string: it holds coordinates and search words), status, duration, user id. Never tokens, phone numbers,
openids or free text.
"""

import json
import logging
import math
import os
import re
import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, g, request

from app.common import fastjson, metrics

REQUEST_ID_HEADER = "X-Request-ID"
# Read from the WSGI environ: werkzeug's headers raise (and build) a KeyError for an absent header.
_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access_log = logging.getLogger("app.access")


def current_request_id() -> str | None:
    """The id of the request (or the job started by one) being handled in this context."""
    return _request_id.get()


@contextmanager
def bound_request_id(request_id: str | None):
    """Runs a block (e.g. a worker job) under the id of the request that caused it."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def new_request_id(incoming: str | None = None) -> str:
    # Only a plausible id is kept: an attacker-controlled header must not forge log lines or inflate them.
    if incoming and _VALID_ID.match(incoming):
        return incoming
    return os.urandom(16).hex()  # 32 random hex digits, as uuid4().hex without building a UUID per request


def _install_record_factory():
    """Every log record made while a request (or its job) runs carries its id, whichever handler writes it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


_install_record_factory()


# LogRecord attributes that are not "extra" fields.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the record's extra fields."""

    def format(self, record):
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return _dumps(line)


def _dumps(line: dict) -> str:
    # NaN/Infinity (a measured value gone wrong) as json writes them, which orjson would make null.
    if any(isinstance(v, float) and not math.isfinite(v) for v in line.values()):
        return json.dumps(line, ensure_ascii=False, default=str)
    return fastjson.dumps(line, default=str)


_configured = False


def configure_logging(level: str = "INFO", fmt: str = "json"):
    """Root logging to stderr, once per process: JSON lines (default) or plain text for a terminal."""
    global _configured
    if _configured:
        return
    _configured = True
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)  # added, not swapped in: handlers others installed (a test runner's) keep working
    root.setLevel(level.upper())
    # The package is named "app", so Flask's app.logger is the parent of every logger here: its plain-text
    # default handler would print each line a second time.
    from flask.logging import default_handler

    logging.getLogger("app").removeHandler(default_handler)


def _user_id():
    # flask-jwt-extended keeps the verified token here; nothing is decoded for logging's sake.
    claims = g.get("_jwt_extended_jwt") or {}
    subject = claims.get("sub")
    return int(subject) if isinstance(subject, str) and subject.isdigit() else subject


def init_request_logging(app: Flask):
    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        g.request_id = new_request_id(request.environ.get(_REQUEST_ID_ENVIRON))
        g.request_id_token = _request_id.set(g.request_id)

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id is None:  # a response produced before our before_request ran (another hook failed)
            request_id = g.request_id = new_request_id(request.environ.get(_REQUEST_ID_ENVIRON))
            g.request_id_token = _request_id.set(request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        duration = time.perf_counter() - g.get("request_started", time.perf_counter())
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.observe_request(request.method, route, response.status_code, duration)
        if access_log.isEnabledFor(logging.INFO):
            # The record made here rather than by `info()`, which would first walk the stack for the caller's
            # file and line (findCaller): the same line for every request, and no formatter here writes it.
            extra = {
                "method": request.method,
                "route": route,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "user_id": _user_id(),
            }
            access_log.handle(
                access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, "request", (), None, "_finish", extra)
            )
        return response

    @app.teardown_request
    def _unbind(_error=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                _request_id.reset(token)
            except ValueError:  # torn down in another context than it started in (streamed responses)
                _request_id.set(None)
