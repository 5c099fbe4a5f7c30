"""The application's Flask class: Flask without two costs every request paid for nothing in this API.

- No cookie session. Logins are JWTs (flask-jwt-extended) and nothing uses `flask.session`, yet Flask opened
  its signed cookie session on every request (a serializer built per request: ~0.1 ms of a 2 ms nearby
  search). The session is a null one; writing to it is a programming error and says why.
- `ensure_sync` remembered. Flask asks `inspect.iscoroutinefunction` of every hook, view and handler on every
  request (13 for a nearby search); the answer for a function never changes.
"""

from inspect import iscoroutinefunction

from flask import Flask
from flask.sessions import NullSession, SessionInterface


class NoSession(NullSession):
    def _fail(self, *args, **kwargs):
        raise RuntimeError("this API keeps no Flask session: logins are JWTs (app/auth)")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore[assignment]


class NoSessionInterface(SessionInterface):
    null_session_class = NoSession

    def open_session(self, app, request):
        return None  # Flask then makes the null session

    def save_session(self, app, session, response):
        return None


class App(Flask):
    session_interface = NoSessionInterface()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions: set = set()

    def ensure_sync(self, func):
        try:
            if func in self._sync_functions:
                return func
        except TypeError:  # an unhashable callable: asked every time, as Flask does
            return super().ensure_sync(func)
        if iscoroutinefunction(func):
            return super().ensure_sync(func)
        if len(self._sync_functions) < 10_000:  # functions and bound methods of long-lived objects
            self._sync_functions.add(func)
        return func
