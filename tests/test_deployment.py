"""What the production-facing files promise: durable PostgreSQL, a trusted proxy hop, no default secrets.

The development server (scripts/services.sh) runs PostgreSQL with fsync off for speed; nothing that
production uses may inherit that.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = (ROOT / "docker-compose.yml").read_text()
PRODUCTION_FILES = {name: (ROOT / name).read_text() for name in ("docker-compose.yml", "Dockerfile")}


def test_no_production_file_turns_durability_off():
    for name, text in PRODUCTION_FILES.items():
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            assert not re.search(rf"{setting}\s*=\s*(off|false|0)\b", text), (name, setting)
    db = COMPOSE.split("\n  db:\n", 1)[1].split("\n  redis:\n", 1)[0]
    for setting in ("fsync=on", "synchronous_commit=on", "full_page_writes=on"):
        assert setting in db


def test_compose_trusts_one_proxy_and_publishes_the_app_on_loopback_only():
    assert "PROXY_HOPS: ${PROXY_HOPS:-1}" in COMPOSE
    assert '"8000:8000"' not in COMPOSE and "0.0.0.0:8000:8000" not in COMPOSE


def test_compose_has_no_default_database_password():
    assert "${POSTGRES_PASSWORD:-" not in COMPOSE
    assert "APP_ENV: production" in COMPOSE
