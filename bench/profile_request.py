#!/usr/bin/env python
"""One route's requests through the WSGI app as gunicorn calls it, in this process: CPU per request, and where
it goes (cProfile), without a server or a load generator in the way.

    .venv/bin/python bench/profile_request.py --route nearby [--size 100000] [--n 2000] [--profile]
    .venv/bin/python bench/profile_request.py --route metoo [--n 2000] [--profile]
    .venv/bin/python bench/profile_request.py --route submit [--n 1500] [--profile]
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=bench/results/cg.%p \
        .venv/bin/python bench/profile_request.py --route nearby --n 300 --callgrind   # instructions: load-free

The app is built as wsgi.py builds it (logging configured: the JSON access line goes to stderr, so send stderr
to /dev/null), with the bench's settings (RATELIMIT_ENABLED=0 as bench/nearby.py and bench/writes.py run it,
or `--limits` for the deployed limiter). Each request is a fresh copy of a WSGI environ made once per query
(the headers gunicorn passes), and its body is read and closed as gunicorn does.

nearby: `GET /api/v1/outlets/nearby` over bench/nearby.py's points (its schema `size_<N>` must be loaded);
repair: `GET /api/v1/repair/nearby` over the same points.
metoo: `POST /api/v1/demands/<id>/support` over bench/writes.py's data (schema `writes`, made afresh here),
each (resident, need) pair once, with the resident's bearer token.
submit: `POST /api/v1/demands` as bench/writes.py's submit load sends it (its data, 3,000 residents in rotation,
its three kinds, a fresh Idempotency-Key each), the content check answered by bench/writes.py's WeChat stand-in
(started here in its own process: its CPU is not counted).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, dataset  # noqa: E402


def environs(args) -> tuple[list[dict], dict]:
    from werkzeug.test import EnvironBuilder

    base = {"REMOTE_ADDR": "127.0.0.1", "SERVER_SOFTWARE": "gunicorn/bench", "HTTP_USER_AGENT": "wrk"}
    if args.route in ("nearby", "repair"):
        os.environ["DATABASE_URL"] = common.sqlalchemy_url(args.size)
        config = {"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]}
        path = "/api/v1/repair/nearby" if args.route == "repair" else "/api/v1/outlets/nearby"
        out = []
        for lng, lat in dataset.query_points(300, 7):
            query = f"lat={lat}&lng={lng}&coord=wgs84&radius=1000&page_size=20"
            out.append(EnvironBuilder(path=path, query_string=query).get_environ() | base)
        return out, config
    from bench import writes

    if args.route == "submit":
        return submit_environs(args, base)
    seeded = writes.prepare(argparse.Namespace(residents=max(args.n // 10 + 1, 50), needs=10))
    os.environ["DATABASE_URL"] = writes.database_url()
    out = []
    for i in range(args.n):
        need = seeded["need_ids"][i % len(seeded["need_ids"])]
        token = seeded["tokens"][i // len(seeded["need_ids"])]
        builder = EnvironBuilder(
            path=f"/api/v1/demands/{need}/support", method="POST", headers={"Authorization": f"Bearer {token}"}
        )
        out.append(builder.get_environ() | base)
    return out, writes._app_config()


_SUBMIT_KINDS = (  # bench/writes.py's WRK_SUBMIT kinds
    {
        "kind": "missing_type",
        "business_type": "convenience_store",
        "existing_reason": "too_expensive",
        "text": "便利店太贵了，希望再开一家平价的",
    },
    {"kind": "missing_type", "business_type": "breakfast", "text": "小区附近没有早餐店，早上上班很不方便"},
    {"kind": "other", "text": "小区门口的路灯坏了好几天了，晚上出行不安全"},
)


def submit_environs(args, base: dict) -> tuple[list[dict], dict]:
    import json

    from werkzeug.test import EnvironBuilder

    from bench import writes

    port = common.free_port()
    import atexit

    wechat = subprocess.Popen([sys.executable, str(ROOT / "bench" / "writes.py"), "--fake-wechat", str(port)])
    atexit.register(wechat.terminate)
    seeded = writes.prepare(argparse.Namespace(residents=3000, needs=10))
    os.environ["DATABASE_URL"] = writes.database_url()
    out, run = [], f"profile-{time.time_ns()}"  # keys of earlier runs are still in Redis: fresh ones
    for i in range(args.n):  # the warm-up's included
        lng = writes.CENTER[0] + ((i * 7919) % 1000 - 500) * 0.0000012
        lat = writes.CENTER[1] + ((i * 104729) % 1000 - 500) * 0.0000009
        body = _SUBMIT_KINDS[i % 3] | {"location": {"lng": lng, "lat": lat}, "coord": "wgs84"}
        body["address"] = f"基准小区 {i} 号楼"
        headers = {"Authorization": f"Bearer {seeded['tokens'][i % 3000]}", "Idempotency-Key": f"{run}-{i}"}
        builder = EnvironBuilder(
            path="/api/v1/demands",
            method="POST",
            headers=headers,
            data=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
        )
        out.append(builder.get_environ() | base)
    common.wait_http(f"http://127.0.0.1:{port}/cgi-bin/stable_token")
    return out, writes._app_config() | {"WECHAT_API_BASE": f"http://127.0.0.1:{port}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--route", choices=("nearby", "repair", "metoo", "submit"), default="nearby")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=2000, help="timed requests (after --warmup)")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed requests")
    parser.add_argument("--callgrind", action="store_true", help="run under callgrind: instructions of the timed part")
    parser.add_argument("--limits", action="store_true", help="rate limits on (the deployed default)")
    parser.add_argument("--code", help="a directory whose app/ is measured instead of this checkout's")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    common.load_services_env()
    os.environ["RATELIMIT_ENABLED"] = "1" if args.limits else "0"
    if args.route in ("metoo", "submit"):
        args.n += args.warmup  # every pair once, the warm-up's too
    envs, config = environs(args)
    from app import create_app

    app = create_app({**config, "RATELIMIT_ENABLED": args.limits})
    statuses: dict[int, int] = {}

    def start_response(status, headers, exc_info=None):
        code = int(status[:3])
        statuses[code] = statuses.get(code, 0) + 1

    def call(environ):
        body = app(dict(environ), start_response)
        try:
            for _chunk in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close:
                close()

    once = args.route in ("metoo", "submit")  # each request once (its pair, its key)
    warm = envs[: args.warmup] if once else [envs[i % len(envs)] for i in range(args.warmup)]
    timed = envs[args.warmup :] if once else [envs[i % len(envs)] for i in range(args.n)]
    for environ in warm:
        call(environ)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    if args.callgrind:  # under `valgrind --tool=callgrind --instr-atstart=no`: count the timed requests only
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for environ in timed:
        call(environ)
    if profiler:
        profiler.disable()
    if args.callgrind:
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n = len(timed)
    import app as app_package

    print(
        f"{app_package.__file__}: {args.route}: {n} requests, CPU {cpu / n * 1000:.3f} ms/request, "
        f"wall {wall / n * 1000:.3f} ms; "
        f"statuses {statuses}",
        file=sys.__stdout__,
    )
    if profiler:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(text.getvalue(), file=sys.__stdout__)
        stats.dump_stats(common.RESULTS / f"profile-{args.route}.pstats")


if __name__ == "__main__":
    main()
