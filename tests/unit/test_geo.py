"""app.common.geo: GCJ-02 transform, the mainland-China test, walking time, geodesic distance.

Pure unit tests: no app, database or conftest fixtures needed.
"""

import json
import math
from pathlib import Path

import pytest
from shapely.geometry import shape

from app.common import geo

# (wgs_lng, wgs_lat, gcj_lng, gcj_lat), published by other GCJ-02 implementations.
PUBLISHED_WGS_TO_GCJ = [
    # googollee/eviltransform python/test.py (same table in go/transform_test.go and javascript/test.js),
    # there given as (wgsLat, wgsLng, gcjLat, gcjLng).
    pytest.param(121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, id="eviltransform-shanghai"),
    pytest.param(113.912316, 22.543847, 113.9171764808363, 22.540796131694766, id="eviltransform-shenzhen"),
    pytest.param(116.377817, 39.911954, 116.38404722455657, 39.91334545536069, id="eviltransform-beijing"),
    # wandergis/coordtransform test/app.js: wgs84togcj02(116.404, 39.915).
    pytest.param(116.404, 39.915, 116.41024449916938, 39.91640428150164, id="coordtransform-beijing"),
    # hujiulong/gcoord test/unit/crs/WGS84.spec.ts: WGS84.to.GCJ02([123, 45]) (published to 8 decimals).
    pytest.param(123.0, 45.0, 123.00607541, 45.00197815, id="gcoord-jilin"),
]

# Spread over China, including points just either side of 105°E where the transform has a sqrt(|lng-105|) kink.
GRID = {
    "Beijing": (116.3912, 39.9073),
    "Miyun": (116.84, 40.38),
    "Zhongwei": (105.19, 37.51),
    "Suihua": (126.97, 46.65),
    "Urumqi": (87.62, 43.83),
    "Sanya": (109.51, 18.25),
    "Kashgar": (75.99, 39.47),
    "Lhasa": (91.13, 29.65),
    "Harbin": (126.63, 45.75),
    "Shanghai": (121.47, 31.23),
    "Kunming": (102.83, 24.88),
    "Guangzhou": (113.26, 23.13),
    "105E": (105.0, 30.0),
    "105E-west": (104.99999, 30.0),
    "105E-east": (105.00001, 30.0),
}

INSIDE = {
    # provincial capitals (and Chongqing, Tianjin)
    "Beijing": (116.40, 39.90),
    "Tianjin": (117.20, 39.13),
    "Shijiazhuang": (114.51, 38.04),
    "Taiyuan": (112.55, 37.87),
    "Hohhot": (111.75, 40.84),
    "Shenyang": (123.43, 41.80),
    "Changchun": (125.32, 43.82),
    "Harbin": (126.63, 45.75),
    "Shanghai": (121.47, 31.23),
    "Nanjing": (118.80, 32.06),
    "Hangzhou": (120.16, 30.27),
    "Hefei": (117.23, 31.82),
    "Fuzhou": (119.30, 26.08),
    "Nanchang": (115.86, 28.68),
    "Jinan": (117.12, 36.65),
    "Zhengzhou": (113.62, 34.75),
    "Wuhan": (114.31, 30.59),
    "Changsha": (112.94, 28.23),
    "Guangzhou": (113.26, 23.13),
    "Nanning": (108.37, 22.82),
    "Haikou": (110.35, 20.02),
    "Chongqing": (106.55, 29.56),
    "Chengdu": (104.07, 30.57),
    "Guiyang": (106.63, 26.65),
    "Kunming": (102.83, 24.88),
    "Lhasa": (91.13, 29.65),
    "Xi'an": (108.94, 34.34),
    "Lanzhou": (103.83, 36.06),
    "Xining": (101.78, 36.62),
    "Yinchuan": (106.23, 38.49),
    "Urumqi": (87.62, 43.83),
    # towns near a border or coast
    "Mohe": (122.53, 52.97),
    "Heihe": (127.49, 50.245),
    "Manzhouli": (117.43, 49.60),
    "Erenhot": (111.98, 43.65),
    "Hunchun": (130.37, 42.87),
    "Suifenhe": (131.15, 44.40),
    "Fuyuan": (134.29, 48.36),
    "Dandong": (124.38, 40.13),
    "Kashgar": (75.99, 39.47),
    "Tashkurgan": (75.23, 37.77),
    "Khorgas": (80.42, 44.21),
    "Alashankou": (82.57, 45.17),
    "Tacheng": (82.98, 46.75),
    "Altay": (88.14, 47.85),
    "Zhangmu": (85.98, 27.99),
    "Yadong": (88.92, 27.48),
    "Purang": (81.18, 30.29),
    "Ruili": (97.85, 24.01),
    "Jinghong": (100.80, 22.01),
    "Mengla": (101.56, 21.46),
    "Pingxiang (Guangxi)": (106.75, 22.10),
    "Dongxing": (107.97, 21.547),
    "Sanya": (109.51, 18.25),
    "Xiamen": (118.09, 24.48),
    "Gulangyu": (118.065, 24.447),
    "Pingtan": (119.79, 25.50),
    "Zhoushan": (122.20, 30.00),
    "Weihai": (122.12, 37.51),
    "Dalian": (121.61, 38.91),
    # next to Hong Kong and Macau
    "Shenzhen Nanshan": (113.912316, 22.543847),
    "Shenzhen Futian": (114.055, 22.54),
    "Shenzhen Dapeng": (114.48, 22.59),
    "Zhuhai Gongbei": (113.55, 22.23),
    "Zhuhai Hengqin": (113.51, 22.13),
    # the test grid
    "Miyun": (116.84, 40.38),
    "Zhongwei": (105.19, 37.51),
    "Suihua": (126.97, 46.65),
}

OUTSIDE = {
    "Seoul": (126.98, 37.57),
    "Pyongyang": (125.75, 39.03),
    "Tokyo": (139.69, 35.69),
    "Ulaanbaatar": (106.92, 47.92),
    "Hanoi": (105.85, 21.03),
    "Vientiane": (102.63, 17.97),
    "Yangon": (96.16, 16.87),
    "Kathmandu": (85.32, 27.72),
    "New Delhi": (77.21, 28.61),
    "Almaty": (76.95, 43.24),
    "Vladivostok": (131.89, 43.12),
    "Singapore": (103.82, 1.35),
    "Manila": (120.98, 14.60),
    "London": (-0.13, 51.51),
    "Null Island": (0.0, 0.0),
    # Taiwan, Hong Kong, Macau (and Taiwan-held islands off Fujian) use WGS-84
    "Taipei": (121.56, 25.03),
    "Kaohsiung": (120.30, 22.63),
    "Penghu": (119.57, 23.57),
    "Kinmen": (118.32, 24.44),
    "Matsu (Nangan)": (119.93, 26.16),
    "Wuqiu": (119.45, 24.99),
    "Hong Kong (Central)": (114.158, 22.282),
    "Kowloon": (114.17, 22.32),
    "Sheung Shui": (114.13, 22.50),
    "Hong Kong airport": (113.92, 22.31),
    "Macau": (113.5393, 22.1937),
    "Taipa": (113.558, 22.155),
    # neighbours' towns across the border from Chinese ones
    "Blagoveshchensk": (127.53, 50.27),
    "Zabaykalsk": (117.32, 49.65),
    "Zamyn-Uud": (111.90, 43.72),
    "Muse": (97.90, 23.975),
    "Lao Cai": (103.97, 22.48),
    "Lang Son": (106.76, 21.85),
    "Tawang": (91.86, 27.59),
    "Leh": (77.58, 34.16),
    "Murghab": (73.97, 38.17),
}


@pytest.mark.parametrize("wgs_lng, wgs_lat, gcj_lng, gcj_lat", PUBLISHED_WGS_TO_GCJ)
def test_published_wgs84_to_gcj02_pairs_are_reproduced(wgs_lng, wgs_lat, gcj_lng, gcj_lat):
    got_lng, got_lat = geo.wgs84_to_gcj02(wgs_lng, wgs_lat)
    assert got_lng == pytest.approx(gcj_lng, abs=1e-6)
    assert got_lat == pytest.approx(gcj_lat, abs=1e-6)


@pytest.mark.parametrize("wgs_lng, wgs_lat, gcj_lng, gcj_lat", PUBLISHED_WGS_TO_GCJ)
def test_published_gcj02_inverts_to_published_wgs84(wgs_lng, wgs_lat, gcj_lng, gcj_lat):
    got_lng, got_lat = geo.gcj02_to_wgs84(gcj_lng, gcj_lat)
    # gcoord's pair is only published to 8 decimals; the others carry full precision.
    assert got_lng == pytest.approx(wgs_lng, abs=1e-7)
    assert got_lat == pytest.approx(wgs_lat, abs=1e-7)


@pytest.mark.parametrize("lng, lat", GRID.values(), ids=GRID.keys())
def test_round_trips_are_exact(lng, lat):
    # The simple one-step inverse is off by ~1e-5 degrees; only the iterated one passes these.
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lng, lat))
    assert back == pytest.approx((lng, lat), abs=1e-7)
    again = geo.wgs84_to_gcj02(*geo.gcj02_to_wgs84(lng, lat))
    assert again == pytest.approx((lng, lat), abs=1e-7)


def test_round_trip_on_a_coarse_grid_over_china():
    checked = 0
    for lng10 in range(740, 1350, 25):
        for lat10 in range(185, 535, 25):
            lng, lat = lng10 / 10, lat10 / 10
            gcj = geo.wgs84_to_gcj02(lng, lat)
            if not (geo.in_mainland_china(lng, lat) and geo.in_mainland_china(*gcj)):
                continue
            assert geo.gcj02_to_wgs84(*gcj) == pytest.approx((lng, lat), abs=1e-7)
            checked += 1
    assert checked > 100


def test_shift_in_beijing_is_a_few_hundred_metres():
    wgs = GRID["Beijing"]
    gcj = geo.wgs84_to_gcj02(*wgs)
    assert 100 < geo.geodesic_distance_m(*wgs, *gcj) < 700


@pytest.mark.parametrize("lng, lat", INSIDE.values(), ids=INSIDE.keys())
def test_inside_mainland_china(lng, lat):
    assert geo.in_mainland_china(lng, lat)
    assert geo.wgs84_to_gcj02(lng, lat) != (lng, lat)


@pytest.mark.parametrize("lng, lat", OUTSIDE.values(), ids=OUTSIDE.keys())
def test_outside_points_are_not_shifted(lng, lat):
    assert not geo.in_mainland_china(lng, lat)
    assert geo.wgs84_to_gcj02(lng, lat) == (lng, lat)
    assert geo.gcj02_to_wgs84(lng, lat) == (lng, lat)


def test_non_finite_input_is_outside():
    assert not geo.in_mainland_china(math.nan, math.nan)
    assert not geo.in_mainland_china(math.inf, 30.0)


def test_outline_data_file_is_a_valid_polygon():
    path = Path(geo.__file__).with_name("data") / "mainland_china_outline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "Polygon"
    polygon = shape(data)
    assert polygon.is_valid
    assert polygon.exterior.is_ccw  # RFC 7946 winding
    assert len(polygon.interiors) == 4  # Hong Kong, Macau, Kinmen, Matsu


@pytest.mark.parametrize(
    "distance_m, expected",
    [(0, 0), (-5, 0), (1, 1), (66.6, 1), (100, 2), (1000, 15), (1001, 16), (1250, 19)],
)
def test_walk_minutes_defaults(distance_m, expected):
    assert geo.walk_minutes(distance_m) == expected


def test_walk_minutes_custom_model():
    assert geo.walk_minutes(800, 80, 1.0) == 10
    assert geo.walk_minutes(800, speed_m_per_min=100.0, detour_factor=1.5) == 12
    assert isinstance(geo.walk_minutes(123.4), int)
    with pytest.raises(ValueError):
        geo.walk_minutes(100, speed_m_per_min=0)


def test_geodesic_distance_is_ellipsoidal():
    # One degree of latitude at the equator on WGS-84 (pyproj Geod). A spherical haversine with the
    # mean radius gives ~111195 m here, 620 m more, so it cannot stand in where PostGIS agreement matters.
    assert geo.geodesic_distance_m(0, 0, 0, 1) == pytest.approx(110574.4, abs=0.5)
    assert geo.geodesic_distance_m(116.4, 39.9, 116.4, 39.9) == 0.0
    a, b = GRID["Beijing"], GRID["Shanghai"]
    assert geo.geodesic_distance_m(*a, *b) == pytest.approx(geo.geodesic_distance_m(*b, *a))


@pytest.mark.parametrize("lng, lat", [GRID["Beijing"], OUTSIDE["Seoul"]])
def test_wgs84_edge_is_identity(lng, lat):
    assert geo.to_wgs84(lng, lat, "wgs84") == (lng, lat)
    assert geo.from_wgs84(lng, lat, "wgs84") == (lng, lat)


def test_gcj02_edge_uses_the_transform():
    lng, lat = GRID["Beijing"]
    assert geo.from_wgs84(lng, lat, "gcj02") == geo.wgs84_to_gcj02(lng, lat)
    assert geo.to_wgs84(lng, lat, "gcj02") == geo.gcj02_to_wgs84(lng, lat)
    assert geo.to_wgs84(*geo.from_wgs84(lng, lat, "gcj02"), "gcj02") == pytest.approx((lng, lat), abs=1e-7)


@pytest.mark.parametrize("coord", ["bd09", "GCJ02", "", None])
def test_unknown_coordinate_system_is_rejected(coord):
    with pytest.raises(ValueError):
        geo.to_wgs84(116.4, 39.9, coord)
    with pytest.raises(ValueError):
        geo.from_wgs84(116.4, 39.9, coord)
