"""One page helper for every list (app/common/paging.py): the contract's envelope, has_more without a count."""

from sqlalchemy import func, select

from app.circles.models import Circle
from app.common.paging import Page, paginate


def test_a_page_from_rows_fetched_one_beyond_it():
    assert Page.of([1, 2, 3], page=1, page_size=2) == Page([1, 2], 1, 2, True)
    assert Page.of([1, 2], page=1, page_size=2) == Page([1, 2], 1, 2, False)
    assert Page.of([], page=3, page_size=2, total=4) == Page([], 3, 2, False, 4)


def test_a_page_of_a_list_held_in_full():
    assert Page.within(list(range(5)), page=2, page_size=2) == Page([2, 3], 2, 2, True, 5)
    assert Page.within(list(range(5)), page=3, page_size=2) == Page([4], 3, 2, False, 5)


def test_envelope_leaves_out_a_total_not_counted_and_adds_list_fields():
    assert Page([1], 1, 20, False).envelope(radius_m=500) == {
        "items": [1],
        "page": 1,
        "page_size": 20,
        "has_more": False,
        "radius_m": 500,
    }
    assert Page(["a"], 2, 1, True, 7).map(str.upper).envelope()["items"] == ["A"]
    assert Page(["a"], 2, 1, True, 7).envelope()["total"] == 7


def test_paginate_runs_the_query_for_one_page(make):
    city = make.city()
    ids = [make.circle(city=city, center=(116.8 + i * 0.03, 40.37)).id for i in range(3)]
    query = select(Circle).where(Circle.city_id == city.id).order_by(Circle.id)

    first = paginate(query, 1, 2, count=True)
    assert [c.id for c in first.items] == ids[:2] and first.has_more and first.total == 3
    last = paginate(query, 2, 2, count=select(func.count()).where(Circle.city_id == city.id))
    assert [c.id for c in last.items] == ids[2:] and not last.has_more and last.total == 3
    assert paginate(query, 1, 5).total is None and paginate(query, 1, 5, count=42).total == 42
    rows = paginate(
        select(Circle.id, Circle.name).where(Circle.city_id == city.id).order_by(Circle.id), 1, 1, rows=True
    )
    assert rows.items[0].id == ids[0] and rows.has_more
