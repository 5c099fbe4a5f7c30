"""The fake WeChat server API in miniprogram_stub behaves like the real one."""

import base64
import hashlib
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from miniprogram_stub.wechat_server import create_app, serve_in_thread

APPID = "wx-dev-appid"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client():
    return create_app().test_client()


def get_token(client, force=False, secret="s3cret"):
    body = {"grant_type": "client_credential", "appid": APPID, "secret": secret, "force_refresh": force}
    return client.post("/cgi-bin/stable_token", json=body).get_json()


@pytest.fixture
def token(client):
    return get_token(client)["access_token"]


def login(client, **params):
    query = {"appid": APPID, "secret": "s3cret", "grant_type": "authorization_code", **params}
    resp = client.get("/sns/jscode2session", query_string=query)
    assert resp.status_code == 200  # the real API reports errors with HTTP 200
    return resp.get_json()


def advance(client, seconds):
    client.post("/stub/advance", json={"seconds": seconds})


# --- jscode2session -------------------------------------------------------


def test_login_returns_openid_and_a_base64_session_key(client):
    body = login(client, js_code="abc")
    assert body["openid"] == "stub-openid-abc"
    assert len(base64.b64decode(body["session_key"])) == 16
    assert "unionid" not in body and "errcode" not in body


def test_login_gives_unionid_when_code_mentions_union(client):
    assert login(client, js_code="union-7")["unionid"] == "stub-unionid-union-7"


@pytest.mark.parametrize(
    "params, errcode, errmsg",
    [
        ({"js_code": "invalid"}, 40029, "invalid code"),
        ({}, 41008, "missing code"),
        ({"js_code": "abc", "secret": "bad-secret"}, 40125, "invalid appsecret"),
        ({"js_code": "busy"}, -1, "system error"),
    ],
)
def test_login_errors(client, params, errcode, errmsg):
    assert login(client, **params) == {"errcode": errcode, "errmsg": errmsg}


def test_login_codes_can_be_made_single_use(client):
    client.post("/stub/config", json={"single_use_codes": True})
    assert "openid" in login(client, js_code="once")
    assert login(client, js_code="once")["errcode"] == 40163


# --- stable_token -----------------------------------------------------------


def test_stable_token_is_shared_until_it_expires(client):
    first, second = get_token(client), get_token(client)
    assert first["access_token"] == second["access_token"]
    assert first["expires_in"] == 7200 and 0 < second["expires_in"] <= 7200
    calls = client.get("/stub/calls").get_json()
    assert calls["counts"]["/cgi-bin/stable_token"] == 2 and calls["tokens_issued"] == 1


def test_expired_token_is_refused_and_replaced(client, token):
    advance(client, 7201)
    check = client.post(f"/wxa/msg_sec_check?access_token={token}", json={})
    assert check.get_json()["errcode"] == 42001
    assert get_token(client)["access_token"] != token


def test_new_token_in_last_five_minutes_old_one_still_works(client, token):
    advance(client, 7200 - 200)
    fresh = get_token(client)
    assert fresh["access_token"] != token and fresh["expires_in"] == 7200
    assert phone(client, token, "c1")["errcode"] == 0


def test_force_refresh_replaces_token_and_old_one_dies_at_once(client, token):
    refreshed = get_token(client, force=True)["access_token"]
    assert refreshed != token
    assert phone(client, token, "c1")["errcode"] == 40001
    assert phone(client, refreshed, "c1")["errcode"] == 0
    # Like the real API, a second force_refresh within 30 s changes nothing.
    assert get_token(client, force=True)["access_token"] == refreshed
    advance(client, 31)
    assert get_token(client, force=True)["access_token"] != refreshed


def test_force_refresh_grace_keeps_old_token_for_a_while(client, token):
    client.post("/stub/config", json={"force_refresh_grace": 300})
    get_token(client, force=True)
    assert phone(client, token, "c1")["errcode"] == 0
    advance(client, 301)
    assert phone(client, token, "c1")["errcode"] == 40001


@pytest.mark.parametrize(
    "change, errcode",
    [({"grant_type": "password"}, 40002), ({"appid": ""}, 41002), ({"secret": "bad-secret"}, 40125)],
)
def test_stable_token_errors(client, change, errcode):
    body = {"grant_type": "client_credential", "appid": APPID, "secret": "s", **change}
    assert client.post("/cgi-bin/stable_token", json=body).get_json()["errcode"] == errcode


def test_access_token_missing_or_unknown(client):
    assert client.post("/wxa/msg_sec_check", json={}).get_json() == {"errcode": 41001, "errmsg": "access_token missing"}
    unknown = client.post("/wxa/msg_sec_check?access_token=nope", json={}).get_json()
    assert unknown == {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}


# --- getuserphonenumber -----------------------------------------------------


def phone(client, token, code):
    return client.post(f"/wxa/business/getuserphonenumber?access_token={token}", json={"code": code}).get_json()


def test_phone_number_is_derived_from_code(client, token):
    body = phone(client, token, "phone-code-1")
    info = body["phone_info"]
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    assert re.fullmatch(r"138\d{8}", info["phoneNumber"]) and info["purePhoneNumber"] == info["phoneNumber"]
    assert info["countryCode"] == "86" and info["watermark"]["appid"] == APPID
    assert isinstance(info["watermark"]["timestamp"], int)
    assert phone(client, token, "phone-code-1")["phone_info"]["phoneNumber"] == info["phoneNumber"]
    assert phone(client, token, "phone-13912345678")["phone_info"]["phoneNumber"] == "13912345678"


def test_phone_number_errors(client, token):
    assert phone(client, token, "invalid") == {"errcode": 40029, "errmsg": "invalid code"}
    assert phone(client, token, "")["errcode"] == 47001


# --- msg_sec_check ------------------------------------------------------------


def sec_check(client, token, **fields):
    body = {"content": "你好", "version": 2, "scene": 2, "openid": "stub-openid-a", **fields}
    return client.post(f"/wxa/msg_sec_check?access_token={token}", json=body).get_json()


@pytest.mark.parametrize(
    "content, suggest, label",
    [
        ("今天天气不错", "pass", 100),
        ("专业代购,加微信", "review", 10001),
        ("来赌博", "risky", 20006),
        ("色情内容", "risky", 20002),
    ],
)
def test_msg_sec_check_verdicts(client, token, content, suggest, label):
    body = sec_check(client, token, content=content)
    assert body["errcode"] == 0 and body["result"] == {"suggest": suggest, "label": label}
    model = {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}
    assert body["detail"][0] == model
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}", body["trace_id"])


def test_msg_sec_check_also_screens_nickname(client, token):
    assert sec_check(client, token, nickname="毒品贩子")["result"]["suggest"] == "risky"


@pytest.mark.parametrize("fields", [{"content": ""}, {"openid": None}, {"version": 1}, {"scene": 9}])
def test_msg_sec_check_rejects_bad_requests(client, token, fields):
    assert sec_check(client, token, **fields) == {"errcode": 47001, "errmsg": "data format error"}


# --- media_check_async --------------------------------------------------------


MEDIA = {"media_url": "https://cdn.example/a.jpg", "media_type": 2, "version": 2, "scene": 1, "openid": "o1"}


def media_check(client, token, **fields):
    body = {**MEDIA, **fields}
    return client.post(f"/wxa/media_check_async?access_token={token}", json=body).get_json()


def test_media_check_without_callback_url_records_verdict(client, token):
    body = media_check(client, token, media_url="https://cdn.example/review.png")
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    (record,) = client.get("/stub/callbacks").get_json()["callbacks"]
    assert record["trace_id"] == body["trace_id"]
    assert record["event"]["result"] == {"suggest": "review", "label": 21000}
    assert record["status"].startswith("skipped")


def test_media_check_rejects_missing_fields(client, token):
    assert media_check(client, token, media_url="")["errcode"] == 47001
    assert media_check(client, token, media_type=3)["errcode"] == 47001


@pytest.fixture
def live_stub():
    base_url, shutdown = serve_in_thread(port=0)
    yield base_url
    shutdown()


def wait_for(fetch, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_media_check_posts_signed_verdict_over_http(live_stub):
    http = requests.Session()
    callback = {"media_callback_url": f"{live_stub}/stub/received", "media_callback_delay": 0}
    http.post(f"{live_stub}/stub/config", json=callback)
    token = http.post(
        f"{live_stub}/cgi-bin/stable_token",
        json={"grant_type": "client_credential", "appid": APPID, "secret": "s", "force_refresh": False},
    ).json()["access_token"]
    reply = http.post(
        f"{live_stub}/wxa/media_check_async?access_token={token}",
        json={"media_url": "https://cdn.example/risky.jpg", "media_type": 2, "version": 2, "scene": 2, "openid": "o1"},
    ).json()
    assert reply["errcode"] == 0

    (push,) = wait_for(lambda: http.get(f"{live_stub}/stub/received").json()["received"])
    event = push["json"]
    assert event["trace_id"] == reply["trace_id"]
    assert event["MsgType"] == "event" and event["Event"] == "wxa_media_check"
    assert event["appid"] == APPID and event["FromUserName"] == "o1" and event["version"] == 2
    assert event["errcode"] == 0 and event["result"] == {"suggest": "risky", "label": 20002}
    assert event["detail"][0]["suggest"] == "risky" and isinstance(event["CreateTime"], int)
    args = push["args"]
    expected = hashlib.sha1("".join(sorted(["stub-push-token", args["timestamp"], args["nonce"]])).encode()).hexdigest()
    assert args["signature"] == expected
    wait_for(lambda: http.get(f"{live_stub}/stub/callbacks").json()["callbacks"][0]["status"] == 200)


def test_concurrent_token_requests_share_one_token(live_stub):
    body = {"grant_type": "client_credential", "appid": APPID, "secret": "s"}

    def fetch(_):
        return requests.post(f"{live_stub}/cgi-bin/stable_token", json=body, timeout=5).json()["access_token"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(pool.map(fetch, range(16)))
    calls = requests.get(f"{live_stub}/stub/calls", timeout=5).json()
    assert len(tokens) == 1 and calls["tokens_issued"] == 1
    assert calls["counts"]["/cgi-bin/stable_token"] == 16


def test_unreachable_callback_url_is_recorded_not_raised(live_stub):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/push"
    requests.post(f"{live_stub}/stub/config", json={"media_callback_url": dead, "media_callback_delay": 0}, timeout=5)
    body = {"grant_type": "client_credential", "appid": APPID, "secret": "s"}
    token = requests.post(f"{live_stub}/cgi-bin/stable_token", json=body, timeout=5).json()["access_token"]
    requests.post(f"{live_stub}/wxa/media_check_async?access_token={token}", json=MEDIA, timeout=5)

    def status():
        return requests.get(f"{live_stub}/stub/callbacks", timeout=5).json()["callbacks"][0]["status"]

    wait_for(lambda: str(status()).startswith("error"))


# --- subscribe/send -----------------------------------------------------------


def send(client, token, **fields):
    body = {
        "touser": "stub-openid-a",
        "template_id": "tpl-order-ready",
        "page": "pages/order/detail?id=1",
        "data": {"thing1": {"value": "订单已备好"}, "time2": {"value": "2024-05-01 12:00"}},
        "miniprogram_state": "developer",
        "lang": "zh_CN",
        **fields,
    }
    return client.post(f"/cgi-bin/message/subscribe/send?access_token={token}", json=body).get_json()


def test_subscribe_send_is_recorded(client, token):
    body = send(client, token)
    assert body["errcode"] == 0 and body["errmsg"] == "ok" and isinstance(body["msgid"], int)
    (message,) = client.get("/stub/sent").get_json()["sent"]
    assert message["touser"] == "stub-openid-a" and message["msgid"] == body["msgid"]
    assert message["data"]["thing1"]["value"] == "订单已备好"


@pytest.mark.parametrize(
    "fields, errcode",
    [
        ({"touser": "stub-openid-unsubscribed"}, 43101),
        ({"touser": ""}, 47003),
        ({"template_id": None}, 47003),
        ({"template_id": "invalid"}, 40037),
        ({"data": {"thing1": {"value": "这段文字明显超过了二十个字符的长度限制了吧"}}}, 47003),
        ({"data": {"phrase3": {"value": ""}}}, 47003),
    ],
)
def test_subscribe_send_errors(client, token, fields, errcode):
    body = send(client, token, **fields)
    assert body["errcode"] == errcode
    assert client.get("/stub/sent").get_json()["sent"] == []


def test_refused_message_is_listed_as_rejected(client, token):
    assert send(client, token, touser="x-unsubscribed")["errmsg"] == "user refuse to accept the msg"
    (refused,) = client.get("/stub/sent").get_json()["rejected"]
    assert refused["touser"] == "x-unsubscribed" and refused["errcode"] == 43101


# --- /stub helpers ------------------------------------------------------------


def test_injected_failures_hit_the_next_n_calls(client):
    client.post("/stub/fail", json={"path": "/sns/jscode2session", "times": 2, "errcode": -1})
    assert login(client, js_code="a") == {"errcode": -1, "errmsg": "system error"}
    assert login(client, js_code="a")["errcode"] == -1
    assert login(client, js_code="a")["openid"] == "stub-openid-a"
    assert client.get("/stub/calls").get_json()["counts"]["/sns/jscode2session"] == 3


def test_injected_failure_can_use_http_status(client):
    rule = {"path": "*", "errcode": 45009, "errmsg": "reach max api daily quota limit", "status": 503}
    client.post("/stub/fail", json=rule)
    resp = client.post("/cgi-bin/stable_token", json={})
    assert resp.status_code == 503 and resp.get_json()["errcode"] == 45009
    assert client.get("/stub/fail").get_json() == {"failures": {}}


def test_fail_rejects_bad_rules(client):
    assert client.post("/stub/fail", json={"path": "stable_token"}).status_code == 400
    assert client.post("/stub/fail", json={"path": "/x", "times": 0}).status_code == 400


def test_reset_config_and_health(client, token):
    send(client, token)
    assert client.post("/stub/config", json={"no_such_key": 1}).status_code == 400
    assert client.post("/stub/config", json={"token_ttl": 60}).get_json()["token_ttl"] == 60
    assert client.post("/stub/reset").get_json() == {"status": "reset"}
    assert client.get("/stub/sent").get_json() == {"sent": [], "rejected": []}
    assert client.get("/stub/calls").get_json()["total"] == 0
    assert client.get("/stub/config").get_json()["token_ttl"] == 7200
    assert phone(client, token, "c1")["errcode"] == 40001  # tokens are forgotten too
    assert client.get("/stub/health").get_json()["status"] == "ok"


def test_create_app_config_survives_reset():
    client = create_app({"token_ttl": 30}).test_client()
    client.post("/stub/reset")
    assert get_token(client)["expires_in"] == 30
    with pytest.raises(ValueError):
        create_app({"tokenttl": 30})


def test_command_line_starts_a_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "miniprogram_stub.wechat_server", "--port", str(port), "--token-ttl", "600"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def health():
            try:
                return requests.get(f"http://127.0.0.1:{port}/stub/health", timeout=0.5).ok
            except requests.ConnectionError:
                return False

        wait_for(health, timeout=10)
        config = requests.get(f"http://127.0.0.1:{port}/stub/config", timeout=2).json()
        assert config["token_ttl"] == 600
    finally:
        proc.terminate()
        proc.wait(timeout=5)
