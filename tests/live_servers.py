"""Real servers for the tests and `make prod-smoke`: gunicorn with gunicorn.conf.py, and Debian's nginx running
the docker compose front's configuration (deploy/nginx/front.conf.template), each on a free loopback port."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FRONT_TEMPLATE = ROOT / "deploy" / "nginx" / "front.conf.template"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def render_template(text: str, values: dict) -> str:
    """What the nginx image's envsubst does: ${NAME} for the given names only; nginx's own $variables stay."""
    return re.sub(r"\$\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def _wait(check, what: str, timeout_s: float, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} not up after {timeout_s} s:\n{log.read_text()[-3000:]}")


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path, stop_signal=signal.SIGTERM):
        self.process, self.url, self.log, self.stop_signal = process, url, log, stop_signal

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()


def start_gunicorn(workdir: Path, env: dict, *args: str, port: int | None = None) -> Server:
    """gunicorn -c gunicorn.conf.py (the image's command) on 127.0.0.1:<port>; returns when /healthz answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = workdir / "gunicorn.log"
    metrics_dir = workdir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    full_env = {**os.environ, **env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    command += ["-b", f"127.0.0.1:{port}", *args, "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log, signal.SIGINT)  # INT: quick shutdown
    try:
        _wait(lambda: requests.get(f"{server.url}/healthz", timeout=2).ok, "gunicorn", 60, process, log)
    except Exception:
        server.stop()
        raise
    return server


def nginx_conf(workdir: Path, upstream: str, port: int) -> Path:
    """A main nginx.conf around the compose front's server block, with every path under `workdir`."""
    temp = workdir / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    front = workdir / "front.conf"
    front.write_text(render_template(FRONT_TEMPLATE.read_text(), {"APP_UPSTREAM": upstream, "FRONT_PORT": port}))
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # As root nginx would switch its workers to `nobody`, who cannot write the temp paths here.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    access_log {workdir}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {front};
}}
"""
    )
    return conf


def start_nginx(workdir: Path, upstream: str, port: int | None = None) -> Server:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light, or `make prod-smoke`)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    conf = nginx_conf(workdir, upstream, port)
    log = workdir / "error.log"
    log.touch()
    base = [binary, "-p", str(workdir), "-e", str(log), "-c", str(conf)]
    check = subprocess.run([*base, "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    server = Server(process, f"http://127.0.0.1:{port}", log)

    def listening():
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    try:
        _wait(listening, "nginx", 20, process, log)
    except Exception:
        server.stop()
        raise
    return server
