"""In-memory state of one stub app, kept in ``app.extensions["wechat_stub"]``.

Everything lives in one object behind one lock because the stub runs threaded
(several app workers may hit it at once) and tests reset it between cases.
"""

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass

from flask import current_app

EXTENSION_KEY = "wechat_stub"

DEFAULT_CONFIG = {
    # Where media_check_async posts its verdict (the app's message-push URL).
    "media_callback_url": None,
    # Seconds before the verdict is posted; the real platform answers within
    # 30 minutes, a short delay still catches apps that store trace_id too late.
    "media_callback_delay": 0.2,
    # Token configured for message push on the mini-program admin page; used to
    # sign the callback exactly as WeChat does (signature/timestamp/nonce).
    "push_token": "stub-push-token",
    # Lifetime of an access_token; small values let tests exercise expiry.
    "token_ttl": 7200,
    # Seconds an access_token stays valid after force_refresh replaced it.
    # The real stable_token invalidates it at once (0); raise it to be lenient.
    "force_refresh_grace": 0,
    # The real login code works once (40163 "code been used"); off by default
    # because tests reuse a code to log the same user in again.
    "single_use_codes": False,
    # jscode2session's openid is this prefix + the code (a long prefix makes an openid no real WeChat returns).
    "openid_prefix": "stub-openid-",
    # ToUserName of pushed events: the mini-program's original id (gh_...).
    "username": "gh_stub00000000",
}


@dataclass
class Token:
    value: str
    appid: str
    expires_at: float
    revoked_at: float | None = None

    def status(self, now):
        """None when usable, else the errcode the real API would give."""
        if self.revoked_at is not None and now >= self.revoked_at:
            return 40001  # replaced by force_refresh: "not latest"
        if now >= self.expires_at:
            return 42001
        return None


@dataclass
class FailRule:
    times: int
    errcode: int
    errmsg: str | None
    status: int
    delay: float


class StubState:
    def __init__(self, config=None):
        unknown = set(config or {}) - set(DEFAULT_CONFIG)
        if unknown:
            raise ValueError(f"unknown stub config keys: {sorted(unknown)}")
        self.lock = threading.RLock()
        self._initial_config = {**DEFAULT_CONFIG, **(config or {})}
        self.reset()

    def reset(self):
        """Back to the state right after start, including start-up config."""
        with self.lock:
            self.config = dict(self._initial_config)
            self.clock_offset = 0.0
            self.calls = Counter()
            self.failures = {}
            self.tokens = {}  # access_token value -> Token
            self.current_token = {}  # appid -> Token stable_token hands out
            self.last_force_refresh = {}  # appid -> time
            self.tokens_issued = 0
            self.used_codes = set()
            self.sent = []
            self.rejected = []
            self.callbacks = []
            self.received = []
            self._msgid = 2_000_000_000_000_000_000  # real msgids are int64-sized

    def now(self):
        # Tests move time forward with /stub/advance instead of sleeping.
        return time.time() + self.clock_offset

    def next_msgid(self):
        with self.lock:
            self._msgid += 1
            return self._msgid

    def take_failure(self, path):
        """Consume one injected failure for ``path`` (or the ``*`` wildcard)."""
        with self.lock:
            for key in (path, "*"):
                rule = self.failures.get(key)
                if rule:
                    rule.times -= 1
                    if rule.times <= 0:
                        del self.failures[key]
                    return rule
            return None


def new_trace_id():
    # Same look as real ones, e.g. "62987eb8-18ca076c-37fc373b".
    return "-".join(secrets.token_hex(4) for _ in range(3))


def get_state() -> StubState:
    return current_app.extensions[EXTENSION_KEY]
