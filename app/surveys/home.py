"""Whose answer counts for which circle: a resident's home circle (居住的生活圈).

A survey answer counts for the circle the resident lives in. That is established either by where they
are when they answer (inside the circle, or within SURVEY_HOME_RADIUS_M of its boundary: a 15-minute walk)
or by community staff confirming it. Moving home is possible (the location check of a later answer, or
the resident's own setting, moves it and drops a staff confirmation), but one resident answers once per
survey year whichever circle they live in (service.submit_response checks overlapping periods).
"""

from flask import current_app
from sqlalchemy import func, select

from app.audit import service as audit
from app.auth.models import User
from app.circles.models import Circle
from app.circles.service import get_circle
from app.common import geo
from app.common.errors import Conflict, NotFound
from app.common.extensions import db
from app.common.models import utcnow
from app.common.policy import authorize_circle
from app.common.tx import write_use_case


def radius_m() -> int:
    return current_app.config["SURVEY_HOME_RADIUS_M"]


def distance_to(circle: Circle, lng: float, lat: float) -> int:
    """Metres from the WGS-84 point to the circle (0 inside), on the ellipsoid."""
    point = geo.point_expr(lng, lat)
    metres = db.session.scalar(
        select(func.ST_Distance(func.Geography(Circle.boundary), func.Geography(point))).where(Circle.id == circle.id)
    )
    return int(round(metres or 0))


def check_home(user: User, circle: Circle, location: dict | None) -> tuple[str, int | None]:
    """How this answer's home circle is established: ("location", metres) or ("staff_confirmed", None).

    `location` is where the resident answers from, WGS-84 (the request schema converts it)."""
    confirmed_here = user.home_confirmed_at is not None and user.home_circle_id == circle.id
    confirmed_elsewhere = user.home_confirmed_at is not None and user.home_circle_id not in (None, circle.id)
    if confirmed_elsewhere:
        raise Conflict(
            "社区已确认您居住在其他生活圈，只能参加该生活圈的调查；如已搬家，请先修改居住的生活圈",
            code="home_elsewhere",
            details={"home_circle_id": user.home_circle_id},
        )
    if location is None:
        if confirmed_here:
            return "staff_confirmed", None
        raise Conflict(
            "请允许获取位置以确认您住在本生活圈，或请社区工作人员确认",
            code="home_not_established",
            details={"radius_m": radius_m()},
        )
    metres = distance_to(circle, location["lng"], location["lat"])
    if metres > radius_m():
        if confirmed_here:
            return "staff_confirmed", None
        raise Conflict(
            "您当前不在本生活圈附近，只能参加居住的生活圈的调查",
            code="not_in_circle",
            details={"distance_m": metres, "radius_m": radius_m()},
        )
    return ("staff_confirmed" if confirmed_here else "location"), metres


@write_use_case
def confirm_home(staff, circle_id: int, user_id: int) -> User:
    """Community staff confirm that a resident lives in their circle (audited)."""
    circle = get_circle(circle_id)
    authorize_circle(staff, circle.id)
    resident = db.session.get(User, user_id)
    if resident is None or not resident.has_role("resident"):
        raise NotFound("居民不存在", code="resident_not_found")
    before = {"home_circle_id": resident.home_circle_id, "confirmed": resident.home_confirmed_at is not None}
    resident.home_circle_id = circle.id
    resident.home_confirmed_by, resident.home_confirmed_at = staff.id, utcnow()
    audit.record(
        staff,
        "home_confirmed",
        circle_id=circle.id,
        subject_user_id=resident.id,
        before=before,
        after={"home_circle_id": circle.id, "confirmed": True},
    )
    return resident
