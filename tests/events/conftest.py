"""Event fixtures: two circles side by side, staff of each, an admin."""

from types import SimpleNamespace

import pytest

from app.common import geo
from tests.factories import MIYUN

FAR = (MIYUN[0] + 0.05, MIYUN[1])


@pytest.fixture
def area(make):
    circle = make.circle(center=MIYUN, half_m=600, name="檀营生活圈")
    other = make.circle(center=FAR, half_m=600, name="远处生活圈")
    return SimpleNamespace(
        circle=circle,
        other=other,
        staff=make.user("staff", circles=[circle]),
        outsider=make.user("staff", circles=[other]),
        admin=make.user("admin"),
    )


def gcj(lng, lat):
    out_lng, out_lat = geo.wgs84_to_gcj02(lng, lat)
    return {"lat": out_lat, "lng": out_lng}


def event_body(starts_on, ends_on=None, at=MIYUN, **fields):
    return {
        "title": "檀营邻里节",
        "theme": "neighbourhood",
        "location": gcj(*at),
        "address": "檀营乡文化广场",
        "starts_on": str(starts_on),
        "ends_on": str(ends_on or starts_on),
        "organiser": "檀营乡商务办",
        **fields,
    }
