"""`gunicorn bench.whatif_wsgi:app` with BENCH_WHAT_IF=<name>: the app with a bench what-if applied.

Session settings of the what-if (jit=off …) travel in DATABASE_URL, set by bench/nearby.py.
"""

import os

from bench.whatif import apply

apply(os.environ.get("BENCH_WHAT_IF"))

from app import create_app  # noqa: E402

app = create_app()
