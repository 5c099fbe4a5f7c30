"""Map POI exports (AMap 高德, Tencent 腾讯, Baidu 百度) and Excel: detected by header, categories mapped to our
business types through app/outlets/data/poi_categories.csv, BD-09 / GCJ-02 converted to WGS-84."""

import csv
import io
import json
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from openpyxl import Workbook
from sqlalchemy import select

from app.common import geo
from app.outlets import sources
from app.outlets.importer import ImportFileError, import_outlet_data, import_outlets
from app.outlets.models import Outlet
from app.taxonomy.registry import taxonomy
from tests.factories import MIYUN

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
TRUTH = (116.8431, 40.3765)  # WGS-84; the fixtures carry it as GCJ-02 (AMap) and BD-09 (Baidu), 6 decimals


def outlets(db):
    return {o.external_id: o for o in db.session.scalars(select(Outlet).order_by(Outlet.id))}


def metres_from(outlet, point):
    location = to_shape(outlet.location)
    return geo.geodesic_distance_m(location.x, location.y, *point)


def test_amap_export_maps_typecodes_and_converts_gcj02(db, make):
    circle = make.circle(center=MIYUN, half_m=1500)
    result = import_outlets(FIXTURES / "amap.csv")
    assert result.source == "amap" and (result.created, result.failed) == (4, 1)
    found = outlets(db)
    assert found["B0FFAMAP01"].types == ["convenience_store"]
    assert found["B0FFAMAP01"].phone == "010-69040001" and found["B0FFAMAP01"].circle_id == circle.id
    assert found["B0FFAMAP02"].types == ["convenience_store"]  # 060201 (a chain) falls back on 060200
    assert found["B0FFAMAP03"].types == ["pharmacy", "community_supermarket"]  # 090601|060400
    assert found["B0FFAMAP05"].types == ["convenience_store"]  # no typecode: the `type` path
    assert metres_from(found["B0FFAMAP01"], TRUTH) < 1.0
    (error,) = result.errors
    assert (error.row, error.external_id) == (5, "B0FFAMAP04")
    assert error.reason == "types: 高德分类未对应到业态：010500（见 poi_categories.csv）"


def test_tencent_export_by_category(db):
    result = import_outlets(FIXTURES / "tencent.csv")
    assert result.source == "tencent" and (result.created, result.failed) == (2, 1)
    found = outlets(db)
    breakfast = found["1234567890123456789"]
    assert (breakfast.name, breakfast.types) == ("老北京早餐铺", ["breakfast"])
    assert metres_from(breakfast, (116.845, 40.377)) < 1.0  # GCJ-02 in the file
    assert found["2234567890123456789"].types == ["wet_market"]
    assert "腾讯分类未对应到业态：娱乐休闲:KTV" in result.errors[0].reason


def test_baidu_export_converts_bd09(db):
    result = import_outlets(FIXTURES / "baidu.csv")
    assert result.source == "baidu" and result.errors == [] and result.created == 2
    repair = outlets(db)["a1b2c3d4e5f6a7b8c9d0e1f2"]
    assert repair.types == ["repair"] and outlets(db)["b1b2c3d4e5f6a7b8c9d0e1f2"].types == ["laundry"]
    assert metres_from(repair, TRUTH) < 1.0


def test_format_forced_and_datum_option(db, tmp_path):
    """A header that names no source is read as ours unless --format says whose it is."""
    path = tmp_path / "pois.txt"
    path.write_text("name,lat,lng,category\n修车铺,40.378165,116.851030,生活服务:维修\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="types"):
        import_outlets(path)
    result = import_outlets(path, fmt="tencent")
    assert result.source == "tencent" and result.created == 1
    assert metres_from(next(iter(outlets(db).values())), (116.845, 40.377)) < 1.0
    again = import_outlets(path, fmt="tencent", coord="wgs84")  # the operator knows better than the default
    assert again.created == 1  # no id column: a new row each time
    newest = list(outlets(db).values())[-1]
    assert newest.types == ["repair"] and to_shape(newest.location).x == pytest.approx(116.851030)


def test_amap_excel_export(db):
    book = Workbook()
    sheet = book.active
    with (FIXTURES / "amap.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_outlet_data(buffer.getvalue(), fmt="xlsx")
    assert result.source == "amap" and (result.created, result.failed) == (4, 1)
    assert [e.row for e in result.errors] == [5]


def test_amap_geojson_export(db):
    features = [
        {
            "type": "Feature",
            "properties": {"id": "G1", "name": "好邻居", "typecode": "060200", "type": "购物服务"},
            "geometry": {"type": "Point", "coordinates": [116.849133, 40.377668]},
        }
    ]
    data = json.dumps({"features": features, "type": "FeatureCollection"}, ensure_ascii=False).encode()
    result = import_outlet_data(data, fmt="geojson")
    assert result.source == "amap" and result.created == 1
    assert metres_from(outlets(db)["G1"], TRUTH) < 1.0  # AMap's GeoJSON is GCJ-02 too


def test_mapping_table_is_documented_and_names_our_types():
    codes = taxonomy().type_codes
    table = sources.category_table()
    assert set(table) == {"amap", "tencent", "baidu"}
    for source, mapping in table.items():
        assert set(mapping.values()) - {"-"} <= codes, source
    wanted = {"convenience_store", "breakfast", "wet_market", "pharmacy", "repair", "laundry", "barber"}
    assert wanted <= {t for mapping in table.values() for t in mapping.values()}
    assert sources.map_categories("amap", {"typecode": "060299"}).types == ["convenience_store"]
    assert sources.map_categories("amap", {"type": "购物服务;便民商店/便利店;罗森"}).types == ["convenience_store"]
    assert sources.map_categories("baidu", {"tag": ""}).problem == "缺少分类"


def test_conversions_land_within_a_metre_across_china():
    """BD-09 → WGS-84 and GCJ-02 → WGS-84 over a grid of mainland points: forward, then back."""
    import numpy as np

    lngs, lats = np.meshgrid(np.linspace(100, 125, 11), np.linspace(22, 45, 9))
    lngs, lats = lngs.ravel(), lats.ravel()
    gcj = [geo.wgs84_to_gcj02(x, y) for x, y in zip(lngs, lats, strict=True)]
    bd = [geo.gcj02_to_bd09(*g) for g in gcj]
    back_gcj = geo.to_wgs84_many([g[0] for g in gcj], [g[1] for g in gcj], "gcj02")
    back_bd = geo.to_wgs84_many([b[0] for b in bd], [b[1] for b in bd], "bd09")
    for i, (x, y) in enumerate(zip(lngs, lats, strict=True)):
        assert geo.geodesic_distance_m(back_gcj[0][i], back_gcj[1][i], x, y) < 0.01
        assert geo.geodesic_distance_m(back_bd[0][i], back_bd[1][i], x, y) < 0.01
        assert geo.bd09_to_wgs84(*bd[i]) == pytest.approx((back_bd[0][i], back_bd[1][i]), abs=1e-9)


def test_name_initials_are_what_lazy_pinyin_gives():
    """The memoised initials (per segmented word) equal pypinyin's own for names with polyphones and Latin."""
    from pypinyin import Style, lazy_pinyin

    from app.outlets.service import name_initials

    for name in ("好邻居便利店", "长乐银行(重庆路店)", "7-ELEVEn便利店", "乐器行", "重阳·长寿食堂", "ABC药房"):
        letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
        assert name_initials(name) == "".join(c.lower() for p in letters for c in p if c.isascii() and c.isalnum())
