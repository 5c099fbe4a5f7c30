"""Event use cases: staff record promotion events in their circles; residents find upcoming ones nearby."""

from datetime import date

from geoalchemy2 import Geography, Geometry
from sqlalchemy import cast, func, select

from app.circles import service as circles
from app.common import geo
from app.common.clock import now_local
from app.common.errors import NotFound, ValidationFailed
from app.common.extensions import db
from app.common.paging import Page, paginate
from app.common.policy import authorize_circle
from app.common.tx import write_use_case
from app.events.models import Event

FIELDS = ("title", "theme", "description", "address", "starts_on", "ends_on", "organiser")


def _circle_for(circle_id: int | None, lng: float | None, lat: float | None, fallback_id: int | None = None) -> int:
    """The given circle, else the one containing the point (else the event's current circle)."""
    if circle_id is not None:
        try:
            return circles.get_circle(circle_id).id
        except NotFound:
            raise ValidationFailed(details={"circle_id": ["生活圈不存在"]}, code="circle_not_found") from None
    try:
        return circles.locate(lng, lat)[0].id
    except NotFound:
        if fallback_id is not None:
            return fallback_id
        raise ValidationFailed(
            "活动地点不在任何生活圈内，请指定所属生活圈",
            code="outside_circles",
            details={"location": ["该位置不在任何生活圈内"]},
        ) from None


def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound("活动不存在", code="event_not_found")
    return event


@write_use_case
def create_event(user, data: dict, lng: float, lat: float) -> Event:
    """Staff record an event in a circle they look after (the circle given, or the one at the place)."""
    circle_id = _circle_for(data.pop("circle_id", None), lng, lat)
    authorize_circle(user, circle_id)
    _check_dates(data["starts_on"], data["ends_on"])
    event = Event(circle_id=circle_id, location=geo.point(lng, lat), created_by=user.id)
    _apply(event, data)
    db.session.add(event)
    return event


@write_use_case
def update_event(user, event_id: int, data: dict, lng: float | None, lat: float | None) -> Event:
    """Changes an event; moving it (or naming a circle) may move it to another circle, also in scope."""
    event = get_event(event_id)
    old_circle_id = event.circle_id
    authorize_circle(user, old_circle_id)
    circle_id = old_circle_id
    if "circle_id" in data or lng is not None:
        circle_id = _circle_for(data.pop("circle_id", None), lng, lat, fallback_id=old_circle_id)
        authorize_circle(user, circle_id)
    _check_dates(data.get("starts_on", event.starts_on), data.get("ends_on", event.ends_on))
    event.circle_id = circle_id
    if lng is not None:
        event.location = geo.point(lng, lat)
    _apply(event, data)
    return event


def _check_dates(starts_on, ends_on):
    if ends_on < starts_on:
        raise ValidationFailed(details={"ends_on": ["结束日期不能早于开始日期"]})


def _apply(event: Event, data: dict):
    for key in FIELDS:
        if key in data:
            value = data[key]
            setattr(event, key, value.strip() if isinstance(value, str) else value)


@write_use_case
def delete_event(user, event_id: int) -> None:
    event = get_event(event_id)
    authorize_circle(user, event.circle_id)
    db.session.delete(event)


def _lnglat_columns():
    geometry = cast(Event.location, Geometry)
    return func.ST_X(geometry).label("lng"), func.ST_Y(geometry).label("lat")


def event_lnglat(event: Event) -> tuple[float, float]:
    return tuple(db.session.execute(select(*_lnglat_columns()).where(Event.id == event.id)).one())


def nearby_events(lng: float, lat: float, radius: int, page: int, page_size: int) -> Page:
    """Events not yet over within radius metres, soonest first, then nearest. Rows: (event, lng, lat, metres)."""
    here = cast(geo.point(lng, lat), Geography)
    distance = func.ST_Distance(Event.location, here, True).label("distance_m")
    query = (
        select(Event, *_lnglat_columns(), distance)
        .where(Event.ends_on >= now_local().date(), func.ST_DWithin(Event.location, here, radius, True))
        .order_by(Event.starts_on, distance, Event.id)
    )
    return paginate(query, page, page_size, rows=True)


def circle_events(circle_id: int, year: int, page: int, page_size: int) -> Page:
    """Events of a circle taking place (at least partly) in the year, by start date."""
    circle = circles.get_circle(circle_id)
    first, last = date(year, 1, 1), date(year, 12, 31)
    where = (Event.circle_id == circle.id, Event.starts_on <= last, Event.ends_on >= first)
    query = select(Event, *_lnglat_columns()).where(*where).order_by(Event.starts_on, Event.id)
    return paginate(query, page, page_size, count=select(func.count()).where(*where), rows=True)


def events_count(circle_ids, year: int) -> dict[int, int]:
    """Item 8 of the 好不好 table, per circle asked for: events of the circle that started in the year and
    have started by today (announced future events do not count yet)."""
    ids = list(circle_ids)
    last = min(date(year, 12, 31), now_local().date())
    counted = dict(
        db.session.execute(
            select(Event.circle_id, func.count())
            .where(Event.circle_id.in_(ids), Event.starts_on >= date(year, 1, 1), Event.starts_on <= last)
            .group_by(Event.circle_id)
        ).all()
    )
    return {circle_id: counted.get(circle_id, 0) for circle_id in ids}
