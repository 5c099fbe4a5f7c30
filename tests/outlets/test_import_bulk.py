"""The set-based load: a file beyond 65,535 rows, the per-row report from SQL checks, all-or-nothing on failure,
outlet history and the evaluation cache kept true for bulk changes, the CLI's streamed report."""

from datetime import date, datetime

from sqlalchemy import func, select, text

from app.common.clock import local_zone
from app.outlets.importer import ImportFileError, import_outlet_data, import_outlets
from app.outlets.models import Outlet, OutletVersion
from tests.factories import MIYUN
from tests.transactions import commit

HEADER = "external_id,name,types,lng,lat,coord,address,phone,hours,chain,online\n"


def count(db, model=Outlet):
    return db.session.scalar(select(func.count()).select_from(model))


def test_more_rows_than_one_statement_may_bind(db, make, tmp_path):
    """70,000 rows (the row-by-row importer died at the end past 65,535 and saved nothing)."""
    circle = make.circle(center=MIYUN, half_m=600)
    rows = 70_000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(rows):
            # every 7th point in the circle, the rest spread east of it
            lng = MIYUN[0] if i % 7 == 0 else 116.90 + (i % 1000) * 1e-4
            f.write(f"BIG-{i},便利店{i},convenience_store,{lng:.6f},{MIYUN[1]:.6f},wgs84,,,,,\n")
        f.write("BIG-5,重复,convenience_store,116.9,40.3,wgs84,,,,,\n")  # row rows + 2
    result = import_outlets(path)
    assert (result.created, result.updated, result.failed) == (rows, 0, 1)
    assert result.outside == rows - len(range(0, rows, 7))
    assert result.errors[0].row == rows + 2 and "第 7 行" in result.errors[0].reason
    assert count(db) == rows and count(db, OutletVersion) == rows
    inside = db.session.scalar(select(func.count()).select_from(Outlet).where(Outlet.circle_id == circle.id))
    assert inside == len(range(0, rows, 7))


def test_sql_checks_report_each_row_in_the_old_words(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + f"L1,{'长' * 121},convenience_store,116.85,40.38,wgs84,,,,,\n"  # row 2: name too long
        + "L2,好店,convenience_store|spaceship|alien,116.85,40.38,wgs84,,,,,\n"  # row 3: unknown types
        + "L3,无类型,,116.85,40.38,wgs84,,,,,\n"  # row 4
        + ",坏坐标,pharmacy,181,-91,wgs84,,,,,\n"  # row 5
        + "L5,多错,spaceship,abc,40.38,wgs84,,,7点,x,\n",  # row 6: several at once, in field order
        encoding="utf-8",
    )
    result = import_outlets(path)
    assert result.created == 0 and result.failed == 5
    reasons = {e.row: e.reason for e in result.errors}
    assert reasons[2] == "name: 不能超过 120 个字符"
    assert reasons[3] == "types: 未知的业态代码：alien, spaceship"
    assert reasons[4] == "types: 至少选择一种业态"
    assert reasons[5] == "lng: 经度应为 -180 到 180 之间的数字；lat: 纬度应为 -90 到 90 之间的数字"
    assert reasons[6] == (
        "types: 未知的业态代码：spaceship；lng: 经度应为 -180 到 180 之间的数字；chain: 应为 1/0、true/false 或 是/否；"
        "hours: 营业时段应为 开门-关门：7点"
    )


def test_an_unreadable_24h_cell_is_reported(db, tmp_path):
    """open_24h decides the row's minutes: a cell that says neither yes nor no is the row's problem (it raised
    KeyError and stopped the whole file before)."""
    path = tmp_path / "24h.csv"
    path.write_text(
        HEADER.replace(",hours", ",open_24h")
        + "H1,全天店,pharmacy,116.85,40.38,wgs84,,,也许,,\nH2,好店,pharmacy,116.85,40.38,wgs84,,,是,,\n",
        encoding="utf-8",
    )
    result = import_outlets(path)
    assert (result.created, result.failed) == (1, 1)
    assert [(e.row, e.reason) for e in result.errors] == [(2, "open_24h: 应为 1/0、true/false 或 是/否")]


def test_a_failure_midway_leaves_nothing_written(db, make):
    kept = make.outlet(external_id="K1", name="原名")
    before = count(db)
    # The file breaks after two good features: they and the update of K1 are undone with it.
    data = (
        b'{"type": "FeatureCollection", "features": ['
        b'{"type": "Feature", "properties": {"external_id": "K1", "name": "\xe6\x96\xb0\xe5\x90\x8d", "types": '
        b'["pharmacy"]}, "geometry": {"type": "Point", "coordinates": [116.85, 40.38]}},'
        b'{"type": "Feature", "properties": {"name": "x", "types": ["pharmacy"]}, "geometry": {"type": "Point", '
        b'"coordinates": [116.85, 40.38]}}, {"type": '
    )
    try:
        import_outlet_data(data, fmt="geojson")
    except ImportFileError as error:
        assert "JSON" in str(error)
    else:
        raise AssertionError("a truncated file must fail")
    db.session.refresh(kept)
    assert kept.name == "原名" and count(db) == before


def test_a_database_error_rolls_back_the_whole_file(db, make, tmp_path):
    kept = make.outlet(external_id="K1", name="原名", types=["pharmacy"])
    db.session.execute(
        text(
            """CREATE FUNCTION pg_temp.refuse() RETURNS trigger AS $$ BEGIN
                   IF NEW.name = '炸弹' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
               CREATE TRIGGER test_refuse BEFORE INSERT ON outlets FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse();"""
        )
    )
    path = tmp_path / "boom.csv"
    path.write_text(
        HEADER
        + "K1,新名,pharmacy,116.85,40.38,wgs84,,,,,\n"
        + "N1,好店,pharmacy,116.85,40.38,wgs84,,,,,\n"
        + "N2,炸弹,pharmacy,116.85,40.38,wgs84,,,,,\n",
        encoding="utf-8",
    )
    before = count(db)
    try:
        import_outlets(path)
    except Exception as error:  # noqa: BLE001 - the database's own error, whatever its class
        assert "refused" in str(error)
    else:
        raise AssertionError("the trigger must refuse the file")
    db.session.execute(text("DROP TRIGGER test_refuse ON outlets"))
    db.session.refresh(kept)
    assert kept.name == "原名" and count(db) == before


def test_history_and_evaluation_cache_follow_a_bulk_change(db, make, tmp_path):
    circle = make.circle(center=MIYUN, half_m=600)
    version = circle.evaluation_version
    first = tmp_path / "2025.csv"
    first.write_text(
        HEADER
        + f"H1,早餐店,breakfast,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n"
        + f"H2,药店,pharmacy,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n",
        encoding="utf-8",
    )
    import_outlets(first, as_of=date(2025, 6, 30))
    db.session.refresh(circle)
    assert circle.evaluation_version > version
    version = circle.evaluation_version
    h1 = db.session.scalar(select(Outlet).where(Outlet.external_id == "H1"))
    (opened,) = db.session.scalars(select(OutletVersion).where(OutletVersion.outlet_id == h1.id))
    assert opened.valid_from.astimezone(local_zone()).date() == date(2025, 6, 30) and opened.circle_id == circle.id

    # A year later H1 moved out of the circle and changed type; H2 is as it was (no new version).
    second = tmp_path / "2026.csv"
    second.write_text(
        HEADER
        + "H1,早餐店,convenience_store,116.95,40.45,wgs84,,,,,\n"
        + f"H2,药店,pharmacy,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n",
        encoding="utf-8",
    )
    result = import_outlets(second, as_of=date(2026, 1, 1))
    assert (result.created, result.updated, result.outside) == (0, 2, 1)
    db.session.refresh(h1)
    assert (h1.circle_id, h1.types) == (None, ["convenience_store"])
    versions = db.session.scalars(
        select(OutletVersion).where(OutletVersion.outlet_id == h1.id).order_by(OutletVersion.valid_from)
    ).all()
    assert [(v.circle_id, v.types) for v in versions] == [(circle.id, ["breakfast"]), (None, ["convenience_store"])]
    assert versions[0].valid_to == versions[1].valid_from
    assert versions[1].valid_from.astimezone(local_zone()).date() == date(2026, 1, 1)
    h2 = db.session.scalar(select(Outlet).where(Outlet.external_id == "H2"))
    assert db.session.scalar(select(func.count()).where(OutletVersion.outlet_id == h2.id)) == 1
    db.session.refresh(circle)
    assert circle.evaluation_version > version  # H1 left it


def test_an_import_marks_the_circles_within_walking_reach_of_what_it_wrote(db, make, tmp_path, monkeypatch):
    """An outlet imported outside every circle but within walking reach of one counts for that circle's presence:
    its evaluation is stale, as when the outlet is saved by hand; a circle far away is not. Past
    NAMED_OUTLETS_MAX outlets written, every circle is."""
    from app.outlets import bulk

    near = make.circle(center=MIYUN, half_m=600)
    far = make.circle(center=(117.2, 40.6), half_m=600)
    commit()
    db.session.refresh(near), db.session.refresh(far)
    versions = {c.id: c.evaluation_version for c in (near, far)}
    lng_300m_outside = MIYUN[0] + 900 / (111_320 * 0.7615)  # 900 m east of the centre: 300 m past the edge
    path = tmp_path / "near.csv"
    path.write_text(HEADER + f"N1,早餐店,breakfast,{lng_300m_outside},{MIYUN[1]},wgs84,,,,,\n", encoding="utf-8")
    result = import_outlets(path)
    assert (result.created, result.outside) == (1, 1)
    db.session.refresh(near), db.session.refresh(far)
    assert near.evaluation_version > versions[near.id] and far.evaluation_version == versions[far.id]

    monkeypatch.setattr(bulk, "NAMED_OUTLETS_MAX", 0)
    path.write_text(HEADER + f"N1,早点铺,breakfast,{lng_300m_outside},{MIYUN[1]},wgs84,,,,,\n", encoding="utf-8")
    assert import_outlets(path).updated == 1
    db.session.refresh(far)
    assert far.evaluation_version > versions[far.id]


def test_the_same_file_again_writes_nothing_and_keeps_the_reach_and_the_cache(db, make, tmp_path):
    """A re-run of an unchanged file changes no outlet: the stored reach is not sent to be built again from
    scratch (the bulk statements' trigger would have cleared its radius) and no circle's evaluation is stale."""
    from app.evaluation import reach

    circle = make.circle(center=MIYUN, half_m=600)
    path = tmp_path / "same.csv"
    path.write_text(HEADER + f"S1,早餐店,breakfast,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n", encoding="utf-8")
    import_outlets(path)
    assert reach.refresh()["rebuilt"] is True  # the first load's bulk write: built from scratch
    db.session.refresh(circle)
    version = circle.evaluation_version

    result = import_outlets(path)
    assert (result.created, result.updated, result.failed) == (0, 1, 0)  # matched, found unchanged
    assert db.session.scalar(text("SELECT radius_m FROM outlet_reach_state")) == reach.reach_m()
    refreshed = reach.refresh()
    assert (refreshed["rebuilt"], refreshed["outlets"], refreshed["circles"]) == (False, 0, 0)
    db.session.refresh(circle)
    assert circle.evaluation_version == version


def test_update_keeps_what_the_file_leaves_empty_and_settles_hours(db, make, tmp_path):
    shop = make.outlet(external_id="U1", name="老店", types=["pharmacy"], address="原地址")
    path = tmp_path / "u.csv"
    path.write_text(HEADER + "U1,老店,pharmacy,116.85,40.38,wgs84,,,24h,,\n", encoding="utf-8")
    import_outlets(path)
    db.session.refresh(shop)
    assert (shop.name, shop.address, shop.open_24h) == ("老店", "原地址", True)
    assert [(r.lower, r.upper) for r in shop.open_minutes] == [(0, 7 * 24 * 60)]
    path.write_text(
        HEADER.replace(",hours", ",open_24h") + "U1,老店,pharmacy,116.85,40.38,wgs84,,,0,,\n", encoding="utf-8"
    )
    import_outlets(path)
    db.session.refresh(shop)
    assert shop.open_24h is False and list(shop.open_minutes) == []  # no hours left: closed in the week
    assert shop.updated_at > datetime(2026, 1, 1, tzinfo=shop.updated_at.tzinfo)


def test_cli_streams_the_report(app, db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        HEADER + "R1,好店,pharmacy,116.85,40.38,wgs84,,,,,\nR2,坏店,spaceship,116.85,40.38,wgs84,,,,,\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["outlets", "import", str(path)])
    assert result.exit_code == 1
    assert "error: row 3 (R2 坏店): types: 未知的业态代码：spaceship" in result.output
    assert "outlets: 1 created, 0 updated, 1 failed" in result.output


def _index_definitions(db):
    return db.session.execute(
        text(
            """SELECT indexname, indexdef FROM pg_indexes
               WHERE tablename IN ('outlets', 'outlet_versions') ORDER BY indexname"""
        )
    ).all()


def test_a_first_load_rebuilds_the_indexes_it_dropped(app, db, make, tmp_path):
    """--rebuild-indexes: the same outlets, versions and report, and afterwards the same indexes (built again in
    the import's transaction; a dry run leaves them as they were)."""
    circle = make.circle(center=MIYUN, half_m=600)
    kept = make.outlet(external_id="F1", name="老店", types=["pharmacy"])
    indexes = _index_definitions(db)
    assert len(indexes) > 10  # the trigram, GiST and array indexes the option drops and builds again
    path = tmp_path / "first.csv"
    path.write_text(
        HEADER
        + f"F1,新店,pharmacy,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n"
        + f"F2,好邻居便利店,convenience_store,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n"
        + "F3,坏店,spaceship,116.85,40.38,wgs84,,,,,\n",
        encoding="utf-8",
    )
    dry = app.test_cli_runner().invoke(args=["outlets", "import", str(path), "--rebuild-indexes", "--dry-run"])
    assert "outlets: 1 created, 1 updated, 1 failed" in dry.output
    assert _index_definitions(db) == indexes and count(db) == 1

    result = app.test_cli_runner().invoke(args=["outlets", "import", str(path), "--rebuild-indexes"])
    assert result.exit_code == 1
    assert "error: row 4 (F3 坏店): types: 未知的业态代码：spaceship" in result.output
    assert "outlets: 1 created, 1 updated, 1 failed" in result.output
    assert _index_definitions(db) == indexes
    db.session.refresh(kept)
    assert (kept.name, kept.circle_id) == ("新店", circle.id)
    found = db.session.scalar(select(Outlet).where(Outlet.name_initials.like("%hlj%")))
    assert found.external_id == "F2" and found.circle_id == circle.id
    assert count(db, OutletVersion) == 3  # F1's first and its change, F2's first


def _index_oids(db):
    return dict(
        db.session.execute(
            text("SELECT indexrelid::regclass::text, indexrelid FROM pg_index WHERE indrelid = 'outlets'::regclass")
        ).all()
    )


def test_a_large_first_load_into_an_empty_table_builds_the_indexes_after_the_rows(db, make, tmp_path, monkeypatch):
    """Without --rebuild-indexes: a file of REBUILD_FROM_ROWS good rows or more into an empty outlets table drops
    the secondary indexes and builds them again (new index objects, the same definitions); into a table that
    holds outlets, or a smaller file, the indexes are kept up to date row by row (the same objects)."""
    from app.outlets import bulk

    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 3)
    circle = make.circle(center=MIYUN, half_m=600)
    definitions, oids = _index_definitions(db), _index_oids(db)
    path = tmp_path / "first.csv"
    rows = "".join(f"E{i},好邻居{i},convenience_store,{MIYUN[0]},{MIYUN[1]},wgs84,,,,,\n" for i in range(3))
    path.write_text(HEADER + rows + "E9,坏店,spaceship,116.85,40.38,wgs84,,,,,\n", encoding="utf-8")
    result = import_outlets(path)
    assert (result.created, result.failed) == (3, 1)
    assert _index_definitions(db) == definitions
    rebuilt = _index_oids(db)
    kept = {name for name, oid in rebuilt.items() if oids[name] == oid}
    assert kept == {"pk_outlets", "uq_outlets_external_id"}  # the constraints' indexes stay
    assert db.session.scalar(select(func.count()).where(Outlet.circle_id == circle.id)) == 3
    found = db.session.scalars(select(Outlet.external_id).where(Outlet.name_initials.like("hlj%"))).all()
    assert sorted(found) == ["E0", "E1", "E2"]

    path.write_text(HEADER + rows.replace("E", "N"), encoding="utf-8")
    assert import_outlets(path).created == 3  # the table holds outlets now: nothing dropped
    assert _index_oids(db) == rebuilt
    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 4)
    db.session.execute(text("DELETE FROM outlet_versions; DELETE FROM outlets"))
    assert import_outlets(path).created == 3  # an empty table, but fewer rows than REBUILD_FROM_ROWS
    assert _index_oids(db) == rebuilt
