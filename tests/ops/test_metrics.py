"""/metrics in the Prometheus text format: requests per route and status, pool use, Redis errors and fallbacks,
outbox depth and age, RQ queue length, evaluation cache hits and misses, content-check outcomes."""

from datetime import timedelta

import requests
from prometheus_client.parser import text_string_to_metric_families

from app.common import metrics
from app.common.models import utcnow
from app.evaluation import cache
from app.notifications.service import queue_message
from app.wechat.moderation import screen_text


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_per_route_method_and_status(client):
    before = scrape(client)
    client.get("/api/v1/outlets/1234567")
    client.get("/api/v1/outlets/7654321")
    client.get("/healthz")
    after = scrape(client)
    route = "/api/v1/outlets/<int:outlet_id>"
    assert (
        value(after, "http_requests_total", method="GET", route=route, status="404")
        - value(before, "http_requests_total", method="GET", route=route, status="404")
        == 2
    )
    histogram = {"method": "GET", "route": route, "status": "404"}
    assert (
        value(after, "http_request_duration_seconds_count", **histogram)
        - value(before, "http_request_duration_seconds_count", **histogram)
        == 2
    )
    assert value(after, "http_request_duration_seconds_bucket", **histogram, le="+Inf") >= 2


def test_shared_state_is_read_at_scrape_time(client, make, db):
    samples = scrape(client)
    assert value(samples, "notification_outbox_messages", status="pending") == 0
    assert value(samples, "notification_outbox_oldest_age_seconds") == 0
    assert value(samples, "rq_queue_length", queue="notifications") == 0

    user = make.user()
    message = queue_message(user.id, "tmpl", {"thing1": {"value": "x"}})
    db.session.flush()
    message.created_at = utcnow() - timedelta(minutes=5)
    db.session.flush()
    samples = scrape(client)
    assert value(samples, "notification_outbox_messages", status="pending") == 1
    assert 300 <= value(samples, "notification_outbox_oldest_age_seconds") < 400


def test_pool_use_is_reported(client):
    samples = scrape(client)
    # The scrape itself and the test's transaction hold connections while the text is made.
    assert value(samples, "db_pool_connections_in_use") >= 1
    assert value(samples, "db_pool_connections_open") >= value(samples, "db_pool_connections_in_use")


def test_evaluation_cache_hits_and_misses(app, client, redis):
    before = scrape(client)
    with app.app_context():
        key, field = cache.circle_key(424242), cache.field_name("evaluation", "profile@1", "2026-12-01")
        assert cache.get(key, field) is None
        cache.put(key, field, {"grade": "good"})
        assert cache.get(key, field) == {"grade": "good"}
    after = scrape(client)
    hits = value(after, "cache_lookups_total", cache="evaluation", result="hit") - value(
        before, "cache_lookups_total", cache="evaluation", result="hit"
    )
    misses = value(after, "cache_lookups_total", cache="evaluation", result="miss") - value(
        before, "cache_lookups_total", cache="evaluation", result="miss"
    )
    assert (misses, hits) == (1, 1)


def test_content_checks_by_outcome_and_failures(app, client, stub, redis):
    before = scrape(client)
    with app.app_context():
        screen_text("楼下想要一家早餐店", "openid-1")
        screen_text("这里有人加微信代购", "openid-1")
        requests.post(f"{stub}/stub/fail", json={"path": "/wxa/msg_sec_check", "times": 1, "status": 503}, timeout=5)
        screen_text("楼下想要一家早餐店", "openid-1")
    after = scrape(client)
    for outcome in ("pass", "review", "unavailable"):
        assert (
            value(after, "content_checks_total", outcome=outcome)
            - value(before, "content_checks_total", outcome=outcome)
            == 1
        ), outcome


def test_redis_errors_and_fallbacks_api(client):
    before = scrape(client)
    metrics.redis_error("rate_limit")
    metrics.redis_fallback("rate_limit")
    after = scrape(client)
    assert (
        value(after, "redis_errors_total", operation="rate_limit")
        - value(before, "redis_errors_total", operation="rate_limit")
        == 1
    )
    assert (
        value(after, "redis_fallbacks_total", feature="rate_limit")
        - value(before, "redis_fallbacks_total", feature="rate_limit")
        == 1
    )


def test_a_redis_outage_is_counted_and_metrics_still_answer(app):
    from app import create_app

    down = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "TESTING", "WECHAT_API_BASE")},
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_ENABLED": False,
        }
    )
    client = down.test_client()
    before = scrape(client)
    assert client.get("/readyz").status_code == 200
    after = scrape(client)
    errors = sum(
        value(after, "redis_errors_total", operation=op) - value(before, "redis_errors_total", operation=op)
        for op in ("connect", "skipped_while_down")
    )
    assert errors >= 1  # counted by the connection, whichever feature asked
    with down.app_context():
        assert cache.get(cache.circle_key(1), "evaluation|x|2026-12-01") is None
    fallbacks = scrape(client)
    assert (
        value(fallbacks, "redis_fallbacks_total", feature="evaluation_cache")
        - value(after, "redis_fallbacks_total", feature="evaluation_cache")
        == 1
    )
    assert ("rq_queue_length", (("queue", "notifications"),)) not in after  # unknown, not a made-up 0
