"""``/stub/*`` endpoints tests use to inspect and steer the fake server.

These do not exist on the real WeChat API. The request hook here also counts
every WeChat call and applies failures injected with ``POST /stub/fail``.
"""

import time

from flask import Blueprint, jsonify, request

from . import errors as E
from .state import DEFAULT_CONFIG, FailRule, get_state

bp = Blueprint("wechat_stub_admin", __name__, url_prefix="/stub")


@bp.before_app_request
def count_and_inject_failures():
    if request.path.startswith("/stub/"):
        return None
    state = get_state()
    with state.lock:
        state.calls[request.path] += 1
    rule = state.take_failure(request.path)
    if rule is None:
        return None
    if rule.delay:
        time.sleep(rule.delay)  # lets tests trip the app's HTTP timeout
    if rule.errcode == E.OK:
        return None  # delay-only rule: answer normally afterwards
    return E.error(rule.errcode, rule.errmsg, rule.status)


@bp.get("/health")
def health():
    return jsonify({"status": "ok", "service": "wechat-stub"})


@bp.post("/reset")
def reset():
    get_state().reset()
    return jsonify({"status": "reset"})


@bp.get("/calls")
def calls():
    state = get_state()
    with state.lock:
        counts = dict(state.calls)
        return jsonify({"counts": counts, "total": sum(counts.values()), "tokens_issued": state.tokens_issued})


@bp.get("/sent")
def sent():
    """Subscription messages accepted (``sent``) and refused (``rejected``)."""
    touser = request.args.get("touser")
    state = get_state()
    with state.lock:
        picked = [[m for m in group if touser in (None, m.get("touser"))] for group in (state.sent, state.rejected)]
    return jsonify({"sent": picked[0], "rejected": picked[1]})


@bp.get("/callbacks")
def callbacks():
    """Verdicts made by media_check_async and how each delivery went."""
    state = get_state()
    with state.lock:
        return jsonify({"callbacks": [dict(r) for r in state.callbacks]})


@bp.route("/config", methods=["GET", "POST"])
def config():
    state = get_state()
    if request.method == "POST":
        changes = request.get_json(force=True, silent=True)
        if not isinstance(changes, dict):
            return jsonify({"error": "expected a JSON object"}), 400
        unknown = sorted(set(changes) - set(DEFAULT_CONFIG))
        if unknown:  # a typo would otherwise silently do nothing
            return jsonify({"error": f"unknown config keys: {unknown}", "known": sorted(DEFAULT_CONFIG)}), 400
        with state.lock:
            state.config.update(changes)
    with state.lock:
        return jsonify(dict(state.config))


@bp.route("/fail", methods=["GET", "POST"])
def fail():
    """Make the next ``times`` calls of ``path`` (``*`` = any) fail."""
    state = get_state()
    if request.method == "POST":
        spec = request.get_json(force=True, silent=True) or {}
        path = spec.get("path")
        if not isinstance(path, str) or path.startswith("/stub/") or not (path.startswith("/") or path == "*"):
            return jsonify({"error": "path must be a WeChat API path like /cgi-bin/stable_token, or *"}), 400
        if int(spec.get("times", 1)) < 1:
            return jsonify({"error": "times must be at least 1"}), 400
        rule = FailRule(
            times=int(spec.get("times", 1)),
            errcode=int(spec.get("errcode", E.SYSTEM_ERROR)),
            errmsg=spec.get("errmsg"),
            status=int(spec.get("status", 200)),
            delay=float(spec.get("delay", 0)),
        )
        with state.lock:
            state.failures[path] = rule
    with state.lock:
        return jsonify({"failures": {p: vars(r) for p, r in state.failures.items()}})


@bp.post("/advance")
def advance():
    """Move the stub's clock forward so tokens expire without sleeping."""
    seconds = float((request.get_json(force=True, silent=True) or {}).get("seconds", 0))
    state = get_state()
    with state.lock:
        state.clock_offset += seconds
        return jsonify({"clock_offset": state.clock_offset, "now": state.now()})


@bp.route("/received", methods=["GET", "POST"])
def received():
    """A catch-all receiver: point ``media_callback_url`` here in tests."""
    state = get_state()
    if request.method == "POST":
        entry = {
            "args": request.args.to_dict(),
            "json": request.get_json(force=True, silent=True),
            "body": request.get_data(as_text=True),
        }
        with state.lock:
            state.received.append(entry)
        return "success"  # what WeChat expects a push receiver to answer
    with state.lock:
        return jsonify({"received": list(state.received)})
