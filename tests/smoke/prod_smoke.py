"""`make prod-smoke`: the docker compose deployment's processes, run here without container images.

What it takes from the deployment files, unchanged:
- the `app` service's environment from docker-compose.yml (APP_ENV=production, PROXY_HOPS, TZ, …), with the
  `${VAR:?…}` secrets filled with fresh random values (≥ 32 bytes, JWT_SECRET separate, https PUBLIC_BASE_URL);
- the `migrate` service's command (`flask db upgrade`) on a fresh database;
- the image's command (Dockerfile CMD: gunicorn -c gunicorn.conf.py wsgi:app);
- the `front` service's nginx configuration file and variables (deploy/nginx/front.conf.template), run by
  Debian's nginx.
What it replaces, because there is no container network here: the host names `db` and `redis` (the private
servers of `make services`, a database `<name>_smoke` and Redis db 9), UPLOAD_DIR (var/prod-smoke/uploads),
WECHAT_API_BASE (the local WeChat stub), the bind addresses (free loopback ports). Not covered: building the
image, the db/redis images and their healthchecks, the worker service, TLS.

Then through nginx: health and readiness, /metrics refused, a search, a WeChat login, an upload and a need with
it, the console page, the security headers, a long URL as JSON; and in gunicorn's log the request id nginx
gave. Exit status 0 only if every check passed.
"""

import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url

from tests.live_servers import ROOT, free_port, nginx_binary, start_gunicorn, start_nginx

WORK = ROOT / "var" / "prod-smoke"
POINT = {"lat": 40.3765, "lng": 116.8443}  # WGS-84, in tests/data/circles.geojson's 鼓楼生活圈, by MY-001


def log(message: str):
    print(f"[prod-smoke] {message}", flush=True)


class Failed(Exception):
    pass


def check(condition, what: str):
    if not condition:
        raise Failed(what)
    log(f"ok   {what}")


# --- the deployment files ----------------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolate(value: str, env: dict) -> str:
    """docker compose's ${VAR}, ${VAR:-default}, ${VAR:?error} against `env`."""

    def one(match):
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":-":
            return arg
        raise Failed(f"compose needs {name} ({arg})")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, str(value))


def secrets_for_compose() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "WECHAT_APPID": "wx-smoke-appid",
        "WECHAT_SECRET": secrets.token_urlsafe(32),
        "WECHAT_PUSH_TOKEN": secrets.token_urlsafe(32),
        "PUBLIC_BASE_URL": "https://smoke.example.cn",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
    }


def image_command() -> list[str]:
    cmd = re.search(r"^CMD\s+(\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.M)
    return json.loads(cmd.group(1))


def fresh_database(base_url: str) -> str:
    url = make_url(base_url)
    smoke = url.set(database=f"{url.database}_smoke")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{smoke.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{smoke.database}"'))
    admin.dispose()
    return smoke.render_as_string(hide_password=False)


def flask(env: dict, *args: str):
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env={**os.environ, **env, "FLASK_APP": "wsgi.py"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise Failed(f"flask {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


# --- the checks --------------------------------------------------------------------------------------------


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def security_headers(response, what: str):
    headers = response.headers
    check(headers.get("X-Content-Type-Options") == "nosniff", f"{what}: X-Content-Type-Options nosniff")
    check(headers.get("X-Frame-Options") == "DENY", f"{what}: X-Frame-Options DENY")
    check(headers.get("Referrer-Policy") == "no-referrer", f"{what}: Referrer-Policy no-referrer")
    check(re.fullmatch(r"[0-9a-f]{32}", headers.get("X-Request-ID", "")), f"{what}: X-Request-ID from nginx")
    check(headers.get("Server") == "nginx", f"{what}: nginx without its version (server_tokens off)")


def run_checks(front: str, direct: str, gunicorn_log: Path):
    http = requests.Session()

    health = http.get(f"{front}/healthz", timeout=10)
    check(health.status_code == 200 and health.json() == {"status": "ok"}, "GET /healthz through nginx")
    ready = http.get(f"{front}/readyz", timeout=10)
    body = ready.json()
    check(ready.status_code == 200 and body["status"] == "ready", f"GET /readyz: ready ({body['checks']})")
    check(body["checks"]["migrations"]["status"] == "ok", "migrations at head")
    security_headers(ready, "GET /readyz")

    denied = http.get(f"{front}/metrics", timeout=10)
    check(denied.status_code == 404 and denied.json()["error"]["code"] == "not_found", "/metrics refused by nginx")
    scraped = requests.get(f"{direct}/metrics", timeout=10)
    check(scraped.status_code == 200 and "http_requests_total{" in scraped.text, "/metrics on the app port")

    search = http.get(f"{front}/api/v1/outlets/nearby", params={**POINT, "coord": "wgs84", "radius": 1000}, timeout=10)
    items = search.json().get("items", [])
    check(search.status_code == 200 and items, f"search: {len(items)} outlets near the point")
    security_headers(search, "search")

    login = http.post(f"{front}/api/v1/auth/wechat/login", json={"code": "smoke-resident"}, timeout=10)
    check(login.status_code == 200 and login.json().get("access_token"), "WeChat login (stub code2Session)")
    check("session_key" not in login.text, "login never returns the session_key")
    check(login.headers.get("Cache-Control") == "no-store", "login: Cache-Control no-store")
    security_headers(login, "login")
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    upload = http.post(
        f"{front}/api/v1/uploads",
        headers=auth,
        files={"file": ("photo.png", png(), "image/png")},
        data={"purpose": "demand_photo"},
        timeout=30,
    )
    check(upload.status_code == 201, f"upload through nginx ({upload.status_code} {upload.text[:200]})")
    # WeChat's media check answers asynchronously, by a signed POST to the app through the front.
    deadline, verdict = time.monotonic() + 10, None
    while time.monotonic() < deadline and verdict != "pass":
        time.sleep(0.3)
        verdict = http.get(f"{front}/api/v1/uploads/{upload.json()['id']}", headers=auth, timeout=10).json()
        verdict = verdict.get("media_check")
    check(verdict == "pass", "the media-check callback reached the app through nginx (signature checked)")
    need = http.post(
        f"{front}/api/v1/demands",
        headers=auth,
        json={
            "kind": "missing_type",
            "business_type": "laundry",
            "text": "小区附近想要一家洗衣店",
            "location": POINT,
            "coord": "wgs84",
            "photo_ids": [upload.json()["id"]],
        },
        timeout=30,
    )
    check(need.status_code == 201, f"need with the photo ({need.status_code} {need.text[:300]})")
    request_id = need.headers["X-Request-ID"]
    deadline = time.monotonic() + 5
    logged = []
    while time.monotonic() < deadline and not logged:
        logged = [
            line
            for line in gunicorn_log.read_text().splitlines()
            if line.startswith("{") and json.loads(line).get("request_id") == request_id
        ]
        time.sleep(0.2)
    check(
        logged and json.loads(logged[-1])["route"] == "/api/v1/demands" and json.loads(logged[-1])["user_id"],
        "the app's JSON request line carries nginx's request id and the user id",
    )
    check("smoke-resident" not in gunicorn_log.read_text(), "no login code/openid in the logs")

    long_url = http.get(f"{front}/api/v1/outlets/nearby?q={'x' * 5000}", timeout=10)
    check(long_url.status_code == 414 and long_url.json()["error"]["code"] == "uri_too_long", "414 as JSON")

    console_dir = ROOT / "console"
    console = http.get(f"{front}/console/", timeout=10)
    if console_dir.is_dir():
        check(console.status_code == 200 and "text/html" in console.headers.get("Content-Type", ""), "console page")
        security_headers(console, "console")
    else:
        log(f"SKIP console: not in this tree yet (GET /console/ → {console.status_code})")


def main() -> int:
    if nginx_binary() is None:
        log("nginx is missing: run `bash scripts/services.sh install` as root (Debian package nginx)")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    spec = compose()
    given = secrets_for_compose()
    app_env = {k: interpolate(v, given) for k, v in spec["services"]["app"]["environment"].items()}
    front_env = dict(spec["services"]["front"]["environment"])
    template = next(v.split(":")[0] for v in spec["services"]["front"]["volumes"] if "template" in v)
    check(
        (ROOT / template).resolve() == (ROOT / "deploy/nginx/front.conf.template").resolve(), f"front uses {template}"
    )
    check(app_env.get("APP_ENV") == "production", "compose's app runs with APP_ENV=production")

    import logging

    from miniprogram_stub.wechat_server import serve_in_thread

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the stub's access lines carry secrets

    front_port = free_port()
    stub_url, stop_stub = serve_in_thread(
        config={
            "push_token": app_env["WECHAT_PUSH_TOKEN"],
            "media_callback_url": f"http://127.0.0.1:{front_port}/api/v1/wechat/media-check",
        }
    )
    local = {
        "DATABASE_URL": fresh_database(os.environ["DATABASE_URL"]),
        "REDIS_URL": os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/9",
        "UPLOAD_DIR": str(WORK / "uploads"),
        "WECHAT_API_BASE": stub_url,
        # No replica container here: reads go to the primary (tests/common/test_read_path.py runs a real one).
        "DATABASE_REPLICA_URLS": "",
    }
    if (ROOT / "console").is_dir():
        # The staff console (served by the app at /console/ from its build): built here as the image would have it.
        build = ROOT / "scripts" / "console-build.sh"
        if build.exists():
            subprocess.run(["bash", str(build)], cwd=ROOT, check=True, timeout=900)
        if "CONSOLE_DIST" in app_env:
            local["CONSOLE_DIST"] = str(ROOT / "console" / "dist")
    replaced = sorted(set(local) & set(app_env))
    log(f"compose's app environment, with {', '.join(replaced)} pointed at this machine")
    env = {**app_env, **local}
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()

    migrate = spec["services"]["migrate"]["command"]
    check(migrate[:1] == ["flask"], f"migrate service: {' '.join(migrate)}")
    flask(env, *migrate[1:])
    flask(env, "circles", "import", str(ROOT / "tests/data/circles.geojson"))
    flask(env, "outlets", "import", str(ROOT / "tests/data/outlets.csv"))
    log("database migrated and loaded with tests/data's circles and outlets")

    command = image_command()
    check(command[:3] == ["gunicorn", "-c", "gunicorn.conf.py"], f"image command: {' '.join(command)}")
    try:
        with start_gunicorn(WORK / "gunicorn", {**env, "WEB_WORKERS": "2"}, *command[3:-1]) as app:
            upstream = app.url.removeprefix("http://")
            log(f"gunicorn (APP_ENV=production) on {app.url}; nginx front {front_env} → {upstream}")
            with start_nginx(WORK / "nginx", upstream, front_port) as nginx:
                run_checks(nginx.url, app.url, app.log)
    except Failed as failure:
        log(f"FAILED {failure}")
        return 1
    finally:
        stop_stub()
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
