"""Survey fixtures: a circle of 100 people, staff and bureaus in and out of scope, an admin; the WeChat stub reset."""

import io
from types import SimpleNamespace

import pytest

from tests.factories import MIYUN


@pytest.fixture
def area(make, stub):
    circle = make.circle(center=MIYUN, half_m=600, population=100, name="檀营生活圈")
    other = make.circle(center=(MIYUN[0] + 0.05, MIYUN[1]), half_m=600, population=5000)
    return SimpleNamespace(
        circle=circle,
        other=other,
        staff=make.user("staff", circles=[circle]),
        outsider=make.user("staff", circles=[other]),
        admin=make.user("admin"),
        bureau=make.user("bureau", cities=[circle.city]),
        other_bureau=make.user("bureau", cities=[other.city]),
    )


def open_period(client, make, area, **body):
    return client.post(
        f"/api/v1/staff/circles/{area.circle.id}/survey-periods", json=body, headers=make.headers(area.bureau)
    )


def post_csv(client, url, data: bytes, headers, name="forms.csv"):
    """Staff upload a batch of paper forms as a CSV file."""
    return client.post(
        url, data={"file": (io.BytesIO(data), name)}, headers=headers, content_type="multipart/form-data"
    )


HERE = {"lng": MIYUN[0], "lat": MIYUN[1]}  # the centre of area.circle, WGS-84


def answer(client, make, circle_id, user, type_satisfaction=5, service_satisfaction=5, where=HERE, **extra):
    """A resident answers from `where` (WGS-84; None sends no location, as a denied wx.getLocation)."""
    body = {"type_satisfaction": type_satisfaction, "service_satisfaction": service_satisfaction, **extra}
    if where is not None:
        body.update(location=where, coord="wgs84")
    return client.post(f"/api/v1/circles/{circle_id}/survey-responses", json=body, headers=make.headers(user))
