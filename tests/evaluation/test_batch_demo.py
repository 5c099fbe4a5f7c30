"""One implementation for one circle and for a province: evaluating every demo circle (two cities, two
standards profiles) in one set-based call gives exactly what evaluating each circle alone gives."""

from datetime import date

import pytest
from sqlalchemy import select

from app.circles.models import Circle
from app.demo import loader
from app.evaluation import reports, service
from tests.demo.conftest import shared_db  # noqa: F401 (the demo load shared by this module)


@pytest.fixture(scope="module")
def demo(shared_db):  # noqa: F811
    loader.load()
    return list(shared_db.session.scalars(select(Circle).order_by(Circle.id)))


def _without_clock(value):
    if isinstance(value, dict):
        return {k: _without_clock(v) for k, v in value.items() if k != "computed_at"}
    if isinstance(value, list):
        return [_without_clock(v) for v in value]
    return value


@pytest.mark.parametrize("at", [None, date(2025, 12, 31)], ids=["today", "end-of-2025"])
def test_all_circles_at_once_equal_each_circle_alone(demo, at):
    together = service.evaluate_circles(demo, at, use_cache=False)
    assert sorted(together) == [c.id for c in demo] and len({c.city_id for c in demo}) >= 2
    rated = 0
    for circle in demo:
        alone = service.evaluate_circle(circle.id, at, use_cache=False)
        assert _without_clock(together[circle.id]) == _without_clock(alone), circle.name
        rated += bool(alone["final_type"])
    assert rated > 0 or at is not None  # today: real evidence, some circles rated (2025 had no surveys)


def test_city_views_at_once_equal_one_city_at_a_time(demo, shared_db):  # noqa: F811
    from app.auth.models import User
    from app.circles.models import City

    admin = User(username="batch-admin", roles=["admin"])
    shared_db.session.add(admin)
    shared_db.session.flush()
    cities = list(shared_db.session.scalars(select(City).order_by(City.id)))
    together = reports.city_views(cities, use_cache=False)
    for city in cities:
        assert together[city.id] == reports.city_evaluation(admin, city.id, use_cache=False)
