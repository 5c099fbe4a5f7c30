"""Census import of outlets: CSV (BOM, GBK) and GeoJSON, upsert, per-row errors, circles, datums, CLI."""

from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from app.common import geo
from app.outlets.importer import ImportFileError, import_outlets
from app.outlets.models import Outlet
from tests.factories import MIYUN

DATA = Path(__file__).resolve().parent.parent / "data"
CSV = DATA / "outlets.csv"
HEADER = "external_id,name,types,lng,lat,coord,address,phone,hours,chain,online\n"


def by_external_id(db):
    return {o.external_id: o for o in db.session.scalars(select(Outlet).order_by(Outlet.id))}


def lnglat(outlet):
    point = to_shape(outlet.location)
    return point.x, point.y


def count(db):
    return db.session.scalar(select(func.count()).select_from(Outlet))


def write(tmp_path, text, encoding="utf-8", name="census.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_bom_loads_assigns_circles_and_converts_gcj02(db, make):
    assert CSV.read_bytes().startswith(b"\xef\xbb\xbf")  # as Excel saves it
    circle = make.circle(center=MIYUN, half_m=600)
    result = import_outlets(CSV)
    assert result.errors == [] and (result.created, result.updated, result.outside) == (4, 0, 1)
    assert result.warnings == ["忽略未知的列：remark"]

    outlets = by_external_id(db)
    assert list(outlets) == ["MY-001", "MY-002", "MY-003", "MY-004"]  # the BOM did not eat the first column
    shop = outlets["MY-001"]
    assert (shop.name, shop.types, shop.status, shop.chain, shop.online) == (
        "好邻居便利店",
        ["convenience_store", "breakfast"],
        "approved",
        True,
        True,
    )
    assert shop.services == ["parcel_collect", "bill_payment"] and shop.phone == "010-69040001"
    assert shop.hours["sun"] == [["07:00", "22:00"]] and shop.open_24h is False and shop.name_initials == "hljbld"
    assert lnglat(shop) == pytest.approx((116.844278, 40.3765), abs=1e-9)  # wgs84 row kept as is
    breakfast = outlets["MY-002"]
    assert breakfast.hours["fri"] == [["06:00", "10:00"]] and breakfast.hours["sat"] == [["07:00", "11:00"]]
    assert (breakfast.chain, breakfast.online, breakfast.phone) == (False, False, None)
    assert lnglat(breakfast) == pytest.approx(geo.gcj02_to_wgs84(116.851485, 40.377664), abs=1e-9)
    assert lnglat(outlets["MY-004"]) == pytest.approx(
        geo.gcj02_to_wgs84(116.847370, 40.377671), abs=1e-9
    )  # CSV default
    assert outlets["MY-003"].open_24h is True

    assert [outlets[k].circle_id for k in ("MY-001", "MY-002", "MY-003", "MY-004")] == [
        circle.id,
        circle.id,
        None,
        circle.id,
    ]


def test_outlet_outside_every_circle_is_still_findable(client, db, make):
    make.circle(center=MIYUN, half_m=600)
    import_outlets(CSV)
    outside = by_external_id(db)["MY-003"]
    response = client.get("/api/v1/outlets/nearby", query_string={"coord": "wgs84", "lat": 40.45, "lng": 116.95})
    assert response.status_code == 200, response.get_json()
    assert [i["id"] for i in response.get_json()["items"]] == [outside.id]


def test_reimport_upserts_by_external_id(db, make, tmp_path):
    import_outlets(CSV)
    first_ids = {k: o.id for k, o in by_external_id(db).items()}
    again = import_outlets(CSV)
    assert (again.created, again.updated, again.failed) == (0, 4, 0) and count(db) == 4

    changed = write(
        tmp_path,
        HEADER
        + "MY-001,好邻居便利店(鼓楼店),convenience_store,116.8445,40.3765,wgs84,,,24h,,\n"
        + ",无编号小店,convenience_store,116.8445,40.3765,wgs84,,,,,\n",
    )
    result = import_outlets(changed)
    assert (result.created, result.updated) == (1, 1)
    import_outlets(changed)  # without external_id a row is always new
    outlets = by_external_id(db)
    assert outlets["MY-001"].id == first_ids["MY-001"]
    assert (outlets["MY-001"].name, outlets["MY-001"].types, outlets["MY-001"].open_24h) == (
        "好邻居便利店(鼓楼店)",
        ["convenience_store"],
        True,
    )
    assert outlets["MY-001"].address == "鼓楼东大街1号"  # empty cells leave what was there
    assert count(db) == 6


def test_face_to_face_column_feeds_the_elderly_friendly_filter(client, db, tmp_path):
    census = write(
        tmp_path,
        "external_id,name,types,lng,lat,coord,accepts_cash,face_to_face\n"
        "VM-1,自助售货机,convenience_store,116.8445,40.3765,wgs84,是,否\n"
        "SHOP-1,好邻居便利店,convenience_store,116.8446,40.3765,wgs84,是,\n",
    )
    assert import_outlets(census).errors == []
    outlets = by_external_id(db)
    assert (outlets["VM-1"].face_to_face, outlets["SHOP-1"].face_to_face) == (False, True)  # empty cell: staffed
    response = client.get(
        "/api/v1/outlets/nearby",
        query_string={"coord": "wgs84", "lat": 40.3765, "lng": 116.8445, "elderly_friendly": 1},
    )
    assert [i["id"] for i in response.get_json()["items"]] == [outlets["SHOP-1"].id]

    census.write_text(
        "external_id,name,types,lng,lat,coord,face_to_face\nSHOP-1,好邻居便利店,convenience_store,116.8446,40.3765,wgs84,否\n"
    )
    assert import_outlets(census).updated == 1
    db.session.expire_all()
    assert by_external_id(db)["SHOP-1"].face_to_face is False


def test_census_approves_pending_but_keeps_staff_suspensions(db, make):
    pending = make.outlet(external_id="MY-001", status="pending")
    suspended = make.outlet(external_id="MY-002", status="suspended")
    result = import_outlets(CSV)
    assert (result.created, result.updated) == (2, 2)
    db.session.refresh(pending), db.session.refresh(suspended)
    assert (pending.status, suspended.status) == ("approved", "suspended")


def test_bad_rows_are_reported_with_spreadsheet_row_numbers(db, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + 'A1,好店,convenience_store,116.85,40.38,wgs84,"多行\n地址",,,,\n'  # row 2 (spans two lines)
        + "A2,坏类型,spaceship,116.85,40.38,wgs84,,,,,\n"  # row 3
        + "A3,,convenience_store,116.85,40.38,wgs84,,,,,\n"  # row 4
        + "A4,坏纬度,convenience_store,116.85,abc,wgs84,,,,,\n"  # row 5
        + "A5,坏经度,convenience_store,200,40.38,wgs84,,,,,\n"  # row 6
        + "A6,坏时间,convenience_store,116.85,40.38,wgs84,,,7点到8点,,\n"  # row 7
        + ",,,,,,,,,,\n"  # row 8: blank, skipped
        + "A1,重复编号,convenience_store,116.85,40.38,wgs84,,,,,\n"  # row 9
        + "A7,坏布尔,convenience_store,116.85,40.38,mercator,,,,maybe,\n"  # row 10
        + "A8,好店二,pharmacy,116.86,40.38,wgs84,,,,,\n",
    )  # row 11
    result = import_outlets(path)
    assert (result.created, result.failed) == (2, 7)
    reasons = {e.row: e.reason for e in result.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 9, 10]
    assert "spaceship" in reasons[3] and "name" in reasons[4] and "lat" in reasons[5] and "lng" in reasons[6]
    assert "hours" in reasons[7] and "第 2 行" in reasons[9] and "coord" in reasons[10] and "chain" in reasons[10]
    assert str(result.errors[0]) == f"row 3 (A2 坏类型): {reasons[3]}"
    assert sorted(by_external_id(db)) == ["A1", "A8"]
    assert by_external_id(db)["A1"].address == "多行\n地址"


def test_geojson_points(db, make):
    circle = make.circle(center=MIYUN, half_m=600)
    result = import_outlets(DATA / "outlets.geojson")
    assert result.errors == [] and (result.created, result.outside) == (2, 1)
    market, barber = by_external_id(db).values()
    assert (market.types, market.delivery, market.services, market.circle_id) == (
        ["wet_market"],
        True,
        ["bill_payment"],
        circle.id,
    )
    assert lnglat(market) == pytest.approx((116.843689, 40.3765), abs=1e-9)  # GeoJSON default is WGS-84
    assert (barber.types, barber.chain, float(barber.avg_spend), barber.quality_brand, barber.circle_id) == (
        ["barber"],
        False,
        35.0,
        "time_honored",
        None,
    )


def test_geojson_feature_errors_use_feature_index(db, tmp_path):
    path = write(
        tmp_path,
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "好店", "types": ["pharmacy"]},'
        ' "geometry": {"type": "Point", "coordinates": [116.85, 40.38]}},'
        '{"type": "Feature", "properties": {"name": "无点"}, "geometry": null}]}',
        name="p.geojson",
    )
    result = import_outlets(path, coord="gcj02")
    assert result.created == 1 and [(e.row, e.geojson) for e in result.errors] == [(1, True)]
    assert str(result.errors[0]).startswith("features[1] (无点)")
    (outlet,) = by_external_id(db).values()
    assert lnglat(outlet) == pytest.approx(geo.gcj02_to_wgs84(116.85, 40.38), abs=1e-9)


def test_gbk_csv(db, tmp_path):
    path = write(
        tmp_path,
        HEADER + "GBK-1,老字号理发店,barber,116.85,40.38,wgs84,檀营乡,,周一至周五 08:00-18:00,否,是\n",
        encoding="gbk",
    )
    result = import_outlets(path)
    assert result.errors == [] and result.created == 1
    outlet = by_external_id(db)["GBK-1"]
    assert (outlet.name, outlet.address, outlet.chain, outlet.online) == ("老字号理发店", "檀营乡", False, True)
    assert set(outlet.hours) == {"mon", "tue", "wed", "thu", "fri"}  # JSONB keeps no key order


def test_whole_file_problems(db, tmp_path):
    with pytest.raises(ImportFileError, match="lat"):
        import_outlets(write(tmp_path, "external_id,name,types,lng\nX,店,pharmacy,116\n"))
    with pytest.raises(ImportFileError):
        import_outlets(write(tmp_path, "x", name="census.xlsx"))


def test_dry_run_saves_nothing(db):
    result = import_outlets(CSV, dry_run=True)
    assert result.created == 4 and result.dry_run and count(db) == 0


def test_cli_wiring_and_exit_codes(app, db, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["outlets", "import", str(CSV)])
    assert ok.exit_code == 0, ok.output
    assert "outlets: 4 created, 0 updated, 0 failed" in ok.output and "remark" in ok.output

    bad = write(
        tmp_path,
        HEADER + "B1,坏类型,spaceship,116.85,40.38,wgs84,,,,,\nB2,好店,pharmacy,116.85,40.38,,,,,,\n",
        name="bad.txt",
    )
    failed = runner.invoke(args=["outlets", "import", str(bad), "--format", "csv", "--coord", "wgs84"])
    assert failed.exit_code == 1
    assert "row 2 (B1 坏类型)" in failed.output and "1 created" in failed.output

    missing = write(tmp_path, "name,lng\n", name="m.csv")
    result = runner.invoke(args=["outlets", "import", str(missing)])
    assert result.exit_code == 1 and "缺少必需的列" in result.output
