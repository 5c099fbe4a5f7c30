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
