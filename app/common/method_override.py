"""`X-HTTP-Method-Override` for the mini-program: wx.request cannot send PATCH.

The client sends such a request as POST with `X-HTTP-Method-Override: PATCH`; this WSGI middleware
routes it as the PATCH it stands for, before Flask matches the URL. Only POST can be overridden, and
only to PATCH, so a link or a GET can never change data.
"""


class MethodOverride:
    HEADER = "HTTP_X_HTTP_METHOD_OVERRIDE"

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get(self.HEADER, "").upper() == "PATCH":
            environ["REQUEST_METHOD"] = "PATCH"
        return self.wsgi_app(environ, start_response)
