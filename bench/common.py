"""Shared helpers for the benchmarks under bench/: environment, the bench database, timing, machine facts.

Benchmarks run against their own database (`circle_bench` on the same server as DATABASE_URL), never
the development or test databases. Each data size lives in its own schema of that database
(`size_10000`, `size_1000000`, …) so the sizes can be kept between runs; the app reaches a size's
tables through `search_path`, set with the libpq `options` parameter in the URL.
"""

from __future__ import annotations

import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from werkzeug.local import LocalProxy

ROOT = Path(__file__).resolve().parent.parent  # the code being measured (a snapshot during a run)
REPO = Path(os.environ.get("BENCH_REPO") or ROOT)  # the checkout: var/services.env, bench/results
RESULTS = REPO / "bench" / "results"
BENCH_DB = "circle_bench"


# Flask-SQLAlchemy's `db` of the app being measured, found through the current app: a bench may time an older
# revision (`--code`, `--before`, `--interleave`) in which the module defining `db` had another path.
app_db = LocalProxy(lambda: current_app.extensions["sqlalchemy"])


def load_services_env() -> None:
    """DATABASE_URL / REDIS_URL from var/services.env when the caller did not set them (as `make` does)."""
    env_file = REPO / "var" / "services.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key and value:
                os.environ.setdefault(key.strip(), value.strip())
    missing = [k for k in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(k)]
    if missing:
        sys.exit(f"{', '.join(missing)} unset: run `make services` (or `make bench`) first")


def schema_for(size: int) -> str:
    return f"size_{size}"


def search_path(size: int) -> str:
    return f"{schema_for(size)},public"


def session_options(size: int, settings: dict | None = None) -> str:
    """libpq `options`: the size's search_path plus any session settings (e.g. {"jit": "off"})."""
    return " ".join([f"-c search_path={search_path(size)}", *(f"-c {k}={v}" for k, v in (settings or {}).items())])


def sqlalchemy_url(size: int | None, settings: dict | None = None) -> str:
    """DATABASE_URL for the app (SQLAlchemy form) pointing at circle_bench, at one size's schema."""
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["DATABASE_URL"]).set(database=BENCH_DB)
    if size is not None:
        url = url.update_query_dict({"options": session_options(size, settings)})
    return url.render_as_string(hide_password=False)


def libpq_url(database: str = BENCH_DB) -> str:
    """A plain libpq URL (psycopg.connect) for a database on the same server."""
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["DATABASE_URL"]).set(database=database, drivername="postgresql")
    return url.render_as_string(hide_password=False)


def connect(size: int | None = None, autocommit: bool = True, database: str = BENCH_DB, settings: dict | None = None):
    import psycopg

    kwargs = {"options": session_options(size, settings)} if size is not None else {}
    return psycopg.connect(libpq_url(database), autocommit=autocommit, **kwargs)


def ensure_bench_database(database: str = BENCH_DB) -> None:
    """Creates the bench database and its extensions (in public, before any migration runs in a size schema)."""
    with connect(database="postgres") as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            admin.execute(f'CREATE DATABASE "{database}"')
    with connect(database=database) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")


def ensure_schema(size: int) -> None:
    """The size's schema, migrated to head with `flask db upgrade` (idempotent)."""
    with connect() as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema_for(size)}")
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": sqlalchemy_url(size), "RATELIMIT_ENABLED": "0"}
    flask = Path(sys.executable).with_name("flask")
    cmd = [str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]
    done = subprocess.run([*cmd, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"flask db upgrade failed for {schema_for(size)}:\n{done.stdout}\n{done.stderr}")


def migrations_digest() -> str:
    """Short hash of the migration scripts: data loaded under other migrations is reloaded."""
    import hashlib

    digest = hashlib.sha1()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def drop_schema(size: int) -> None:
    with connect() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema_for(size)} CASCADE")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout


def make_snapshot(code: str) -> tuple[Path, dict]:
    """A private copy of the code to measure, so edits made in the checkout during a long run (other
    people work in it) cannot change or break the run halfway: `worktree` copies app/, migrations/ and
    wsgi.py as they are now; any git revision (HEAD, a sha) exports them with `git archive`."""
    import shutil
    import tempfile

    snap = Path(tempfile.mkdtemp(prefix="circle-bench-code-"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    # gunicorn.conf.py: a server started in the snapshot runs as deployed (worker class, threads, metrics).
    parts = ("app", "migrations", "wsgi.py", "gunicorn.conf.py")
    try:
        head = _git("rev-parse", "HEAD").strip()
    except (OSError, subprocess.CalledProcessError):
        head = None
    if code == "worktree":
        for name in parts:
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, snap / name, ignore=ignore)
            else:
                shutil.copy2(src, snap / name)
        try:
            dirty = [line for line in _git("status", "--porcelain", "--", *parts).splitlines() if line.strip()]
        except (OSError, subprocess.CalledProcessError):
            dirty = None
        info = {
            "code": "worktree",
            "head": head,
            "dirty_files": None if dirty is None else len(dirty),
            "dirty": (dirty or [])[:40],
        }
    else:
        rev = _git("rev-parse", "--verify", f"{code}^{{commit}}").strip()
        archive = subprocess.run(["git", "archive", rev, *parts], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(snap)], input=archive, check=True)
        info = {"code": code, "commit": rev, "head": head}
    shutil.copytree(REPO / "bench", snap / "bench", ignore=ignore)
    return snap, info


# --- timing -----------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize_ns(samples_ns: list[int]) -> dict:
    """Latency samples in nanoseconds → milliseconds summary."""
    values = sorted(s / 1e6 for s in samples_ns)
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 3),
        "p90_ms": round(percentile(values, 90), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "max_ms": round(values[-1], 3) if values else None,
        "mean_ms": round(sum(values) / len(values), 3) if values else None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout_s: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except Exception as error:  # not up yet
            last = error
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout_s:.0f}s: {last}")


# --- facts ------------------------------------------------------------------------------------------


def _first(cmd: list[str]) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip() or None
    except Exception:
        return None


def machine_facts() -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    facts = {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1) if mem_kb else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg(),
    }
    for pkg in ("flask", "sqlalchemy", "psycopg", "gunicorn", "marshmallow", "flask-smorest"):
        try:
            from importlib.metadata import version

            facts[pkg] = version(pkg)
        except Exception:
            facts[pkg] = None
    facts["wrk"] = _first(["sh", "-c", "wrk -v 2>&1 | head -1"])
    try:
        with connect() as conn:
            facts["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            facts["postgis"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
            facts["pg_settings"] = {
                name: conn.execute(f"SHOW {name}").fetchone()[0]
                for name in (
                    "shared_buffers",
                    "work_mem",
                    "effective_cache_size",
                    "random_page_cost",
                    "jit",
                    "max_parallel_workers_per_gather",
                    "plan_cache_mode",
                )
            }
    except Exception as error:
        facts["postgresql_error"] = str(error)
    return facts


def save_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


# --- CPU accounting (Linux /proc): where the cores went during a load run ---------------------------

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 10.0


def proc_cpu_ms(pid: int) -> float:
    """User + system CPU of one process so far, in ms (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * _TICK_MS  # utime, stime (fields 14, 15 of stat)


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_cpu_ms(conn) -> float | None:
    """CPU of the whole PostgreSQL server so far, in ms: the postmaster with the children it reaped (parallel
    workers, closed connections) and the live ones. None unless the server runs on this machine and we may
    read its data directory's postmaster.pid (the private development server does)."""
    try:
        directory = conn.execute("SHOW data_directory").fetchone()[0]
        postmaster = int((Path(directory) / "postmaster.pid").read_text().split()[0])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    except Exception:  # noqa: BLE001 — no figure rather than a failed bench
        return None
    reaped = (int(fields[13]) + int(fields[14])) * _TICK_MS  # cutime, cstime
    return proc_cpu_ms(postmaster) + reaped + sum(proc_cpu_ms(p) for p in child_pids(postmaster))


def machine_busy_ms() -> float:
    """CPU time all cores spent busy (everything but idle and iowait) since boot, in ms."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) * _TICK_MS


class CpuAccounting:
    """CPU (ms) spent during a load run by a gunicorn (master and workers), its PostgreSQL backends, what a
    benchmark adds in `parts()` (its load generator, stand-ins) and the rest of the machine (`rest`).

    `with CpuAccounting(pid) as cpu: <load>` then `cpu.per_request(n)`. The backends are read on entering:
    the workers' pooled connections, open after the warm-up."""

    rest = "other"  # the key of what the machine spent besides the parts named
    digits = 3

    def __init__(self, gunicorn_pid: int):
        self.gunicorn = gunicorn_pid

    def parts(self) -> dict:
        """What else this benchmark counts, in ms so far."""
        return {}

    def _snapshot(self) -> dict:
        return {
            "gunicorn": sum(proc_cpu_ms(p) for p in [self.gunicorn, *child_pids(self.gunicorn)]),
            "postgres": sum(proc_cpu_ms(p) for p in self.pg_pids),
            **self.parts(),
            "machine": machine_busy_ms(),
        }

    def __enter__(self):
        with connect() as conn:
            self.pg_pids = [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (BENCH_DB,)
                ).fetchall()
            ]
        self.before = self._snapshot()
        return self

    def __exit__(self, *exc):
        self.after = self._snapshot()
        return False

    def per_request(self, requests: int) -> dict:
        spent = {k: self.after[k] - self.before[k] for k in self.before}
        spent[self.rest] = spent["machine"] - sum(v for k, v in spent.items() if k != "machine")
        return {k: round(v / max(requests, 1), self.digits) for k, v in spent.items()}


def stop_group(proc) -> None:
    """Stops a server started in its own session (start_new_session=True): the master and all its workers."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- wrk: the load generator of the HTTP benchmarks ------------------------------------------------------

# Lua: numbers wrk's threads (`tid`, from 0) and keeps them in `threads`, so that `done` can read their counters.
WRK_THREADS = """local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
"""


def wrk(base: str, script: Path, threads: int, connections: int, duration: int) -> tuple[str, dict, str]:
    """Runs wrk with a generated Lua script whose `done` writes one line `BENCHJSON {…}`: returns the command
    (paths relative to the checkout, to rerun as is), that JSON and wrk's whole output."""
    script_arg = str(script.relative_to(REPO)) if script.is_relative_to(REPO) else str(script)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script_arg, base]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=duration + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    return " ".join(cmd), json.loads(line[len("BENCHJSON ") :]), done.stdout
