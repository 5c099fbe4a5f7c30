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


def test_compose_reads_from_a_streaming_replica_with_several_app_containers():
    import yaml

    spec = yaml.safe_load(COMPOSE)
    services = spec["services"]
    replica = services["db-replica"]
    script = replica["command"][-1]
    assert "pg_basebackup -h db" in script and " -R " in script  # a standby of `db`, following it
    assert "hot_standby=on" in script and "fsync=on" in script
    assert "pgreplica" in spec["volumes"]
    assert services["app"]["environment"]["DATABASE_REPLICA_URLS"].endswith("@db-replica:5432/circle")
    assert "db-replica" in services["app"]["depends_on"]
    assert services["app"]["deploy"]["replicas"] == "${APP_REPLICAS:-2}"
    assert services["front"]["environment"]["APP_UPSTREAM"] == "app:8000"  # every app container behind nginx
    hba = (ROOT / "deploy" / "postgres" / "replication.sh").read_text()
    assert "host replication" in hba
    assert any("replication.sh" in volume for volume in services["db"]["volumes"])
