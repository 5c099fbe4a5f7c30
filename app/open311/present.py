"""Needs as GeoReport v2 request objects (WGS-84, ISO 8601 times with the local offset)."""

from datetime import datetime, time

from sqlalchemy import select

from app.circles.models import Circle
from app.common.clock import local_zone
from app.common.extensions import db
from app.demands import present
from app.demands.models import CLOSED_STATUSES, DEMAND_KINDS, Project
from app.open311.service import service_code


def _time(value: datetime | None) -> str | None:
    return value.astimezone(local_zone()).isoformat(timespec="seconds") if value else None


def _status_notes(demand) -> str | None:
    if demand.status == "merged":
        return f"已合并到请求 {demand.merged_into_id}"
    if demand.status == "rejected":
        return demand.reject_reason
    return demand.public_reply


def _service_name(demand) -> str:
    type_name = present.type_name(demand.business_type) if demand.kind == "missing_type" else None
    return f"缺少{type_name}" if type_name else DEMAND_KINDS[demand.kind]


def _expected(project) -> str | None:
    """A linked project's planned completion date, as the end of that day."""
    if project is None or project.planned_end is None:
        return None
    return datetime.combine(project.planned_end, time(23, 59, 59), local_zone()).isoformat()


def requests_out(demands) -> list[dict]:
    """The spec's fields, with a fixed number of queries whatever the count."""
    items = present.demands_out(demands, "wgs84", timeline=False)
    circle_ids = {d.circle_id for d in demands}
    circles = dict(db.session.execute(select(Circle.id, Circle.name).where(Circle.id.in_(circle_ids))).all())
    project_ids = {d.project_id for d in demands if d.project_id}
    projects = {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_(project_ids)))}
    return [
        {
            "service_request_id": str(demand.id),
            "status": "closed" if demand.status in CLOSED_STATUSES else "open",
            "status_notes": _status_notes(demand),
            "service_name": _service_name(demand),
            "service_code": service_code(demand),
            "description": demand.text,
            "agency_responsible": circles.get(demand.circle_id, ""),
            "service_notice": None,
            "requested_datetime": _time(demand.created_at),
            "updated_datetime": _time(demand.updated_at),
            "expected_datetime": _expected(projects.get(demand.project_id)),
            "address": demand.address,
            "address_id": None,
            "zipcode": None,
            "lat": item["location"]["lat"],
            "long": item["location"]["lng"],
            "media_url": next((p["url"] for p in item["photos"] if p["url"]), None),
        }
        for demand, item in zip(demands, items, strict=True)
    ]
