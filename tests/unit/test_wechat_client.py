"""The app's WeChat client against the local stub: shared token, content checks, phone, subscribe."""

import pytest
import requests

from app.wechat import client as wechat


@pytest.fixture
def stub(wechat_stub):
    requests.post(f"{wechat_stub}/stub/reset", timeout=5)
    return wechat_stub


def calls(stub, path):
    return requests.get(f"{stub}/stub/calls", timeout=5).json()["counts"].get(path, 0)


def test_access_token_is_fetched_once_and_shared_through_redis(app, redis, stub):
    with app.app_context():
        first = wechat.access_token()
        assert wechat.access_token() == first
        assert redis.ttl("circle:wechat:access_token") > 6000
    assert calls(stub, "/cgi-bin/stable_token") == 1


def test_text_check_verdicts(app, redis, stub):
    with app.app_context():
        assert wechat.msg_sec_check("楼下缺一家早餐店", "stub-openid-a")["suggest"] == "pass"
        assert wechat.msg_sec_check("加微信代购", "stub-openid-a")["suggest"] == "review"
        assert wechat.msg_sec_check("赌博", "stub-openid-a")["suggest"] == "risky"


def test_rejected_token_is_reread_not_force_refreshed(app, redis, stub):
    with app.app_context():
        redis.set("circle:wechat:access_token", "stale-token", ex=600)
        assert wechat.msg_sec_check("你好", "stub-openid-a")["suggest"] == "pass"
        assert redis.get("circle:wechat:access_token") != "stale-token"


def test_phone_number_and_subscribe_message(app, redis, stub):
    with app.app_context():
        assert wechat.user_phone_number("phone-13912345678") == "13912345678"
        result = wechat.send_subscribe_message("stub-openid-a", "tmpl-1", {"thing1": {"value": "已受理"}})
        assert result["errcode"] == 0
        with pytest.raises(wechat.WechatError) as refused:
            wechat.send_subscribe_message("stub-openid-unsubscribed", "tmpl-1", {"thing1": {"value": "x"}})
        assert refused.value.errcode == 43101
    sent = requests.get(f"{stub}/stub/sent", timeout=5).json()["sent"]
    assert [m["touser"] for m in sent] == ["stub-openid-a"]


@pytest.fixture
def broken_wechat():
    """A server answering every call with `answers[0]` (status, body): WeChat failing in ways the stub does not."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    answers = [(500, b"oops")]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = answers[0]
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", answers
    server.shutdown()


@pytest.mark.parametrize(
    "status,body", [(500, b'{"errcode":0}'), (200, b"<html>busy</html>"), (200, b"[]"), (200, b'"ok"')]
)
def test_content_check_failures_are_upstream_errors(app, redis, broken_wechat, monkeypatch, status, body):
    """The content check's own HTTP path (urllib3) fails as the others do: an UpstreamError, never a 500."""
    from app.common.errors import UpstreamError

    base, answers = broken_wechat
    answers[0] = (status, body)
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", base)
    redis.set("circle:wechat:access_token", "any-token", ex=600)
    with app.app_context(), pytest.raises(UpstreamError) as failed:
        wechat.msg_sec_check("楼下缺一家早餐店", "stub-openid-a")
    assert failed.value.code == "wechat_unavailable"


def test_content_check_error_codes_are_wechat_errors(app, redis, broken_wechat, monkeypatch):
    base, answers = broken_wechat
    answers[0] = (200, '{"errcode":87014,"errmsg":"内容含有违法违规内容"}'.encode())
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", base)
    redis.set("circle:wechat:access_token", "any-token", ex=600)
    with app.app_context(), pytest.raises(wechat.WechatError) as failed:
        wechat.msg_sec_check("楼下缺一家早餐店", "stub-openid-a")
    assert failed.value.errcode == 87014 and failed.value.details["errmsg"] == "内容含有违法违规内容"
