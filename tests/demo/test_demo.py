"""`flask demo load`: the plans' circles and communities, synthetic geometry that tiles like a town and
outlets whose gaps match the Zhongwei gap table (one load shared by the module; re-runs: test_rerun.py)."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.circles.models import Circle, City, Community
from app.demo import loader
from app.demo.sources import shortages, split_communities
from app.outlets.models import Outlet
from app.taxonomy.registry import taxonomy

DATA = Path(__file__).resolve().parents[2] / "app" / "demo" / "data"
SEED = 7


def _csv(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def loaded(shared_db):
    result = loader.load(seed=SEED)
    assert not result.skipped
    return result


def db_session():
    from app.common.extensions import db

    return db.session


def _sql(query, **params):
    return db_session().execute(text(query), params)


def _circles(city_code):
    query = select(Circle).join(City).where(City.code == city_code).order_by(Circle.external_id)
    return db_session().scalars(query).all()


def test_circles_and_communities_follow_the_plans(loaded):
    assert (loaded.circles, loaded.fallback_circles) == (45, ())
    miyun, zhongwei = _circles("miyun"), _circles("zhongwei")
    assert (len(miyun), len(zhongwei)) == (21, 24)
    for circle, row in zip(miyun, _csv("miyun_circles.csv"), strict=True):
        assert circle.name == row["name"] and circle.population == round(float(row["population_10k"]) * 10000)
        expected = split_communities(row["communities"], int(row["community_count"]))
        assert [c.name for c in circle.communities] == expected and len(expected) == int(row["community_count"])
        assert circle.planned_year == int(row["planned_year"][:4]) and circle.street == row["street"]
        assert circle.circle_type in ("old_town", "commercial", "new_residential", "urban_rural")
        assert circle.profile["location_resources"] == row["location_resources"]
    assert _circles("miyun")[9].communities[1].name == "季庄社区"  # "果园新里北区社区季庄社区" split by the count
    for circle, row in zip(zhongwei, _csv("zhongwei_circles.csv"), strict=True):
        assert circle.name == row["name"] and circle.population == int(row["population"])
        assert circle.four_bounds == row["boundary"] and circle.planned_year in (2024, 2025)
        assert [c.name for c in circle.communities] == row["communities"].split("、")
        assert circle.profile["circle_type_derived"] is True
    assert sum(len(c.communities) for c in zhongwei) == 33
    assert {c.name for z in zhongwei for c in z.communities} == set(shortages())
    cities = {c.code: c for c in db_session().scalars(select(City))}
    assert (cities["miyun"].tier, cities["miyun"].standards_profile) == ("tier1", "miyun")
    assert (cities["zhongwei"].tier, cities["zhongwei"].standards_profile) == ("other", "zhongwei")


def test_every_row_is_synthetic_and_says_so(loaded):
    circles = db_session().scalars(select(Circle)).all()
    assert all(c.synthetic and c.profile["synthetic_geometry"] for c in circles)
    assert all("合成" in c.profile["geometry_note"] for c in circles)
    assert db_session().scalar(select(func.count()).where(Community.synthetic.is_(False))) == 0
    assert (
        db_session().scalar(
            select(func.count()).where(
                Outlet.synthetic.is_(False) | Outlet.circle_id.is_(None) | Outlet.community_id.is_(None)
            )
        )
        == 0
    )
    assert 3500 <= loaded.outlets <= 4500


def test_geometry_tiles_like_a_town(loaded):
    overlaps = _sql("""SELECT count(*) FROM circles a JOIN circles b ON a.id < b.id
                       WHERE ST_Intersects(a.boundary, b.boundary)
                         AND ST_Area(ST_Intersection(a.boundary, b.boundary)::geography) > 1""").scalar()
    assert overlaps == 0
    touching = _sql("""SELECT count(*) FROM circles a JOIN circles b ON a.id < b.id
                       AND ST_Touches(a.boundary, b.boundary)""")
    assert touching.scalar() >= 40  # adjacent blocks, not scattered islands
    areas = [a / 1e6 for (a,) in _sql("SELECT ST_Area(boundary::geography) FROM circles")]
    assert 0.6 < min(areas) and max(areas) < 2.8 and 0.9 < sum(areas) / len(areas) < 1.6
    for code, (lng, lat) in {"miyun": (116.84, 40.38), "zhongwei": (105.19, 37.51)}.items():
        far = _sql(
            """SELECT max(ST_Distance(ST_Centroid(c.boundary)::geography,
                                             ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography))
                      FROM circles c JOIN cities t ON t.id = c.city_id WHERE t.code = :code""",
            lng=lng,
            lat=lat,
            code=code,
        ).scalar()
        assert far < 6000
    # Communities partition their circle.
    rows = _sql("""SELECT c.id, ST_Area(c.boundary::geography), sum(ST_Area(m.boundary::geography)),
                          max(ST_Area(ST_Difference(m.boundary, c.boundary)::geography))
                   FROM circles c JOIN communities m ON m.circle_id = c.id GROUP BY c.id""").all()
    assert len(rows) == 45
    for _, circle_area, parts, outside in rows:
        assert abs(parts - circle_area) < 0.001 * circle_area and outside < 1


def test_age_structure_is_plausible_with_elderly_cases(loaded):
    communities = db_session().scalars(select(Community)).all()
    assert sum(c.population for c in communities) == sum(c.population for c in db_session().scalars(select(Circle)))
    for c in communities:
        assert 0 < c.share_80_plus <= c.share_65_plus <= c.share_60_plus < 0.5 and 0 < c.share_0_3 < 0.06
    elderly = [c for c in communities if c.share_60_plus >= 0.25 or c.share_65_plus >= 0.15]
    assert 10 <= len(elderly) <= 0.6 * len(communities)
    assert len([c for c in communities if c.share_80_plus > 0.10]) >= 4
    multi = [c for c in db_session().scalars(select(Circle)) if len(c.communities) > 2]
    assert any(len({m.population for m in c.communities}) > 1 for c in multi)  # split unevenly


def _types_by_community(city_code):
    # Shops only: a mobile stall (流动摊点) is found at the places of its schedule, not at its home address.
    rows = _sql(
        """SELECT m.name, t, count(*) FROM outlets o JOIN communities m ON m.id = o.community_id
                   JOIN circles c ON c.id = m.circle_id JOIN cities y ON y.id = c.city_id
                   CROSS JOIN unnest(o.types) t WHERE y.code = :city AND NOT o.mobile GROUP BY m.name, t""",
        city=city_code,
    )
    present = {}
    for name, code, count in rows:
        present.setdefault(name, {})[code] = count
    return present


def test_zhongwei_communities_lack_exactly_their_listed_types(loaded):
    basic = {t.code for t in taxonomy().business_types if t.tier == "basic"}
    present = _types_by_community("zhongwei")  # 阳光社区 is also a Miyun name
    for name, gap in shortages().items():
        types = present[name]
        assert basic - set(types) == gap.missing, name
        assert all(types[code] == 1 for code in gap.few), name  # 业态少: just one
        assert not gap.missing_quality & set(types), name
    assert shortages()["光明社区"].missing >= {"wet_market", "community_supermarket", "barber"}


def test_sparse_miyun_circles_have_fewer_outlets_per_capita(loaded):
    rows = _sql("""SELECT c.profile ? 'demo_outlet_density', count(o.id)::float / c.population
                   FROM circles c JOIN cities t ON t.id = c.city_id LEFT JOIN outlets o ON o.circle_id = c.id
                   WHERE t.code = 'miyun' GROUP BY c.id""").all()
    sparse = [rate for is_sparse, rate in rows if is_sparse]
    normal = [rate for is_sparse, rate in rows if not is_sparse]
    assert len(sparse) == 5  # the five circles whose 周边生活服务设施 the plan calls 少/较少
    assert max(sparse) < min(normal)


def test_outlet_mix_and_flags_are_realistic(loaded):
    outlets = db_session().scalars(select(Outlet)).all()
    n = len(outlets)

    def share(pred):
        return sum(1 for o in outlets if pred(o)) / n

    counts = {}
    for o in outlets:
        for t in o.types:
            counts[t] = counts.get(t, 0) + 1
    assert counts["convenience_store"] > 10 * counts.get("cinema", 0) and counts["mass_restaurant"] > 200
    assert 0.25 <= share(lambda o: o.chain) <= 0.35 and all(o.brand for o in outlets if o.chain)
    assert 0.25 <= share(lambda o: o.online) <= 0.35 and 0.06 <= share(lambda o: o.quality_brand) <= 0.15
    assert 0.03 <= share(lambda o: o.open_24h) <= 0.08 and share(lambda o: o.qr_payment) > 0.85
    assert all(o.status == "approved" and (o.open_minutes or o.mobile) for o in outlets)
    assert any("parcel_collect" in o.services for o in outlets if "convenience_store" in o.types)
    assert all(o.name_initials for o in outlets)
    phones = [o.phone for o in outlets if o.phone and "-" in o.phone]
    assert {p.split("-")[0] for p in phones} == {"010", "0955"}


def test_nearby_api_shows_synthetic_outlets(loaded, api):
    centre = _sql("""SELECT ST_X(ST_PointOnSurface(boundary)), ST_Y(ST_PointOnSurface(boundary)) FROM circles
                     WHERE external_id = 'demo-miyun-07'""").one()
    response = api.get(
        "/api/v1/outlets/nearby", query_string={"lng": centre[0], "lat": centre[1], "coord": "wgs84", "radius": 800}
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["items"] and all(item["synthetic"] is True for item in body["items"])


def test_demo_outlets_count_in_past_periods_too(loaded):
    """Demo shops date from a census two years back, so freezing last year finds them (outlet_versions)."""
    from app.common.clock import local_zone, now_local

    year = now_local().year
    since = _sql(
        "SELECT min(v.valid_from), count(*) FROM outlet_versions v JOIN outlets o ON o.id = v.outlet_id "
        "WHERE o.synthetic AND v.valid_to IS NULL"
    ).one()
    assert (
        since[0].astimezone(local_zone()).year == year - 2
        and since[1] == _sql("SELECT count(*) FROM outlets WHERE synthetic").scalar()
    )
