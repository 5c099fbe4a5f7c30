"""gunicorn's own refusals (request line or header too long) carry the contract's JSON envelope, not HTML
(gunicorn.conf.py, read from the working directory by every gunicorn we start)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(app):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"]}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # the app's start-up, on a busy machine
        while True:
            try:
                requests.get(f"{base}/api/v1/business-types", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_request_line_too_long_is_a_json_414(served):
    response = requests.get(f"{served}/api/v1/outlets/nearby?q={'x' * 9000}", timeout=5)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "uri_too_long"


def test_header_too_long_is_a_json_431(served):
    response = requests.get(f"{served}/api/v1/business-types", headers={"X-Long": "y" * 9000}, timeout=5)
    assert response.status_code == 431
    assert response.json()["error"] == {"code": "headers_too_large", "message": "请求头过大", "details": {}}


def test_ordinary_requests_are_unaffected(served):
    assert requests.get(f"{served}/api/v1/business-types", timeout=5).status_code == 200
