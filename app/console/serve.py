"""Serves the built console (console/dist) at /console/: hashed assets cached for a year, every other path
the single-page app's index.html (history-mode routes), which is never cached so a new build shows at once."""

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory

console_files = Blueprint("console_files", __name__)

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>工作台</title>
<p>工作台尚未构建：请运行 <code>make console</code>（或 <code>make run</code>）。</p>"""


def _dist() -> Path:
    return Path(current_app.config["CONSOLE_DIST"])


@console_files.route("/console")
@console_files.route("/console/")
@console_files.route("/console/<path:path>")
def console(path=""):
    dist = _dist()
    if not (dist / "index.html").is_file():
        return _NOT_BUILT, 503, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "60"}
    if path.startswith("assets/"):
        # A missing asset is a 404, not the app's page (a stale tab asking for an old chunk must fail loudly).
        return send_from_directory(dist, path, max_age=365 * 24 * 3600)
    candidate = dist / path
    hidden = any(part.startswith(".") for part in Path(path).parts)  # .vite/manifest.json, .source-sha256
    if path and not hidden and candidate.is_file() and candidate.resolve().is_relative_to(dist.resolve()):
        return send_from_directory(dist, path, max_age=3600)
    response = send_from_directory(dist, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
