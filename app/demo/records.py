"""Database side of the demo's activity (residents, surveys, ratings, needs, projects, events, staff
assessments, repair prices and stall schedules). A re-run deletes what an earlier demo load wrote, found
by its markers, and inserts the new rows in bulk; only the residents are upserted, keeping their ids."""

from geoalchemy2.elements import WKTElement
from sqlalchemy import insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.auth.models import User
from app.common.extensions import db
from app.demands.models import Demand, DemandEvent, DemandSupport, Project, ProjectEvent
from app.demo.context import RESIDENT_PREFIX, SOURCE_CLIENT, STAFF_USERNAME
from app.demo.writer import DemoConflict
from app.outlets.hours import week_multirange
from app.outlets.models import StallSlot
from app.repair.models import RepairOffer
from app.surveys.models import SurveyPeriod

BATCH = 2000
DEMO_MARK = "%演示数据%"  # in descriptions and notes
IN_DEMO_CIRCLES = "circle_id IN (SELECT id FROM circles WHERE city_id = ANY(:cities))"
DEMO_OUTLETS = (
    "outlet_id IN (SELECT id FROM outlets WHERE synthetic AND external_id LIKE 'demo-%' AND owner_user_id IS NULL)"
)
# A reload replaces what an earlier load wrote and nothing else: a demo row that a real person's row
# depends on (a resident's survey answer in a demo period, a "me too" or staff triage on a demo need, a
# real need linked to a demo project, a merchant's reply to a demo rating …) is kept, with that row.
DEMO_PEOPLE = f"(SELECT id FROM users WHERE openid LIKE '{RESIDENT_PREFIX}%' OR id = :staff)"
REAL = f"IS NOT NULL AND {{0}} NOT IN {DEMO_PEOPLE}"
DEMAND_IS_REAL = f"d.source_client IS DISTINCT FROM '{SOURCE_CLIENT}'"
KEEP_DEMAND = f"""
    EXISTS (SELECT 1 FROM demand_supports s WHERE s.demand_id = demands.id AND s.user_id {REAL.format("s.user_id")})
    OR EXISTS (SELECT 1 FROM demand_events e WHERE e.demand_id = demands.id AND e.actor_id {REAL.format("e.actor_id")})
    OR EXISTS (SELECT 1 FROM demands d WHERE d.merged_into_id = demands.id AND {DEMAND_IS_REAL})
    OR EXISTS (SELECT 1 FROM demand_supports s JOIN demands d ON d.id = s.demand_id
               WHERE s.carried_from_id = demands.id AND {DEMAND_IS_REAL})"""
KEEP_PROJECT = f"""
    EXISTS (SELECT 1 FROM demands d WHERE d.project_id = projects.id AND {DEMAND_IS_REAL})
    OR EXISTS (SELECT 1 FROM project_events e WHERE e.project_id = projects.id
               AND e.actor_id {REAL.format("e.actor_id")})"""
KEEP_PERIOD = f"""
    EXISTS (SELECT 1 FROM survey_responses r WHERE r.period_id = survey_periods.id
            AND r.user_id {REAL.format("r.user_id")})"""
KEEP_RATING = f"""
    ratings.reply_user_id {REAL.format("ratings.reply_user_id")}
    OR EXISTS (SELECT 1 FROM rating_reports r WHERE r.rating_id = ratings.id)
    OR EXISTS (SELECT 1 FROM rating_decisions r WHERE r.rating_id = ratings.id)"""
# Order matters: needs and projects hold their circle (ON DELETE RESTRICT), so they go before circles do.
DELETES = [
    f"DELETE FROM demands WHERE source_client = '{SOURCE_CLIENT}' AND {IN_DEMO_CIRCLES} AND NOT ({KEEP_DEMAND})",
    f"DELETE FROM projects WHERE (created_by = :staff OR description LIKE :mark) AND {IN_DEMO_CIRCLES}"
    f" AND NOT ({KEEP_PROJECT})",
    f"DELETE FROM events WHERE (created_by = :staff OR description LIKE :mark) AND {IN_DEMO_CIRCLES}",
    f"DELETE FROM evaluation_assessments WHERE (user_id = :staff OR note LIKE :mark) AND {IN_DEMO_CIRCLES}",
    f"DELETE FROM survey_periods WHERE created_by = :staff AND {IN_DEMO_CIRCLES} AND NOT ({KEEP_PERIOD})",
    f"DELETE FROM ratings WHERE user_id IN (SELECT id FROM users WHERE openid LIKE '{RESIDENT_PREFIX}%')"
    f" AND NOT ({KEEP_RATING})",
    f"DELETE FROM platform_uses WHERE user_id IN (SELECT id FROM users WHERE openid LIKE '{RESIDENT_PREFIX}%')",
    f"DELETE FROM repair_offers WHERE {DEMO_OUTLETS}",
    f"DELETE FROM repair_stall_slots WHERE {DEMO_OUTLETS}",
]


def demo_staff(create: bool = True) -> int:
    """The synthetic staff member's id (no password: nobody can sign in as it); 0 if absent and not created."""
    user = db.session.scalar(select(User).where(User.username == STAFF_USERNAME))
    if user is not None and user.password_hash:
        raise DemoConflict(f"用户名 {STAFF_USERNAME} 已被真实账号使用，未加载演示数据")
    if user is None and not create:
        return 0
    if user is None:
        user = User(username=STAFF_USERNAME, display_name="演示数据（社区工作人员）", roles=["staff"])
        db.session.add(user)
        db.session.flush()
    return user.id


def delete_activity(city_ids: list[int], staff: int) -> None:
    for statement in DELETES:
        db.session.execute(text(statement), {"cities": city_ids, "staff": staff, "mark": DEMO_MARK})


def insert_rows(model, rows: list[dict], skip_existing: bool = False) -> None:
    """Bulk insert; with skip_existing, rows colliding with a unique key (a demo row an earlier load left
    because a real row depends on it) are left out."""
    table = model.__table__
    statement = pg_insert(table).on_conflict_do_nothing() if skip_existing else insert(table)
    for start in range(0, len(rows), BATCH):
        db.session.execute(statement, rows[start : start + BATCH])


def insert_returning_ids(model, rows: list[dict]) -> list[int]:
    table = model.__table__
    ids = []
    for start in range(0, len(rows), BATCH):
        result = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows[start : start + BATCH]
        )
        ids += [row.id for row in result]
    return ids


def upsert_residents(rows: list[dict]) -> list[int]:
    """Ids of the rows' users, in order; residents of an earlier, larger load are deleted."""
    table = User.__table__
    stmt = pg_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.openid],
        set_={key: stmt.excluded[key] for key in ("display_name", "roles", "home_circle_id", "disabled")},
    ).returning(table.c.id, sort_by_parameter_order=True)
    ids = []
    for start in range(0, len(rows), BATCH):
        ids += [row.id for row in db.session.execute(stmt, rows[start : start + BATCH])]
    delete_residents(keep=[row["openid"] for row in rows])
    return ids


def delete_residents(keep: list[str] = ()) -> None:
    db.session.execute(
        # NOT IN a subquery is hashed; NOT = ANY(array) compares each row with every kept openid.
        text("DELETE FROM users WHERE openid LIKE :prefix AND openid NOT IN (SELECT unnest(CAST(:keep AS text[])))"),
        {"prefix": f"{RESIDENT_PREFIX}%", "keep": list(keep)},
    )


def busy_survey_circles(circle_ids: list[int], year: int) -> set[int]:
    """Circles where staff already opened a period overlapping this year: the demo leaves them alone."""
    rows = db.session.execute(
        text("""SELECT DISTINCT circle_id FROM survey_periods WHERE circle_id = ANY(:ids)
                AND starts_on <= make_date(:year, 12, 31) AND ends_on >= make_date(:year, 1, 1)"""),
        {"ids": circle_ids, "year": year},
    )
    return {circle_id for (circle_id,) in rows}


def note_scenarios(names: dict[int, str]) -> None:
    """Says in each circle's profile which made-up year the demo gave it (how well it is run)."""
    note = "演示设定：{}（满意度调查、需求与项目、活动、评定均为程序生成）"
    db.session.execute(
        text(
            "UPDATE circles SET profile = profile || jsonb_build_object('demo_scenario', CAST(:note AS text))"
            " WHERE id = :id"
        ),
        [{"id": circle_id, "note": note.format(name)} for circle_id, name in names.items()],
    )


def survey_periods(rows: list[dict]) -> dict[int, int]:
    return dict(zip([r["circle_id"] for r in rows], insert_returning_ids(SurveyPeriod, rows), strict=True))


def write_repairs(outlet_ids: dict[str, int], offers: dict[str, list[dict]], stalls: list[tuple[dict, list]]):
    """Prices and stall schedules of the synthetic outlets, except those a merchant has taken over."""
    owned = set(
        db.session.scalars(
            text("SELECT id FROM outlets WHERE id = ANY(:ids) AND owner_user_id IS NOT NULL"),
            {"ids": list(outlet_ids.values())},
        )
    )
    outlet_ids = {ext: i for ext, i in outlet_ids.items() if i not in owned}
    offers = {ext: items for ext, items in offers.items() if ext in outlet_ids}
    stalls = [(row, schedule) for row, schedule in stalls if row["external_id"] in outlet_ids]
    insert_rows(
        RepairOffer,
        [
            {"outlet_id": outlet_ids[ext], "service_code": o["code"], "price_min": o["price_min"]}
            | {"price_max": o["price_max"], "unit": o["unit"], "note": o["note"]}
            for ext, items in offers.items()
            for o in items
        ],
    )
    slots = [
        {
            "outlet_id": outlet_ids[row["external_id"]],
            "location": WKTElement(f"POINT({s['lng']} {s['lat']})", srid=4326),
            "address": s["address"],
            "hours": s["hours"],
            "open_minutes": week_multirange(s["hours"], False),
        }
        for row, schedule in stalls
        for s in schedule
    ]
    insert_rows(StallSlot, slots)


def _private(row: dict) -> dict:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def write_needs(projects: list[dict], needs: list[dict], staff: int) -> None:
    """Projects, then needs pointing at them, then each need's supports and timeline."""
    project_ids = insert_returning_ids(Project, projects)
    insert_rows(
        ProjectEvent,
        [
            {"project_id": pid, "actor_id": staff, "action": "created", "changes": {"title": p["title"]}}
            | {"created_at": p["created_at"]}
            for pid, p in zip(project_ids, projects, strict=True)
        ],
    )
    for need in needs:
        need["project_id"] = None if need["_project"] is None else project_ids[need["_project"]]
        need["support_count"] = len(need["_supporters"])
    demand_ids = insert_returning_ids(Demand, [_private(n) for n in needs])
    supports, timeline = [], []
    for demand_id, need in zip(demand_ids, needs, strict=True):
        supports += [{"demand_id": demand_id, "user_id": u, "created_at": at} for u, at in need["_supporters"]]
        for event in need["_timeline"]:
            data = {"project_id": need["project_id"]} if event["data"] == "project" else event["data"]
            timeline.append(event | {"demand_id": demand_id, "data": data})
    insert_rows(DemandSupport, supports)
    insert_rows(DemandEvent, timeline)


def refresh_ratings(city_ids: list[int]) -> None:
    """outlets.rating_avg / rating_count of the demo cities' synthetic outlets, from their visible ratings.
    A correlated subquery per outlet (the ratings index answers it) keeps the plan cheap even before the
    tables have statistics (a fresh test database planned the join form into minutes)."""
    db.session.execute(
        text("""
        UPDATE outlets o SET (rating_avg, rating_count) = (
            SELECT CAST(avg(t.stars) AS float8), count(*) FROM ratings t
            WHERE t.outlet_id = o.id AND t.status = 'visible')
        WHERE o.synthetic AND o.circle_id IN (SELECT id FROM circles WHERE city_id = ANY(:cities))
    """),
        {"cities": city_ids},
    )
