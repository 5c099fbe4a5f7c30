"""Database side of the demo load. Only rows marked synthetic in the two demo cities are changed or
deleted; a real (non-synthetic) circle with a demo circle's name stops the load instead."""

from datetime import datetime

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert

from app.circles.models import Circle, Community
from app.common.clock import local_zone, now_local
from app.common.extensions import db
from app.common.shapes import area_from_geojson
from app.demo.context import RESIDENT_PREFIX, SOURCE_CLIENT
from app.outlets.hours import week_multirange
from app.outlets.models import Outlet
from app.outlets.service import name_initials

CIRCLE_FIELDS = ("name", "circle_type", "population", "planned_year", "district", "street", "four_bounds", "profile")
COMMUNITY_FIELDS = ("name", "population", "share_60_plus", "share_65_plus", "share_80_plus", "share_0_3", "phone")
BATCH = 1000
# Columns a re-run rewrites; ratings and their counts belong to residents and stay.
OUTLET_UPDATES = (
    "name name_initials types location address phone hours open_24h closed_on_holidays open_minutes avg_spend chain"
    " brand online online_platforms quality_brand delivery accepts_cash elderly_friendly qr_payment services status"
    " mobile"
).split()


class DemoConflict(Exception):
    pass


# A synthetic outlet that real people have used (a merchant took it over, a resident rated it or filed
# a need about it, staff recorded a finding) is kept: deleting it would take their rows with it.
KEEP_OUTLET = f"""
    o.owner_user_id IS NOT NULL
    OR EXISTS (SELECT 1 FROM ratings r JOIN users u ON u.id = r.user_id
               WHERE r.outlet_id = o.id AND (u.openid IS NULL OR u.openid NOT LIKE '{RESIDENT_PREFIX}%'))
    OR EXISTS (SELECT 1 FROM demands d WHERE d.outlet_id = o.id AND d.source_client IS DISTINCT FROM '{SOURCE_CLIENT}')
    OR EXISTS (SELECT 1 FROM merchant_applications a WHERE a.outlet_id = o.id)
    OR EXISTS (SELECT 1 FROM staff_findings f WHERE f.outlet_id = o.id)
    OR EXISTS (SELECT 1 FROM uploads f WHERE f.outlet_id = o.id)"""


def delete_stale_outlets(city_ids: list[int], keep: list[str]) -> None:
    """Synthetic outlets of the demo cities that this load does not produce again (another seed or
    density). Done first, so later boundary changes do not re-assign rows about to go."""
    db.session.execute(
        text(f"""
        DELETE FROM outlets o
        WHERE o.synthetic
          AND (o.external_id LIKE 'demo-%' OR o.circle_id IN (SELECT id FROM circles WHERE city_id = ANY(:cities)))
          AND NOT (COALESCE(o.external_id, '') = ANY(:keep))
          AND NOT ({KEEP_OUTLET})
    """),
        {"cities": city_ids, "keep": keep},
    )


def _set_boundary(row, geojson: dict) -> None:
    # Assign only when the shape moved: writing the column fires the trigger that re-assigns outlets.
    element = area_from_geojson(geojson, "wgs84")
    if row.boundary is None or not to_shape(row.boundary).equals_exact(to_shape(element), 1e-9):
        row.boundary = element


def check_names(city_ids: list[int], names: list[str]) -> None:
    """Before anything is written: the demo must not take over or collide with real circles."""
    query = select(Circle.name).where(Circle.city_id.in_(city_ids), Circle.synthetic.is_(False), Circle.name.in_(names))
    clash = db.session.scalars(query).all()
    if clash:
        raise DemoConflict(f"已有同名的非演示生活圈，未加载演示数据：{'、'.join(clash)}")


def upsert_areas(cities: dict, circles: list[dict]) -> None:
    city_ids = [city.id for city in cities.values()]
    existing = {
        c.external_id: c
        for c in db.session.scalars(select(Circle).where(Circle.city_id.in_(city_ids), Circle.synthetic.is_(True)))
    }
    wanted = {c["external_id"] for c in circles}
    stale = [c.id for ext, c in existing.items() if ext not in wanted]
    if stale:  # communities go with them (ON DELETE CASCADE)
        db.session.execute(delete(Circle).where(Circle.id.in_(stale)), execution_options={"synchronize_session": False})
    for data in circles:
        circle = existing.get(data["external_id"])
        if circle is None:
            circle = Circle(city_id=cities[data["city"]].id, external_id=data["external_id"], synthetic=True)
            db.session.add(circle)
        for key in CIRCLE_FIELDS:
            setattr(circle, key, data[key])
        _set_boundary(circle, data["boundary"])
        _upsert_communities(circle, data["communities"])
    db.session.flush()


def _upsert_communities(circle: Circle, communities: list[dict]) -> None:
    existing = {c.external_id: c for c in circle.communities if c.synthetic} if circle.id else {}
    wanted = {c["external_id"] for c in communities}
    for ext, community in existing.items():
        if ext not in wanted:
            db.session.delete(community)
    for data in communities:
        community = existing.get(data["external_id"])
        if community is None:
            community = Community(circle=circle, external_id=data["external_id"], synthetic=True)
            db.session.add(community)
        for key in COMMUNITY_FIELDS:
            setattr(community, key, data[key])
        _set_boundary(community, data["boundary"])


def _outlet_values(row: dict) -> dict:
    """The generator's row → Outlet columns, with the derived ones every write path keeps true."""
    values = {key: value for key, value in row.items() if key not in ("lng", "lat")}
    values.setdefault("mobile", False)
    # The demo town's shops have been there since the census two years back, so evaluations of past
    # periods (which read the outlets as they were, outlet_versions) find them too.
    values.setdefault("created_at", datetime(now_local().year - 2, 1, 1, tzinfo=local_zone()))
    values.update(
        location=WKTElement(f"POINT({row['lng']} {row['lat']})", srid=4326),
        name_initials=name_initials(row["name"]),
        open_minutes=week_multirange(row["hours"], row["open_24h"]),
        status="approved",
        synthetic=True,
        photos=[],
        rating_count=0,
        description=None,
    )
    return values


def upsert_outlets(rows: list[dict]) -> None:
    # A Core insert on the table (not the ORM entity) goes out as multi-row INSERTs, one per batch;
    # the ORM's bulk path would split it by which values are NULL, costing thousands of round trips.
    table = Outlet.__table__
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.external_id],
        set_={**{key: stmt.excluded[key] for key in OUTLET_UPDATES}, "updated_at": func.now()},
        # An outlet a merchant has taken over is theirs now: a reload leaves it as they keep it.
        where=table.c.synthetic.is_(True) & table.c.owner_user_id.is_(None),
    )
    values = [_outlet_values(row) for row in rows]
    for start in range(0, len(values), BATCH):
        db.session.execute(stmt, values[start : start + BATCH])


def counts(city_ids: list[int]) -> tuple[int, int, int]:
    circle_ids = select(Circle.id).where(Circle.city_id.in_(city_ids), Circle.synthetic.is_(True))
    return (
        db.session.scalar(select(func.count()).select_from(circle_ids.subquery())),
        db.session.scalar(select(func.count()).where(Community.circle_id.in_(circle_ids), Community.synthetic)),
        db.session.scalar(select(func.count()).where(Outlet.circle_id.in_(circle_ids), Outlet.synthetic.is_(True))),
    )
