"""Prometheus metrics (prometheus_client): the one place metrics are defined, and a tiny API to count events.

Other modules call the functions below instead of touching prometheus_client:

    from app.common import metrics
    metrics.redis_error("rate_limit")          # a Redis call failed
    metrics.redis_fallback("rate_limit")       # … and the feature degraded instead of failing
    metrics.cache_lookup("evaluation", hit=True)
    metrics.content_check("unavailable")       # pass | review | risky | unavailable

Under gunicorn the workers are separate processes: `gunicorn.conf.py` sets PROMETHEUS_MULTIPROC_DIR before
any worker starts, so every value is written to a per-process file there and `render()` adds them up (the
client's multiprocess mode). Without it (tests, `flask` commands) the values live in this process.
Values that describe shared state (outbox depth, queue length) are not counted but read at scrape time by
collectors handed to `render()` (app/notifications/metrics.py), so every worker reports the same truth.
"""

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.pool import Pool

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Requests, labelled by route template (never the raw path: ids would explode the series).
REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the first byte of the request to the response, in the application",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_POOL_IN_USE = Gauge(
    "db_pool_connections_in_use", "Database connections checked out of the pools", multiprocess_mode="livesum"
)
DB_POOL_CONNECTIONS = Gauge(
    "db_pool_connections_open", "Database connections the pools hold open", multiprocess_mode="livesum"
)
REDIS_ERRORS = Counter("redis_errors_total", "Redis calls that failed", ["operation"])
REDIS_FALLBACKS = Counter(
    "redis_fallbacks_total", "Times a feature degraded (memory, database, no cache) because Redis failed", ["feature"]
)
CACHE_LOOKUPS = Counter("cache_lookups_total", "Cache lookups by result", ["cache", "result"])
CONTENT_CHECKS = Counter(
    "content_checks_total", "WeChat content-safety checks by outcome (unavailable = the check failed)", ["outcome"]
)


def observe_request(method: str, route: str, status: int, seconds: float):
    # The labelled series of a (method, route, status) are looked up once: `labels()` validates, locks and
    # builds its key on every call (a few % of a nearby search's CPU for two metrics).
    series = _REQUEST_SERIES.get((method, route, status))
    if series is None:
        series = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route, str(status)))
        if len(_REQUEST_SERIES) < 10_000:  # routes are templates; odd methods from clients are not kept
            _REQUEST_SERIES[(method, route, status)] = series
    series[0].inc()
    series[1].observe(seconds)


_REQUEST_SERIES: dict = {}


def redis_error(operation: str):
    """A Redis call failed. The application's client counts its own at the connection (`connect`,
    `read_timeout`, `skipped_while_down` while the breaker is open: app/common/redis.py); other clients
    (RQ's) name the operation. Call sites count what they did instead with `redis_fallback`."""
    REDIS_ERRORS.labels(operation).inc()


def redis_fallback(feature: str):
    """A feature served without Redis (per-process limits, no cache, database queue) instead of failing."""
    REDIS_FALLBACKS.labels(feature).inc()


def cache_lookup(cache: str, hit: bool, count: int = 1):
    CACHE_LOOKUPS.labels(cache, "hit" if hit else "miss").inc(count)


CONTENT_OUTCOMES = ("pass", "review", "risky", "unavailable")


def content_check(outcome: str):
    CONTENT_CHECKS.labels(outcome if outcome in CONTENT_OUTCOMES else "other").inc()


# Pool use per process, summed over the live workers: checked out now, and open in total. Only what these
# listeners counted is uncounted again (a flag on the connection record): a pool may hand out connections before
# this module is imported, and their check-ins must not push the gauges below zero.
@event.listens_for(Pool, "checkout")
def _checkout(_dbapi_connection, record, _proxy):
    record.info["metrics_checked_out"] = True
    DB_POOL_IN_USE.inc()


@event.listens_for(Pool, "checkin")
def _checkin(_dbapi_connection, record):
    if record is not None and record.info.pop("metrics_checked_out", False):
        DB_POOL_IN_USE.dec()


@event.listens_for(Pool, "connect")
def _connect(_dbapi_connection, record):
    record.info["metrics_open"] = True
    DB_POOL_CONNECTIONS.inc()


@event.listens_for(Pool, "close")
def _close(_dbapi_connection, record):
    if record is not None and record.info.pop("metrics_open", False):
        DB_POOL_CONNECTIONS.dec()


@event.listens_for(Pool, "detach")
def _detach(_dbapi_connection, record):
    # A detached connection is no longer the pool's: uncount it now (close_detached has no record to ask).
    if record.info.pop("metrics_checked_out", False):
        DB_POOL_IN_USE.dec()
    if record.info.pop("metrics_open", False):
        DB_POOL_CONNECTIONS.dec()


class _ThisProcess:
    """The default registry as one collector (single-process mode)."""

    def collect(self):
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def render(*state_collectors) -> bytes:
    """The exposition text: every worker's values plus the shared state that the given collectors read at
    scrape time (inside an app context; e.g. the notification outbox's, app/notifications/metrics.py)."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in state_collectors:
        registry.register(collector)
    return generate_latest(registry)
