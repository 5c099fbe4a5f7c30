"""Served for real: gunicorn with gunicorn.conf.py (what `make run` and the image run) and Debian's nginx with
the compose front's configuration, on loopback. Slow clients must not hold up a normal request; nginx's own
errors are the contract's JSON envelope; /metrics adds up every worker and is not reachable through the front.

The 100 ms bound on the delay is measured by bench/slow_clients.py; here a frozen server (the old sync workers
wait for the slow clients' headers for tens of seconds) is told apart from a serving one with a wide margin.
"""

import json
import os
import socket
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.live_servers import free_port, nginx_binary, start_gunicorn, start_nginx

SLOW_CLIENTS = 50
ROUNDS = 3  # header lines each slow client sends, one per round
FROZEN_S = 3.0  # a normal request slower than this means the server waits for the slow clients (they never finish)


@pytest.fixture(scope="module")
def backend_env(app):
    # The migrated test database and Redis of this session (the `app` fixture exported them).
    return {
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        "RATELIMIT_ENABLED": "0",
        "WEB_WORKERS": "2",
    }


@pytest.fixture(scope="module")
def gunicorn(backend_env, tmp_path_factory):
    with start_gunicorn(tmp_path_factory.mktemp("gunicorn"), backend_env) as server:
        yield server


needs_nginx = pytest.mark.skipif(nginx_binary() is None, reason="nginx missing: `make test` installs it")


@pytest.fixture(scope="module")
def front(backend_env, tmp_path_factory):
    if nginx_binary() is None:
        pytest.skip("nginx missing")
    # Behind the front, even the weakest backend (one sync worker, one request at a time) is enough.
    # (--threads 1: with more threads gunicorn silently makes a sync worker gthread.)
    with start_gunicorn(
        tmp_path_factory.mktemp("sync"), backend_env, "-k", "sync", "-w", "1", "--threads", "1"
    ) as backend:
        host = backend.url.removeprefix("http://")
        with start_nginx(tmp_path_factory.mktemp("nginx"), host) as nginx:
            nginx.backend = backend
            yield nginx


def slow_clients(url: str, count: int) -> list[socket.socket]:
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")
        sockets.append(sock)
    return sockets


def assert_served_despite_slow_clients(url: str):
    sockets = slow_clients(url, SLOW_CLIENTS)
    try:
        slowest = 0.0
        for round_ in range(ROUNDS):
            for sock in sockets:
                sock.sendall(f"X-Slow-{round_}: still sending\r\n".encode())
            for _ in range(3):
                started = time.perf_counter()
                response = requests.get(f"{url}/healthz", timeout=10)
                slowest = max(slowest, time.perf_counter() - started)
                assert response.status_code == 200
            time.sleep(0.5)
        assert slowest < FROZEN_S, f"a normal request took {slowest:.2f} s with {SLOW_CLIENTS} slow clients"
        # The slow clients were really mid-request all along: finishing one gets it answered.
        sockets[0].sendall(b"Connection: close\r\n\r\n")
        assert sockets[0].recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for sock in sockets:
            sock.close()


def test_gunicorn_threads_serve_while_50_clients_trickle_headers(gunicorn):
    assert_served_despite_slow_clients(gunicorn.url)


@needs_nginx
def test_the_front_buffers_slow_clients_before_a_single_sync_worker(front):
    assert_served_despite_slow_clients(front.url)


def _samples(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_add_up_all_workers(gunicorn):
    def healthz_count():
        samples = _samples(requests.get(f"{gunicorn.url}/metrics", timeout=10).text)
        return samples.get(("http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200"))), 0)

    before = healthz_count()
    with requests.Session() as one, requests.Session() as other:  # two connections: likely two workers
        for _ in range(10):
            one.get(f"{gunicorn.url}/healthz", timeout=5)
            other.get(f"{gunicorn.url}/healthz", timeout=5)
    assert healthz_count() - before == 20


def test_one_json_line_per_request_with_the_id(gunicorn):
    response = requests.get(f"{gunicorn.url}/api/v1/business-types", headers={"X-Request-ID": "smoke-test-000001"})
    assert response.headers["X-Request-ID"] == "smoke-test-000001"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in gunicorn.log.read_text().splitlines() if line.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == "smoke-test-000001"]
        if mine:
            break
        time.sleep(0.1)
    (line,) = mine
    assert line["logger"] == "app.access" and line["route"] == "/api/v1/business-types" and line["status"] == 200


@needs_nginx
def test_the_front_passes_its_request_id_and_keeps_metrics_internal(front):
    response = requests.get(f"{front.url}/readyz", headers={"X-Request-ID": "client-chosen-id-123"}, timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ready"
    request_id = response.headers["X-Request-ID"]
    assert request_id != "client-chosen-id-123" and len(request_id) == 32  # nginx's $request_id
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    logged = [json.loads(line) for line in front.backend.log.read_text().splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == request_id and line.get("route") == "/readyz" for line in logged)

    denied = requests.get(f"{front.url}/metrics", timeout=10)
    assert denied.status_code == 404 and denied.json()["error"]["code"] == "not_found"
    assert requests.get(f"{front.backend.url}/metrics", timeout=10).status_code == 200


@needs_nginx
@pytest.mark.parametrize(
    "request_kwargs, status, code",
    [
        ({"url_suffix": "/api/v1/outlets/nearby?q=" + "x" * 5000}, 414, "uri_too_long"),
        ({"headers": {"X-Big": "y" * 5000}}, 431, "headers_too_large"),
        (
            {"headers": {"Content-Length": "20000000", "Content-Type": "application/json"}, "data": b""},
            413,
            "payload_too_large",
        ),
    ],
    ids=["long-url", "big-header", "big-body"],
)
def test_nginx_errors_are_json_envelopes(front, request_kwargs, status, code):
    url = front.url + request_kwargs.pop("url_suffix", "/api/v1/business-types")
    method = "POST" if "data" in request_kwargs else "GET"
    response = _raw(url, method, request_kwargs.get("headers", {}))
    assert response["status"] == status
    assert response["headers"]["content-type"].startswith("application/json")
    assert json.loads(response["body"])["error"]["code"] == code
    assert response["headers"]["x-request-id"]


def _raw(url: str, method: str, headers: dict) -> dict:
    """One request over a plain socket: a body can be announced without being sent (nginx answers first)."""
    host, rest = url.removeprefix("http://").split("/", 1)
    name, port = host.split(":")
    head = f"{method} /{rest} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection((name, int(port)), timeout=10) as sock:
        sock.sendall(head.encode())
        if method == "GET":
            sock.shutdown(socket.SHUT_WR)  # nothing follows (an announced body stays open: nginx answers first)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    header_block, _, body = data.partition(b"\r\n\r\n")
    lines = header_block.decode("latin-1").split("\r\n")
    parsed = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return {
        "status": int(lines[0].split()[1]),
        "headers": {k.lower(): v for k, v in parsed.items()},
        "body": body.decode(),
    }


@needs_nginx
def test_an_unreachable_app_is_a_503_envelope(tmp_path):
    with start_nginx(tmp_path / "nginx", f"127.0.0.1:{free_port()}") as nginx:
        response = requests.get(f"{nginx.url}/api/v1/business-types", timeout=10)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"
