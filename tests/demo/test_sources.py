"""The demo's parsing and layout pieces, without a database."""

import random

import pytest

from app.demo import attributes, catalog
from app.demo.geometry import split_strips, zhongwei_layout
from app.demo.sources import CircleSpec, parse_shortage, split_communities
from app.demo.streets import line_key, order_lines, parse_four_bounds
from app.outlets.hours import parse_hours_text
from app.outlets.models import QUALITY_BRAND_KINDS
from app.taxonomy.registry import taxonomy


def test_gap_table_wording_maps_to_type_codes():
    gap = parse_shortage(
        "早餐、维修、照相文印业态少，缺少家政服务、再生资源回收业态", "书店、托育、教育培训、养老等业态"
    )
    assert gap.few == {"breakfast", "repair", "photo_print"} and gap.missing == {"housekeeping", "recycling"}
    assert gap.missing_quality == {"bookstore", "childcare", "training", "elderly_care"}
    # A clause with neither 缺少 nor 少 lists what is missing; a type both few and missing is missing.
    assert parse_shortage("综合超市、菜市场、再生资源回收网点", "——").missing == {
        "community_supermarket",
        "wet_market",
        "recycling",
    }
    both = parse_shortage("早餐、维修等业态少，缺少维修、照相文印、家政服务、再生资源回收业态", "书店")
    assert both.few == {"breakfast"} and "repair" in both.missing
    financial = parse_shortage("缺少洗染店、邮政快递综合服务、金融服务等业态", "金融服务")
    assert financial.missing == {"laundry", "parcel_point", "bank"}
    assert financial.missing_quality == {"finance_insurance"}
    with pytest.raises(ValueError):
        parse_shortage("缺少宇宙飞船等业态", "")


def test_community_lists_split_even_without_a_separator():
    assert split_communities("檀城东区、檀城西区、白檀", 3) == ["檀城东区", "檀城西区", "白檀"]
    assert split_communities("果园新里北区社区季庄社区、嘉益社区", 3) == ["果园新里北区社区", "季庄社区", "嘉益社区"]
    with pytest.raises(ValueError):
        split_communities("甲社区、乙社区", 3)


def test_four_bounds_and_street_lines():
    assert parse_four_bounds("东到迎宾大道，西到怀远南街，北到长城东路，南到东大路。") == {
        "E": "迎宾大道",
        "W": "怀远南街",
        "N": "长城东路",
        "S": "东大路",
    }
    with pytest.raises(ValueError):
        parse_four_bounds("东至应理南街，南至中央大道")
    assert line_key("鼓楼南街") == line_key("鼓楼北街") == line_key("鼓楼东街") == "鼓楼"
    assert line_key("怀远南街") == line_key("怀远北路") and line_key("滨河北路") == line_key("滨河东路")
    assert line_key("新墩路") == "新墩"


def test_street_order_is_a_topological_sort():
    ranks = order_lines([("A", "B"), ("B", "C"), ("X", "C"), ("P", "Q")])
    assert ranks["A"] < ranks["B"] < ranks["C"]
    assert ranks["X"] == ranks["C"] - 1  # only known from above: kept next to it, not at the bottom
    assert min(ranks["P"], ranks["Q"]) > ranks["C"]  # an unrelated group goes beside the main one
    assert order_lines([("A", "B"), ("B", "C"), ("C", "A")]) is None


def _spec(no, bounds):
    return CircleSpec("zhongwei", no, f"圈{no}", None, 10000, 2025, "沙坡头区", None, bounds, [f"社区{no}"])


def test_conflicting_four_bounds_fall_back_to_a_neat_grid():
    specs = [_spec(1, "东至乙街，南至丙路，西至甲街，北至丁路"), _spec(2, "东至甲街，南至丙路，西至乙街，北至丁路")]
    layout, fallback = zhongwei_layout(specs, random.Random(1))
    assert fallback == [1, 2]
    assert layout[1][0].intersection(layout[2][0]).area < 1e-6 and layout[1][0].area > 0.5e6


def test_fully_covered_claims_still_get_a_cell():
    specs = [_spec(1, "东至乙街，南至丙路，西至甲街，北至丁路"), _spec(2, "东至乙街，南至丙路，西至甲街，北至丁路")]
    layout, fallback = zhongwei_layout(specs, random.Random(1))
    assert fallback == [2] and layout[1][0].area > 0.5e6


def test_strips_follow_the_weights():
    from shapely.geometry import box

    strips = split_strips(box(0, 0, 1000, 600), [1, 2, 1])
    assert [round(s.area / 1000) for s in strips] == [150, 300, 150]


def test_catalog_covers_the_taxonomy():
    codes = taxonomy().type_codes
    assert set(catalog.TYPE_WEIGHTS) == codes and set(catalog.NAMES) == codes
    assert set(catalog.BRANDS) <= codes and set(catalog.COMBOS) <= codes
    assert {t for extra in catalog.COMBOS.values() for t in extra} <= codes
    kinds = {kind for brands in catalog.BRANDS.values() for _, kind, _ in brands}
    assert kinds - {None} <= set(QUALITY_BRAND_KINDS)
    for options in [*attributes.HOURS.values(), attributes.DEFAULT_HOURS]:
        for option in options:
            assert parse_hours_text(option)[0]
