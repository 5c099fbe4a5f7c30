"""The console's outlet census: list with filters (server-side paging), CSV export in the import's own columns,
and the import from an uploaded file with its per-row report."""

import csv
import io

from geoalchemy2 import Geography
from sqlalchemy import cast, func, or_, select

from app.circles.models import Circle
from app.common import geo
from app.common.errors import Forbidden
from app.common.extensions import db
from app.common.paging import Page, paginate
from app.common.policy import authorize_circle
from app.outlets.models import Outlet

EXPORT_COLUMNS = ("external_id", "name", "types", "lng", "lat", "coord", "address", "phone", "chain", "online")
EXPORT_MAX_ROWS = 50_000


def _scoped(actor, circle_id):
    if circle_id is not None:
        authorize_circle(actor, circle_id)
        return circle_id
    if not actor.has_role("admin"):
        raise Forbidden("请选择您负责的生活圈", code="out_of_scope")
    return None


def census_query(actor, *, circle_id=None, ids=(), q=None, types=(), statuses=(), community_id=None):
    """Outlets of a circle (or, by id, anywhere: evidence may lie just outside the boundary), with their distance to
    the circle (0 inside) when a circle is named."""
    circle_id = _scoped(actor, circle_id)
    columns = [Outlet, func.ST_X(func.geometry(Outlet.location)), func.ST_Y(func.geometry(Outlet.location))]
    if circle_id is not None:
        boundary = select(cast(Circle.boundary, Geography)).where(Circle.id == circle_id).scalar_subquery()
        columns.append(func.ST_Distance(Outlet.location, boundary))
    else:
        columns.append(None)
    query = select(*columns)
    if ids:
        query = query.where(Outlet.id.in_([int(i) for i in ids]))
    elif circle_id is not None:
        query = query.where(Outlet.circle_id == circle_id)
    if community_id is not None:
        query = query.where(Outlet.community_id == community_id)
    if statuses:
        query = query.where(Outlet.status.in_(list(statuses)))
    if types:
        query = query.where(Outlet.types.overlap(list(types)))
    if q:
        pattern = f"%{q.replace(chr(92), chr(92) * 2).replace('%', chr(92) + '%').replace('_', chr(92) + '_')}%"
        matches = [Outlet.name.ilike(pattern), Outlet.address.ilike(pattern)]
        if q.isascii() and q.isalnum():  # pinyin initials: "hlj" finds 好邻居
            matches.append(Outlet.name_initials.like(f"%{q.lower()}%"))
        query = query.where(or_(*matches))
    return query


def census_page(actor, *, page: int, page_size: int, **filters) -> Page:
    return paginate(census_query(actor, **filters).order_by(Outlet.id), page, page_size, count=True, rows=True)


def census_out(row, coord: str) -> dict:
    outlet, lng, lat, distance = row
    out_lng, out_lat = geo.from_wgs84(lng, lat, coord)
    return {
        "id": outlet.id,
        "external_id": outlet.external_id,
        "name": outlet.name,
        "types": outlet.types,
        "status": outlet.status,
        "address": outlet.address,
        "phone": outlet.phone,
        "location": {"lat": round(out_lat, 7), "lng": round(out_lng, 7)},
        "circle_id": outlet.circle_id,
        "community_id": outlet.community_id,
        "chain": outlet.chain,
        "online": outlet.online,
        "mobile": outlet.mobile,
        "synthetic": outlet.synthetic,
        "distance_m": None if distance is None else int(round(distance)),
        "updated_at": outlet.updated_at,
    }


def census_csv(actor, coord: str = "gcj02", **filters) -> bytes:
    """The filtered census as CSV in the import's columns (so a corrected file can be imported back)."""
    rows = db.session.execute(census_query(actor, **filters).order_by(Outlet.id).limit(EXPORT_MAX_ROWS)).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for outlet, lng, lat, _ in rows:
        out_lng, out_lat = geo.from_wgs84(lng, lat, coord)
        writer.writerow(
            [
                outlet.external_id or "",
                outlet.name,
                "|".join(outlet.types),
                f"{out_lng:.7f}",
                f"{out_lat:.7f}",
                coord,
                outlet.address or "",
                outlet.phone or "",
                int(outlet.chain),
                int(outlet.online),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
