"""Residents' photos: WeChat's asynchronous media check, the signed push callback, hidden until passed."""

import time

import requests

from app.uploads import push
from app.uploads import service as upload_service
from app.uploads.models import Upload

CALLBACK = "/api/v1/wechat/media-check"


def signed(timestamp=None, token="stub-push-token", nonce="12345"):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"signature": push.expected_signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def stub_events(stub):
    return [c["event"] for c in requests.get(f"{stub}/stub/callbacks", timeout=5).json()["callbacks"]]


def event(trace_id, suggest):
    return {
        "ToUserName": "gh_stub00000000",
        "FromUserName": "openid",
        "CreateTime": int(time.time()),
        "MsgType": "event",
        "Event": "wxa_media_check",
        "appid": "wx-dev-appid",
        "trace_id": trace_id,
        "version": 2,
        "detail": [],
        "errcode": 0,
        "errmsg": "ok",
        "result": {"suggest": suggest, "label": 100 if suggest == "pass" else 20002},
    }


def test_demand_photo_hidden_until_wechat_passes_it(app, client, make, upload, stub, db, jpeg):
    resident = make.user()
    # The Host header is the client's to choose: it must not decide which image WeChat checks.
    forged = {**make.headers(resident), "Host": "attacker.example"}
    body = upload(forged, jpeg, purpose="demand_photo").get_json()
    assert body["media_check"] == "pending" and body["url"] is None and body["thumb_url"] is None
    file_url = f"/api/v1/uploads/{body['id']}/file"
    assert client.get(file_url).status_code == 401
    assert client.get(f"/api/v1/uploads/{body['id']}/thumb").status_code == 401
    assert client.get(file_url, headers=make.headers(make.user())).status_code == 403
    assert client.get(file_url, headers=make.headers(resident)).status_code == 200  # the owner still sees it

    [pushed] = stub_events(stub)  # exactly what the stub would push to our callback
    media_url = requests.get(f"{stub}/stub/callbacks", timeout=5).json()["callbacks"][0]["media_url"]
    base = app.config["DEV_SERVER_URL"]  # PUBLIC_BASE_URL unset in development: the server's own address
    assert media_url.startswith(f"{base}{file_url}?token=")
    assert client.get(media_url.removeprefix(base)).status_code == 200  # WeChat may fetch it

    answer = client.post(CALLBACK, json=pushed, query_string=signed())
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "success"
    refreshed = client.get(f"/api/v1/uploads/{body['id']}", headers=make.headers(resident)).get_json()
    assert refreshed["media_check"] == "pass" and refreshed["url"].startswith(f"{file_url}?token=")
    assert client.get(file_url).status_code == 401  # passed, but no need uses it yet: still the owner's
    upload_service.claim_uploads(resident, [body["id"]], "demand_photo", circle_id=make.circle().id)
    assert client.get(file_url).status_code == 200


def test_risky_verdict_keeps_photo_hidden_and_unclaimable(client, make, upload, stub, db, jpeg):
    resident = make.user()
    body = upload(make.headers(resident), jpeg, purpose="rating_photo").get_json()
    trace_id = db.session.get(Upload, body["id"]).media_trace_id
    assert trace_id
    assert client.post(CALLBACK, json=event(trace_id, "risky"), query_string=signed()).status_code == 200
    assert client.get(f"/api/v1/uploads/{body['id']}/file").status_code == 401
    assert client.get(f"/api/v1/uploads/{body['id']}", headers=make.headers(resident)).get_json()["url"] is None
    try:
        upload_service.claim_uploads(resident, [body["id"]], "rating_photo")
        raise AssertionError("a risky photo must not be claimable")
    except upload_service.ValidationFailed as error:
        assert "photo_ids" in error.details


def test_callback_refuses_bad_or_stale_signatures(client, make, upload, stub, db, jpeg):
    body = upload(make.headers(make.user()), jpeg, purpose="demand_photo").get_json()
    trace_id = db.session.get(Upload, body["id"]).media_trace_id
    forged = client.post(CALLBACK, json=event(trace_id, "pass"), query_string=signed(token="wrong"))
    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "invalid_signature"
    stale = client.post(CALLBACK, json=event(trace_id, "pass"), query_string=signed(timestamp=time.time() - 3600))
    assert stale.status_code == 403
    unsigned = client.post(CALLBACK, json=event(trace_id, "pass"))
    assert unsigned.status_code == 422
    assert db.session.get(Upload, body["id"]).media_check == "pending"


def test_push_url_verification_echoes(client):
    ok = client.get(CALLBACK, query_string={**signed(), "echostr": "abc123"})
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "abc123"
    assert client.get(CALLBACK, query_string={**signed(token="x"), "echostr": "abc"}).status_code == 403


def test_verdict_that_overtakes_the_trace_id_is_kept(client, make, upload, stub, db, jpeg, monkeypatch):
    # WeChat can push before we have saved trace_id; the verdict waits in Redis for it.
    monkeypatch.setattr(upload_service.wechat, "media_check_async", lambda url, openid: "early-trace-1")
    assert client.post(CALLBACK, json=event("early-trace-1", "pass"), query_string=signed()).status_code == 200
    body = upload(make.headers(make.user()), jpeg, purpose="demand_photo").get_json()
    assert db.session.get(Upload, body["id"]).media_check == "pass"


def test_wechat_failure_keeps_upload_pending(client, make, upload, stub, db, jpeg):
    requests.post(f"{stub}/stub/fail", json={"path": "/wxa/media_check_async", "errcode": -1}, timeout=5)
    response = upload(make.headers(make.user()), jpeg, purpose="demand_photo")
    assert response.status_code == 201 and response.get_json()["media_check"] == "pending"
    row = db.session.get(Upload, response.get_json()["id"])
    assert row.media_trace_id is None and response.get_json()["url"] is None


def test_media_check_url_comes_from_public_base_url(app, make, upload, stub, monkeypatch, jpeg):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://api.example.cn/")
    forged = {**make.headers(make.user()), "Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    body = upload(forged, jpeg, purpose="demand_photo").get_json()
    media_url = requests.get(f"{stub}/stub/callbacks", timeout=5).json()["callbacks"][0]["media_url"]
    assert media_url.startswith(f"https://api.example.cn/api/v1/uploads/{body['id']}/file?token=")
