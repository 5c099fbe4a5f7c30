import threading

import pytest
from werkzeug.serving import make_server

from tests.demands.world import build_world


@pytest.fixture
def world(make, db, client, stub):
    return build_world(make, db)


@pytest.fixture
def live(app, db, redis):
    """The app on a real socket (one request at a time, on the test's rolled-back connection), so clients
    are tested as they speak: HTTP, headers, bytes."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
