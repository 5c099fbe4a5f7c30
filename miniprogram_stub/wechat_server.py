"""A local stand-in for https://api.weixin.qq.com, for tests and ``make run``.

Start it:  python -m miniprogram_stub.wechat_server --port 9100 [--host 127.0.0.1]
           [--callback-url URL] [--push-token TOKEN] [--token-ttl SECONDS]
and point the app at it with WECHAT_API_BASE=http://127.0.0.1:9100.

In tests: ``create_app().test_client()``, or ``serve_in_thread()`` for real
HTTP. Production never uses this; it accepts any appid and secret.
"""

import argparse
import logging
import threading

from flask import Flask
from werkzeug.serving import make_server

from .wechat import admin, auth, phone, security, subscribe
from .wechat.state import EXTENSION_KEY, StubState


def create_app(config=None):
    """A fresh stub with its own in-memory state; ``config`` keys as in /stub/config."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # WeChat sends Chinese as UTF-8, not \u escapes
    app.json.sort_keys = False  # keep fields in the order the real API uses
    app.extensions[EXTENSION_KEY] = StubState(config)
    for module in (admin, auth, phone, security, subscribe):
        app.register_blueprint(module.bp)
    return app


def serve_in_thread(port=0, host="127.0.0.1", app=None, config=None):
    """Serve over real HTTP on a daemon thread; returns (base_url, shutdown).

    ``port=0`` lets the OS pick a free port. Threaded, so the stub can accept
    its own media-check callback while another request is in flight.
    """
    app = app or create_app(config)
    server = make_server(host, port, app, threaded=True)
    # A short poll interval keeps shutdown() quick between tests.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="wechat-stub", daemon=True
    )
    thread.start()

    def shutdown():
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

    return f"http://{host}:{server.server_port}", shutdown


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m miniprogram_stub.wechat_server",
        description="Fake WeChat server API for local development and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--callback-url", help="where media_check_async posts its verdict (the app's push URL)")
    parser.add_argument("--push-token", help="message-push token used to sign callbacks (default stub-push-token)")
    parser.add_argument("--token-ttl", type=int, help="access_token lifetime in seconds (default 7200)")
    args = parser.parse_args(argv)

    config = {
        key: value
        for key, value in (
            ("media_callback_url", args.callback_url),
            ("push_token", args.push_token),
            ("token_ttl", args.token_ttl),
        )
        if value is not None
    }
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = make_server(args.host, args.port, create_app(config), threaded=True)
    print(f"WeChat stub listening on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
