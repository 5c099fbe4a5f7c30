"""Bulk import of circle plans: create, re-import, datums, per-feature errors, the communities file, CLI."""

import copy
import json
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import func, select, text

from app.circles.importer import import_circles, load_feature_collection
from app.circles.models import Circle, City, Community
from app.common import geo
from tests.factories import MIYUN, square
from tests.transactions import commit

DATA = Path(__file__).resolve().parent.parent / "data"


def plan():
    return load_feature_collection(DATA / "circles.geojson")


def communities_file():
    return load_feature_collection(DATA / "communities.geojson")


def circle_named(db, name):
    return db.session.scalar(select(Circle).where(Circle.name == name))


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def feature(geometry=None, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_creates_circles_with_nested_communities(db):
    result = import_circles(plan())
    assert result.errors == [] and result.failed == 0
    assert (result.circles.created, result.circles.updated) == (2, 0)
    assert (result.communities.created, result.communities.updated) == (2, 0)

    gulou = circle_named(db, "鼓楼生活圈")
    assert gulou.city.name == "密云区"
    assert (gulou.external_id, gulou.circle_type, gulou.population, gulou.planned_year) == (
        "MY-C01",
        "old_town",
        32000,
        2024,
    )
    assert gulou.street == "鼓楼街道" and gulou.four_bounds.startswith("东至新中街")
    assert to_shape(gulou.boundary).contains(Point(MIYUN))
    east, west = gulou.communities
    assert (east.name, east.external_id, east.population, east.share_60_plus, east.share_0_3) == (
        "鼓楼东社区",
        "MY-C01-01",
        8200,
        0.27,
        0.02,
    )
    assert east.boundary is not None and west.boundary is None and west.share_60_plus == 0.31
    assert (east.phone, west.phone) == ("010-69041234", None)

    tanying = circle_named(db, "檀营生活圈")
    assert tanying.circle_type == "new_residential"  # from the plan's Chinese name
    assert tanying.city_id == gulou.city_id and tanying.external_id is None


def test_reimport_updates_instead_of_duplicating(db):
    import_circles(plan())
    gulou_id = circle_named(db, "鼓楼生活圈").id
    changed = plan()
    first = changed["features"][0]["properties"]
    first["name"] = "鼓楼老城生活圈"  # matched by external_id, so this is a rename
    first["population"] = 33000
    first["communities"][1]["properties"]["population"] = 7700  # matched by name
    changed["features"][1]["properties"]["planned_year"] = 2026  # no external_id: matched by name

    result = import_circles(changed)
    assert result.errors == []
    assert (result.circles.created, result.circles.updated) == (0, 2)
    assert (result.communities.created, result.communities.updated) == (0, 2)
    assert count(db, Circle) == 2 and count(db, Community) == 2 and count(db, City) == 1
    renamed = db.session.get(Circle, gulou_id)
    assert (renamed.name, renamed.population) == ("鼓楼老城生活圈", 33000)
    assert db.session.scalar(select(Community.population).where(Community.name == "鼓楼西社区")) == 7700
    assert circle_named(db, "檀营生活圈").planned_year == 2026


def test_gcj02_boundary_is_stored_as_wgs84(db):
    collection = plan()
    ring = collection["features"][1]["geometry"]["coordinates"][0]
    import_circles(collection, coord="gcj02")
    stored = to_shape(circle_named(db, "檀营生活圈").boundary)
    converted = [geo.gcj02_to_wgs84(lng, lat) for lng, lat in ring]
    expected = (
        min(p[0] for p in converted),
        min(p[1] for p in converted),
        max(p[0] for p in converted),
        max(p[1] for p in converted),
    )
    assert stored.bounds == pytest.approx(expected, abs=1e-9)
    assert abs(stored.bounds[0] - ring[0][0]) > 0.003  # really moved (~500 m in Beijing)


def test_bad_features_are_reported_while_good_ones_load(db):
    good = feature(square(*MIYUN, 500), name="好的生活圈", city="密云区", type="commercial")
    collection = {
        "type": "FeatureCollection",
        "features": [
            good,
            feature(square(MIYUN[0] + 0.02, MIYUN[1], 500), name="未知类型生活圈", city="密云区", type="spaceship"),
            feature(
                {"type": "Polygon", "coordinates": [[[200, 95], [201, 95], [201, 96], [200, 95]]]},
                name="越界生活圈",
                city="密云区",
            ),
            feature(
                {"type": "LineString", "coordinates": [[116.8, 40.3], [116.9, 40.4]]}, name="线状生活圈", city="密云区"
            ),
            feature(square(*MIYUN, 500), city="密云区"),
            feature(square(*MIYUN, 500), name="无城市生活圈"),
            feature(square(*MIYUN, 500), name="好的生活圈", city="密云区"),
        ],
    }
    result = import_circles(collection)
    assert result.circles.created == 1 and result.circles.failed == 6
    by_index = {e.index: e for e in result.errors}
    assert sorted(by_index) == [1, 2, 3, 4, 5, 6]
    assert by_index[1].name == "未知类型生活圈" and "spaceship" in by_index[1].reason
    assert "经纬度范围" in by_index[2].reason
    assert "Polygon" in by_index[3].reason
    assert by_index[4].name is None and "name" in by_index[4].reason
    assert "city" in by_index[5].reason
    assert "features[0]" in by_index[6].reason  # the same circle twice in one file
    assert "features[1] (未知类型生活圈)" in str(by_index[1])
    assert [c.name for c in db.session.scalars(select(Circle))] == ["好的生活圈"]


def test_bad_nested_community_is_reported_and_its_circle_still_loads(db):
    collection = plan()
    nested = collection["features"][0]["properties"]["communities"]
    nested.append(feature(name="比例错误社区", share_65_plus=1.5))
    result = import_circles(collection)
    assert result.circles.created == 2 and result.communities.created == 2 and result.communities.failed == 1
    (error,) = result.errors
    assert (error.index, error.community_index, error.name) == (0, 2, "鼓楼生活圈")
    assert "比例错误社区" in error.reason and "share_65_plus" in error.reason


def test_community_phone_is_checked_like_the_console_form(db):
    collection = plan()
    nested = collection["features"][0]["properties"]["communities"]
    nested[0]["properties"]["phone"] = "请致电居委会"
    result = import_circles(collection)
    assert result.communities.failed == 1 and "电话号码格式有误" in str(result.errors[0])


def test_communities_from_a_second_file(db):
    extra = communities_file()
    extra["features"].append(feature(name="孤儿社区", circle="不存在的生活圈"))
    result = import_circles(plan(), extra)
    assert result.communities.created == 5 and result.communities.failed == 1
    (error,) = result.errors
    assert (error.source, error.index, error.name) == ("communities", 3, "孤儿社区")
    assert "不存在的生活圈" in error.reason
    tanying = circle_named(db, "檀营生活圈")
    assert [(c.name, c.boundary is not None) for c in tanying.communities] == [
        ("檀营东社区", True),
        ("檀营西社区", False),
    ]
    assert "鼓楼南社区" in [c.name for c in circle_named(db, "鼓楼生活圈").communities]  # by external_id MY-C01

    # The second file alone, later: circles are found in the database; nothing is duplicated.
    again = import_circles({"type": "FeatureCollection", "features": []}, communities_file(), city="密云区")
    assert (again.communities.created, again.communities.updated, again.failed) == (0, 3, 0)
    assert count(db, Community) == 5


def test_default_city_and_dry_run(db):
    collection = plan()
    for f in collection["features"]:
        del f["properties"]["city"]
    result = import_circles(collection, city="怀柔区", dry_run=True)
    assert result.failed == 0 and result.circles.created == 2 and "dry run" in result.summary()
    assert count(db, Circle) == 0 and count(db, City) == 0
    import_circles(collection, city="怀柔区")
    assert circle_named(db, "檀营生活圈").city.name == "怀柔区"


def test_cli_wiring_and_exit_codes(app, db, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["circles", "import", str(DATA / "circles.geojson"), "--communities", str(DATA / "communities.geojson")]
    )
    assert ok.exit_code == 0, ok.output
    assert "circles: 2 created, 0 updated, 0 failed" in ok.output
    assert "communities: 5 created" in ok.output

    bad = copy.deepcopy(plan())
    bad["features"][0]["properties"]["type"] = "spaceship"
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    failed = runner.invoke(args=["circles", "import", str(path), "--dry-run"])
    assert failed.exit_code == 1
    assert "features[0] (鼓楼生活圈)" in failed.output and "1 failed" in failed.output

    not_geojson = tmp_path / "x.geojson"
    not_geojson.write_text("[1, 2]", encoding="utf-8")
    assert runner.invoke(args=["circles", "import", str(not_geojson)]).exit_code == 1


# the batch: a province's circles written together -------------------------------------------------------


def grid(count, city="密云区", start=0, **props):
    """`count` circles of 200 m squares east of Miyun, external ids G0000, G0001, …"""
    return {
        "type": "FeatureCollection",
        "features": [
            feature(
                square(MIYUN[0] + 0.01 * i, MIYUN[1], 100),
                name=f"格{i:04d}",
                external_id=f"G{i:04d}",
                city=city,
                **props,
            )
            for i in range(start, start + count)
        ],
    }


def test_a_batch_bigger_than_one_flush_and_its_reimport(db, make, monkeypatch):
    from app.circles import importer
    from app.outlets.models import Outlet

    monkeypatch.setattr(importer._BatchRun, "FLUSH_EVERY", 3)
    shop = make.outlet(lng=MIYUN[0] + 0.05)  # inside the sixth square
    collection = grid(8)
    collection["features"][4]["properties"]["type"] = "spaceship"
    collection["features"][6]["properties"]["communities"] = [feature(name="格社区", population=900)]
    result = import_circles(collection)
    assert (result.circles.created, result.circles.failed, result.communities.created) == (7, 1, 1)
    (error,) = result.errors
    assert (error.index, error.name) == (4, "格0004") and "spaceship" in error.reason
    assert count(db, Circle) == 7
    db.session.refresh(shop)
    assert shop.circle_id == circle_named(db, "格0005").id  # outlets are reassigned as before
    assert [c.name for c in circle_named(db, "格0006").communities] == ["格社区"]

    again = grid(9)  # the same eight (renamed by external id) and one more
    for f in again["features"]:
        f["properties"]["name"] += "新"
    result = import_circles(again)
    assert (result.circles.created, result.circles.updated, result.failed) == (2, 7, 0)
    assert count(db, Circle) == 9 and db.session.get(Outlet, shop.id).circle_id == circle_named(db, "格0005新").id


def test_a_failed_feature_leaves_no_city_and_no_settings(db):
    collection = grid(2, city="新城")
    collection["features"][0]["properties"].update(type="spaceship", tier="tier1")
    collection["features"][1]["properties"]["city"] = "另一新城"
    result = import_circles(collection)
    assert result.circles.created == 1 and result.circles.failed == 1
    assert [c.name for c in db.session.scalars(select(City).order_by(City.id))] == ["另一新城"]


def test_settings_in_features_apply_to_a_new_city(db):
    collection = grid(3, city="新城", tier="tier1")
    collection["features"][2]["properties"]["tier"] = "other"
    result = import_circles(collection)
    assert result.circles.created == 2 and "features[0]" in result.errors[0].reason
    assert db.session.scalar(select(City.tier).where(City.name == "新城")) == "tier1"


def test_renames_that_pass_each_other_in_one_file(db):
    """B gives up its name before A takes it: fine one feature at a time; written as a batch the UPDATEs may
    meet the unique name in another order, which the database refuses, and the file loads feature by feature."""
    import_circles(grid(2))
    swap = grid(2)
    first, second = swap["features"]
    first["properties"]["name"], second["properties"]["name"] = "格0001", "格0001旧"
    swap["features"] = [second, first]
    result = import_circles(swap)
    assert result.errors == [] and result.circles.updated == 2
    names = dict(db.session.execute(select(Circle.external_id, Circle.name)).all())
    assert names == {"G0000": "格0001", "G0001": "格0001旧"}


def test_what_only_the_database_refuses_is_reported_by_feature(db):
    db.session.execute(
        text(
            """CREATE FUNCTION pg_temp.refuse() RETURNS trigger AS $$ BEGIN
                   IF NEW.name = '格0002' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
               CREATE TRIGGER test_refuse BEFORE INSERT ON circles FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse();"""
        )
    )
    result = import_circles(grid(4))
    db.session.execute(text("DROP TRIGGER test_refuse ON circles"))
    assert (result.circles.created, result.circles.failed) == (3, 1)
    (error,) = result.errors
    assert (error.index, error.name) == (2, "格0002") and "数据库拒绝" in error.reason
    assert sorted(db.session.scalars(select(Circle.name))) == ["格0000", "格0001", "格0003"]


def test_outlets_follow_the_batch_by_the_trigger_rule(db, make):
    """The outlets under new or moved boundaries get their circle in one join, by the rule of the trigger
    outlets_assign_area (the lowest id covering them); each move is in the outlet's history."""
    from app.outlets.models import Outlet, OutletVersion

    near, far = make.outlet(), make.outlet(lng=MIYUN[0] + 0.02)
    assert (near.circle_id, far.circle_id) == (None, None)
    both = grid(2)
    both["features"][1]["geometry"] = square(*MIYUN, 300)  # G0001 covers `near` too
    import_circles(both)
    first, second = circle_named(db, "格0000"), circle_named(db, "格0001")
    db.session.refresh(near), db.session.refresh(far)
    assert (near.circle_id, far.circle_id) == (first.id, None)

    moved = grid(2)
    moved["features"][0]["geometry"] = square(MIYUN[0] + 0.02, MIYUN[1], 100)  # G0000 moves onto `far`
    moved["features"][1]["geometry"] = square(*MIYUN, 300)
    result = import_circles(moved)
    assert result.circles.updated == 2
    db.session.refresh(near), db.session.refresh(far)
    assert (near.circle_id, far.circle_id) == (second.id, first.id)
    history = db.session.scalars(
        select(OutletVersion.circle_id).where(OutletVersion.outlet_id == near.id).order_by(OutletVersion.id)
    ).all()
    assert history == [None, first.id, second.id]
    assert db.session.get(Outlet, far.id).circle_id == first.id


def test_a_circle_the_file_never_named_is_re_evaluated_when_it_loses_outlets(db, make):
    """A moved boundary can take outlets from a circle outside the file (the lowest covering id wins): that
    circle's evaluation inputs changed too, so its version is bumped with the import."""
    plan = grid(2)
    plan["features"][0]["geometry"] = square(MIYUN[0] + 0.02, MIYUN[1], 100)  # away from Miyun's point …
    plan["features"][1]["geometry"] = square(*MIYUN, 300)  # … which G0001 covers
    plan["features"][1]["properties"]["city"] = "怀柔区"  # another city: no city-wide invalidation reaches it
    import_circles(plan)
    first, second = circle_named(db, "格0000"), circle_named(db, "格0001")
    near = make.outlet()
    commit()  # the outlet's own commit bumps the circles near it
    db.session.refresh(near), db.session.refresh(first), db.session.refresh(second)
    assert near.circle_id == second.id
    versions = {c.id: c.evaluation_version for c in (first, second)}

    only_first = grid(1)
    only_first["features"][0]["geometry"] = square(*MIYUN, 100)  # G0000 moves over `near`
    import_circles(only_first)
    commit()  # the versions are bumped by the commit (rolled back with the test)

    db.session.refresh(near), db.session.refresh(first), db.session.refresh(second)
    assert near.circle_id == first.id
    assert second.evaluation_version > versions[second.id]
    assert first.evaluation_version > versions[first.id]
