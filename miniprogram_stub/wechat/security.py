"""Content security 2.0: msgSecCheck (sync text) and mediaCheckAsync (push).

A small word list stands in for WeChat's models so tests can pick a verdict:
the words below make text ``risky`` or ``review``; a media_url containing
``risky`` or ``review`` gets that verdict; everything else passes (label 100).
"""

import hashlib
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from flask import Blueprint, g

from . import errors as E
from .auth import json_body, require_token
from .state import get_state, new_trace_id

log = logging.getLogger(__name__)
bp = Blueprint("wechat_security", __name__)

# Real label values: 100 normal, 10001 ads, 20001 politics, 20002 porn,
# 20003 abuse, 20006 illegal, 20008 fraud, 20012 vulgar, 20013 copyright,
# 21000 other.
LABEL_PASS = 100
RISKY_WORDS = {"赌博": 20006, "毒品": 20006, "枪支": 20006, "色情": 20002, "诈骗": 20008}
REVIEW_WORDS = {"广告": 10001, "加微信": 10001, "代购": 10001, "刷单": 20008}
SCENES = {1, 2, 3, 4}  # 1 profile, 2 comment, 3 forum, 4 social log
MEDIA_TYPES = {1, 2}  # 1 audio, 2 image


def classify_text(text):
    """(suggest, label, hit word or None); risky words win over review words."""
    for words, suggest in ((RISKY_WORDS, "risky"), (REVIEW_WORDS, "review")):
        for word, label in words.items():
            if word in text:
                return suggest, label, word
    return "pass", LABEL_PASS, None


def classify_media(url):
    if "risky" in url:
        return "risky", 20002, None
    if "review" in url:
        return "review", 21000, None
    return "pass", LABEL_PASS, None


def _detail(suggest, label, keyword):
    model = {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}
    # The real keyword entry only names words from the app's own keyword list;
    # the stub's word list plays that role so tests can see what matched.
    hit = {"strategy": "keyword", "errcode": 0}
    if keyword:
        hit.update(suggest=suggest, label=label, level=20, keyword=keyword)
    return [model, hit]


def _one_of(value, allowed):
    """A code WeChat sends as a number or a numeric string, within `allowed`."""
    try:
        return int(value) in allowed
    except (TypeError, ValueError):
        return False


def _v2_fields_ok(body, required, **codes):
    """A JSON body of the v2 API: every `required` field, a known scene and each of `codes` (field → allowed)."""
    if body is None or body.get("version") not in (2, "2"):
        return False
    if any(not body.get(field) for field in required):
        return False
    codes["scene"] = SCENES
    return all(_one_of(body.get(field), allowed) for field, allowed in codes.items())


@bp.post("/wxa/msg_sec_check")
@require_token
def msg_sec_check():
    body = json_body()
    if not _v2_fields_ok(body, ("content", "openid")):
        return E.error(E.DATA_FORMAT_ERROR)
    # v2 also screens the optional title / nickname / signature fields.
    text = " ".join(str(body.get(f) or "") for f in ("content", "title", "nickname", "signature"))
    suggest, label, keyword = classify_text(text)
    return E.ok(
        result={"suggest": suggest, "label": label},
        detail=_detail(suggest, label, keyword),
        trace_id=new_trace_id(),
    )


@bp.post("/wxa/media_check_async")
@require_token
def media_check_async():
    body = json_body()
    if not _v2_fields_ok(body, ("media_url", "openid"), media_type=MEDIA_TYPES):
        return E.error(E.DATA_FORMAT_ERROR)
    state = get_state()
    trace_id = new_trace_id()
    suggest, label, _ = classify_media(body["media_url"])
    event = {
        "ToUserName": state.config["username"],
        "FromUserName": body["openid"],
        "CreateTime": int(state.now()),
        "MsgType": "event",
        "Event": "wxa_media_check",
        "appid": g.token.appid,
        "trace_id": trace_id,
        "version": 2,
        "detail": _detail(suggest, label, None)[:1],
        "errcode": 0,
        "errmsg": "ok",
        "result": {"suggest": suggest, "label": label},
    }
    record = {"trace_id": trace_id, "media_url": body["media_url"], "event": event, "status": "pending"}
    with state.lock:
        url = state.config["media_callback_url"]
        delay = float(state.config["media_callback_delay"])
        token = state.config["push_token"]
        state.callbacks.append(record)
    if url:
        args = (url, event, token, delay, record, state.lock)
        threading.Thread(target=_deliver, args=args, daemon=True).start()
    else:
        record["status"] = "skipped: no media_callback_url configured"
    return E.ok(trace_id=trace_id)


def signed_query(push_token, timestamp, nonce):
    """Query string WeChat adds to every push: sha1 of the sorted three."""
    parts = sorted([push_token, str(timestamp), nonce])
    signature = hashlib.sha1("".join(parts).encode()).hexdigest()
    return {"signature": signature, "timestamp": str(timestamp), "nonce": nonce}


def _deliver(url, event, push_token, delay, record, lock):
    """Post the verdict like WeChat's message push (plaintext JSON mode)."""
    time.sleep(delay)
    query = signed_query(push_token, int(time.time()), str(secrets.randbelow(10**10)))
    target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    data = json.dumps(event, ensure_ascii=False).encode()
    req = urllib.request.Request(target, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            outcome = resp.status
    except urllib.error.HTTPError as exc:
        outcome = exc.code
    except OSError as exc:  # refused, timeout, DNS: record it, don't crash the thread
        outcome = f"error: {exc}"
        log.warning("media check callback to %s failed: %s", url, exc)
    with lock:
        record["status"] = outcome
        record["url"] = target
