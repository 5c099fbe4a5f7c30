"""`make run` starts the notification worker next to the API and stops it with the server."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_starts_the_worker_and_stops_it_with_the_server():
    # -n prints the recipe without running anything (no servers, no demo load); -B: whatever is up to date.
    env = {**os.environ, "DEV_PG_PORT": os.environ.get("DEV_PG_PORT", "54329")}
    recipe = subprocess.run(
        ["make", "-n", "-B", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    run = recipe[recipe.index("miniprogram_stub.wechat_server") :]
    assert "-m flask notifications work > var/worker.log 2>&1 & echo $! > var/worker.pid" in run
    assert "trap 'kill $(cat var/worker.pid)" in run  # stopped when gunicorn ends
    assert run.index("notifications work") < run.index("gunicorn")
    stop = subprocess.run(["make", "-n", "stop"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "var/worker.pid" in stop
