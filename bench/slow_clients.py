"""How much 50 slow clients delay a normal request: gunicorn as `make run` serves (gthread), the old sync
workers for comparison, and the docker compose front (Debian's nginx with deploy/nginx/front.conf.template).

Each slow client opens a connection and sends one header line every --interval seconds without ever finishing
its request. Meanwhile GET /healthz is timed --requests times; the delay is its p50/max minus the same
request's p50/max with no slow clients. Target (issue 9): delay < 100 ms with 50 slow clients.

    set -a; . var/services.env; set +a
    .venv/bin/python bench/slow_clients.py [--slow 50] [--interval 5] [--requests 40] [--skip-sync]
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live_servers import start_gunicorn, start_nginx  # noqa: E402

FROZEN_S = 10.0  # a request not answered by then counts as this long; after 3 of them the server is frozen


def timings(url: str, count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        try:
            requests.get(f"{url}/healthz", timeout=FROZEN_S).raise_for_status()
        except requests.RequestException:
            out.append(FROZEN_S)
            if out.count(FROZEN_S) >= 3:
                break
            continue
        out.append(time.perf_counter() - started)
        time.sleep(0.05)
    return out


def measure(url: str, slow: int, interval: float, count: int) -> dict:
    baseline = timings(url, count)
    host, port = url.removeprefix("http://").split(":")
    sockets, stop = [], threading.Event()
    for _ in range(slow):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")
        sockets.append(sock)

    def trickle():
        line = 0
        while not stop.wait(interval):
            line += 1
            for sock in sockets:
                try:
                    sock.sendall(f"X-Slow-{line}: 1\r\n".encode())
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    time.sleep(0.5)
    loaded = timings(url, count)
    stop.set()
    thread.join()
    for sock in sockets:
        sock.close()
    p50 = statistics.median
    return {
        "frozen": loaded.count(FROZEN_S) > 0,
        "baseline_p50_ms": p50(baseline) * 1000,
        "baseline_max_ms": max(baseline) * 1000,
        "slow_p50_ms": p50(loaded) * 1000,
        "slow_max_ms": max(loaded) * 1000,
        "delay_p50_ms": (p50(loaded) - p50(baseline)) * 1000,
        "delay_max_ms": (max(loaded) - max(baseline)) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--skip-sync", action="store_true", help="skip the old sync workers (they freeze)")
    args = parser.parse_args()
    env = {"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"], "WEB_WORKERS": "4"}
    work = Path(tempfile.mkdtemp(prefix="bench-slow-"))
    setups = [("make run: gunicorn gthread 4 × 64 threads", ())]
    if not args.skip_sync:
        setups.append(("before: gunicorn sync × 4", ("-k", "sync", "--threads", "1")))
    for name, extra in setups:
        with start_gunicorn(work / name.split(":")[0].replace(" ", "_"), env, *extra) as server:
            print(name, measure(server.url, args.slow, args.interval, args.requests), flush=True)
    with start_gunicorn(work / "behind_front", env, "-k", "sync", "-w", "1", "--threads", "1") as backend:
        with start_nginx(work / "nginx", backend.url.removeprefix("http://")) as front:
            print(
                "compose: nginx front → one sync worker",
                measure(front.url, args.slow, args.interval, args.requests),
                flush=True,
            )


if __name__ == "__main__":
    main()
