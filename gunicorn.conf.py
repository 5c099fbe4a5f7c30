"""gunicorn settings shared by every deployment: the image (docker compose `app`), `make run`, `make prod-smoke`.

Command-line flags override these (`make run` sets its bind address). Environment: WEB_WORKERS (4), WEB_THREADS
(64), WEB_TIMEOUT (30 s), GUNICORN_BIND (0.0.0.0:8000), PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory).

Slow clients: a gthread worker reads a request's headers in one of its threads, blocking, once the first byte
has arrived. A client trickling one header line every few seconds therefore holds a thread, not the whole
worker as with sync workers. With 64 threads per worker, 50 such clients leave threads free even if the
kernel hands all of them to one worker. docker compose goes further: its nginx `front` buffers every request
completely before a worker sees it, so slow clients cost an nginx connection only (README, "Operating").
"""

import glob
import json
import os
import tempfile

import gunicorn.util

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "64"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5

# gunicorn's control socket lives at one fixed path per user ($HOME/.gunicorn): two servers on one machine (tests,
# smoke, `make run`) would fight over it, and nothing here uses it.
control_socket_disable = True

# The application writes one JSON line per request (app/common/logs.py): no second, plain access log.
accesslog = None
errorlog = "-"

# Above nginx's limits (front.conf.template: 4 × 4k header buffers), so behind the front a long URL or header
# is refused by nginx with the JSON envelope before gunicorn's own HTML error page could answer it.
limit_request_line = 8190
limit_request_fields = 200
limit_request_field_size = 8190

# What gunicorn refuses itself (a line or header beyond these limits, a malformed request) it answers before the
# app sees it, with an HTML page. Served without the front (make run, the tests' live backends) that page would
# break the contract, so the workers' error writer is replaced by one that writes the JSON envelope
# (tests/common/test_gunicorn_errors.py). This module runs in the master before the workers fork.
_GUNICORN_ERRORS = {
    400: ("bad_request", "请求格式有误"),
    403: ("forbidden", "无权执行此操作"),
    414: ("uri_too_long", "请求地址过长"),
    417: ("expectation_failed", "不支持该 Expect 请求头"),
    431: ("headers_too_large", "请求头过大"),
    501: ("not_implemented", "不支持该传输编码"),
}


def write_json_error(sock, status_int, reason, mesg):
    fallback = ("bad_request" if status_int < 500 else "internal_error", "请求有误")
    code, message = _GUNICORN_ERRORS.get(status_int, fallback)
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


gunicorn.util.write_error = write_json_error

# Prometheus multiprocess mode: each worker writes its values to files in this directory and /metrics adds
# them up. It must be in the environment before a worker imports prometheus_client, hence here.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="circle-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    # Values of a previous run would otherwise be added to this one's.
    os.makedirs(_metrics_dir, exist_ok=True)
    for path in glob.glob(os.path.join(_metrics_dir, "*.db")):
        os.remove(path)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its live gauges (pool in use) stop counting
