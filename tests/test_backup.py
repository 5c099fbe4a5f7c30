"""`make backup` / `make restore` (scripts/backup.sh): a dump → restore round trip on the real server.

A scratch source database is migrated and filled, backed up, then restored under another name; both must
hold the same rows (counts in every table, and the outlet, hours and boundary values themselves).
"""

import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import create_app
from app.common.extensions import db as database
from tests.factories import Factory
from tests.transactions import commit

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup.sh"


def _admin(url):
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _drop_like(url, prefix):
    engine = _admin(url)
    with engine.connect() as conn:
        names = conn.scalars(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{prefix}%"})
        for name in list(names):
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def scratch(app):
    """Names of two scratch databases on the test server (dropped before and after)."""
    base = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    prefix = f"{base.database}_bk_"
    _drop_like(str(base.render_as_string(hide_password=False)), prefix)
    urls = [base.set(database=f"{prefix}{name}").render_as_string(hide_password=False) for name in ("src", "dst")]
    engine = _admin(urls[0])
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{make_url(urls[0]).database}"'))
    engine.dispose()
    yield urls
    _drop_like(urls[0], prefix)


def _fill(app, source_url):
    from flask_migrate import upgrade

    source = create_app({**_config(app), "SQLALCHEMY_DATABASE_URI": source_url})
    with source.app_context():
        upgrade()
        make = Factory(database)
        circle = make.circle()
        make.community(circle, center=(116.8431, 40.3765))
        for i in range(5):
            make.outlet(lng=116.8431 + i * 0.001, hours={"mon": [["08:00", "20:00"]]}, name=f"备份网点{i}")
        make.user()
        make.user("staff", circles=[circle])
        commit()
        database.session.remove()
        database.engine.dispose()


def _config(app):
    return {k: app.config[k] for k in ("REDIS_URL", "WECHAT_API_BASE")}


def _run(*args, url, env_extra=None):
    env = {**os.environ, "DATABASE_URL": url, **(env_extra or {})}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300)


SAMPLE = {
    # circle_id and community_id are set by the membership triggers: restored with the functions they call
    "outlets": "SELECT name, ST_AsText(location), hours::text, open_minutes::text, circle_id, community_id "
    "FROM outlets ORDER BY id",
    "circles": "SELECT circles.name, ST_AsText(circles.boundary), communities.name FROM circles "
    "JOIN communities ON communities.circle_id = circles.id ORDER BY circles.id",
    "alembic": "SELECT version_num FROM alembic_version",
}


def _contents(url) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = conn.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ).all()
        counts = {t: conn.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in tables}
        samples = {name: [tuple(r) for r in conn.execute(sa.text(sql))] for name, sql in SAMPLE.items()}
        triggers = conn.scalar(sa.text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"))
    engine.dispose()
    return {"counts": counts, "samples": samples, "triggers": triggers}


def test_dump_and_restore_round_trip(app, scratch, tmp_path):
    source_url, target_url = scratch
    _fill(app, source_url)
    uploads = tmp_path / "uploads"
    (uploads / "ab" / "cd").mkdir(parents=True)
    (uploads / "ab" / "cd" / "abcd.jpg").write_bytes(b"\xff\xd8\xff photo")

    made = _run("backup", str(tmp_path / "backup"), url=source_url, env_extra={"UPLOAD_DIR": str(uploads)})
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "backup" / "db.dump").stat().st_size > 0

    restored_files = tmp_path / "restored-uploads"
    back = _run("restore", str(tmp_path / "backup"), url=target_url, env_extra={"UPLOAD_DIR": str(restored_files)})
    assert back.returncode == 0, back.stderr

    before, after = _contents(source_url), _contents(target_url)
    assert before["counts"]["outlets"] == 5 and before["counts"]["users"] == 2
    assert after == before
    assert (restored_files / "ab" / "cd" / "abcd.jpg").read_bytes() == b"\xff\xd8\xff photo"

    # Restoring again over a database keeps the previous one aside instead of writing into it.
    again = _run("restore", str(tmp_path / "backup"), url=target_url, env_extra={"UPLOAD_DIR": str(restored_files)})
    assert again.returncode == 0, again.stderr
    assert "_before_restore_" in again.stderr and _contents(target_url) == before


def test_restore_refuses_a_database_in_use(app, scratch, tmp_path):
    source_url, _ = scratch
    made = _run("backup", str(tmp_path / "backup"), url=source_url, env_extra={"UPLOAD_DIR": str(tmp_path / "none")})
    assert made.returncode == 0, made.stderr
    engine = sa.create_engine(source_url)
    with engine.connect():  # the app is still running
        refused = _run("restore", str(tmp_path / "backup"), url=source_url)
    engine.dispose()
    assert refused.returncode != 0 and "in use" in refused.stderr
