"""Re-running `flask demo load` replaces the demo's rows instead of duplicating them, keeps the ids other
rows point at, and leaves real rows alone; `--if-empty` and name clashes stop it."""

import pytest
from sqlalchemy import func, select, text

from app.auth.models import User
from app.circles.models import Circle, Community
from app.circles.service import find_or_create_city
from app.common.extensions import db
from app.demo import loader
from app.demo.context import RESIDENT_PREFIX
from app.outlets.models import Outlet
from app.ratings.models import Rating

SEED = 7
DEMO_TABLES = {
    "residents": f"SELECT count(*) FROM users WHERE openid LIKE '{RESIDENT_PREFIX}%'",
    "staff": "SELECT count(*) FROM users WHERE username = 'demo-staff'",
    "periods": "SELECT count(*) FROM survey_periods",
    "answers": "SELECT count(*) FROM survey_responses",
    "ratings": "SELECT count(*) FROM ratings",
    "needs": "SELECT count(*) FROM demands",
    "supports": "SELECT count(*) FROM demand_supports",
    "timeline": "SELECT count(*) FROM demand_events",
    "projects": "SELECT count(*) FROM projects",
    "events": "SELECT count(*) FROM events",
    "assessments": "SELECT count(*) FROM evaluation_assessments",
    "offers": "SELECT count(*) FROM repair_offers",
    "slots": "SELECT count(*) FROM repair_stall_slots",
}


def _counts() -> dict:
    return {name: db.session.execute(text(sql)).scalar() for name, sql in DEMO_TABLES.items()}


def _ids(model, *where) -> set[int]:
    return set(db.session.scalars(select(model.id).where(*where)))


def _ratings_consistent() -> bool:
    wrong = db.session.execute(
        text("""SELECT count(*) FROM outlets o LEFT JOIN (
                    SELECT outlet_id, avg(stars) AS avg, count(*) AS n FROM ratings WHERE status = 'visible'
                    GROUP BY outlet_id) r ON r.outlet_id = o.id
                WHERE o.rating_count <> coalesce(r.n, 0)
                   OR abs(coalesce(o.rating_avg, 0) - coalesce(r.avg, 0)) > 1e-9""")
    ).scalar()
    return wrong == 0


def test_rerun_replaces_instead_of_duplicating(db, make):
    loaded = loader.load(seed=SEED)
    residents = User.openid.like(f"{RESIDENT_PREFIX}%")
    before = (_ids(Circle), _ids(Community), _ids(Outlet), _ids(User, residents))
    counts = _counts()
    assert counts["residents"] == loaded.activity.residents and counts["staff"] == 1
    # A real resident's rating of a demo outlet, and a real staff event: not the demo's to delete.
    outlet = db.session.scalar(select(Outlet).where(Outlet.external_id == "demo-miyun-07-0001"))
    real = make.user()
    db.session.add(Rating(outlet_id=outlet.id, user_id=real.id, stars=1, text="", tags=[], photo_ids=[]))
    db.session.execute(
        text("""INSERT INTO events (circle_id, title, theme, location, address, starts_on, ends_on, organiser)
                VALUES (:c, '真实活动', 'food', ST_GeogFromText('POINT(116.84 40.38)'), '', now(), now(), '街道')"""),
        {"c": outlet.circle_id},
    )
    db.session.flush()

    again = loader.load(seed=SEED)
    assert (_ids(Circle), _ids(Community), _ids(Outlet), _ids(User, residents)) == before  # same rows, same ids
    assert _counts() == {**counts, "ratings": counts["ratings"] + 1, "events": counts["events"] + 1}
    assert again.activity == loaded.activity
    assert db.session.scalar(select(func.count()).where(Rating.user_id == real.id)) == 1
    assert _ratings_consistent()

    other = loader.load(seed=SEED + 1, per_10k=40)
    assert (other.circles, other.communities) == (loaded.circles, loaded.communities) and _ids(Circle) == before[0]
    assert other.outlets < again.outlets == loaded.outlets
    assert db.session.scalar(select(func.count()).select_from(Outlet)) == other.outlets
    assert db.session.scalar(select(func.count()).where(Outlet.circle_id.is_(None))) == 0
    now = _counts()
    assert now["residents"] == other.activity.residents and now["staff"] == 1
    assert now["ratings"] == other.activity.ratings + 1 and now["events"] == other.activity.events + 1
    assert (now["needs"], now["projects"]) == (other.activity.needs, other.activity.projects)
    assert _ratings_consistent()


def test_places_only_is_the_year_before_anyone_used_the_platform(db):
    bare = loader.load(seed=SEED, per_10k=30, places_only=True)  # what the mini-program's tests start from
    assert bare.activity is None and bare.circles == 45 and bare.outlets > 1500
    assert _counts() == dict.fromkeys(DEMO_TABLES, 0)  # no residents, no demo staff, no prices, no stalls
    assert not any("demo_scenario" in c.profile for c in db.session.scalars(select(Circle)))
    assert db.session.scalar(select(func.count()).where(Outlet.mobile | (Outlet.rating_count > 0))) == 0


def test_if_empty_skips_when_circles_exist(db, make):
    make.circle(name="已有的生活圈")
    assert loader.load(if_empty=True).skipped
    assert db.session.scalar(select(func.count()).select_from(Circle)) == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_cli_loads_then_skips_with_if_empty(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty", "--outlets-per-10k", "20"])
    assert first.exit_code == 0 and "45 circles" in first.output, first.output
    assert "survey answers" in first.output and "exemplary" in first.output
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert second.exit_code == 0 and "not loaded" in second.output


def test_a_real_circle_with_a_demo_name_stops_the_load(db, make):
    from app.demo.writer import DemoConflict

    city = find_or_create_city(**loader.CITIES["miyun"])
    make.circle(city=city, name="檀城社区生活圈")
    with pytest.raises(DemoConflict, match="檀城社区生活圈"):
        loader.load()
    assert db.session.scalar(select(func.count()).select_from(Circle)) == 1


def test_a_real_account_named_like_the_demo_staff_stops_the_load(db):
    from app.demo.writer import DemoConflict

    db.session.add(User(username="demo-staff", password_hash="argon2-hash", roles=["staff"]))
    db.session.flush()
    with pytest.raises(DemoConflict, match="demo-staff"):
        loader.load()
    assert db.session.scalar(select(func.count()).select_from(Circle)) == 0


def test_rerun_never_deletes_or_changes_what_real_people_did(db, make):
    """A resident's survey answer in a demo period, a "me too" and a staff note on a demo need, a real
    need in a demo project, a merchant's reply to a demo rating: all survive a reload, with the demo
    rows they stand on."""
    from app.demands.models import Demand, DemandEvent, DemandSupport, Project
    from app.demo.context import SOURCE_CLIENT
    from app.surveys.models import SurveyPeriod, SurveyResponse

    loader.load(seed=SEED, per_10k=20)
    staff = db.session.scalar(select(User.id).where(User.username == "demo-staff"))
    period = db.session.scalar(select(SurveyPeriod).where(SurveyPeriod.created_by == staff).limit(1))
    need = db.session.scalar(select(Demand).where(Demand.source_client == SOURCE_CLIENT).limit(1))
    project = db.session.scalar(select(Project).where(Project.created_by == staff).limit(1))
    rating = db.session.scalar(
        select(Rating).where(Rating.user_id.in_(select(User.id).where(User.openid.like(f"{RESIDENT_PREFIX}%"))))
    )
    resident, officer, merchant = make.user(), make.user("staff"), make.user("merchant")
    answer = SurveyResponse(
        period_id=period.id,
        circle_id=period.circle_id,
        user_id=resident.id,
        type_satisfaction=2,
        service_satisfaction=3,
    )
    db.session.add_all([answer, DemandSupport(demand_id=need.id, user_id=resident.id)])
    db.session.add(
        DemandEvent(
            demand_id=need.id, actor_id=officer.id, actor_role="staff", action="note", public=False, note="已电话回访"
        )
    )
    own = Demand(
        kind="missing_type",
        business_type="breakfast",
        text="真实居民的需求",
        address="",
        location=need.location,
        circle_id=project.circle_id,
        user_id=resident.id,
        project_id=project.id,
        status="accepted",
    )
    db.session.add(own)
    rating.reply_text, rating.reply_user_id = "谢谢您的评价", merchant.id
    db.session.flush()
    kept = {"period": period.id, "need": need.id, "project": project.id, "rating": rating.id}
    real = {"answer": answer.id, "own": own.id}

    loader.load(seed=SEED, per_10k=20)
    db.session.expire_all()
    assert db.session.get(SurveyPeriod, kept["period"]) is not None
    assert db.session.get(SurveyResponse, real["answer"]).type_satisfaction == 2
    assert db.session.get(DemandSupport, (kept["need"], resident.id)) is not None
    assert db.session.scalar(select(func.count()).where(DemandEvent.actor_id == officer.id)) == 1
    assert db.session.get(Demand, real["own"]).project_id == kept["project"]
    assert db.session.get(Rating, kept["rating"]).reply_text == "谢谢您的评价"
    assert _ratings_consistent()
