"""The demo's live year (default seed, loaded once for the module): residents, survey answers, ratings,
needs and projects, events, staff assessments, breakfast kinds, add-ons and repair prices, so the live
evaluation rates some circles 3, 4 and 5 stars and leaves others unrated, with real evidence."""

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select, text

from app.auth.models import User
from app.circles.models import City
from app.common.clock import now_local
from app.demo import loader
from app.demo.context import RESIDENT_PREFIX, SOURCE_CLIENT
from app.demo.enrich import EXTRA_ADD_ONS
from app.evaluation.profiles import get_profile
from app.outlets.models import Outlet, StallSlot
from app.repair.models import RepairOffer
from app.surveys.results import circle_results


@pytest.fixture(scope="module")
def live(shared_db):
    return loader.load()  # the default seed: what `make run` shows


def _sql(query, **params):
    from app.common.extensions import db

    return db.session.execute(text(query), params)


def _session():
    from app.common.extensions import db

    return db.session


def test_counts_and_every_row_marked_as_demo(live):
    a = live.activity
    assert 6000 <= a.residents <= 14000 and a.survey_answers < a.residents
    assert a.ratings > 4000 and a.needs > 150 and a.projects > 30 and 100 <= a.events <= 45 * 9
    assert a.assessments > 50 and set(a.scenarios) == {"exemplary", "solid", "ordinary", "lagging", "starting"}
    users = _session().scalars(select(User)).all()
    residents = [u for u in users if u.openid and u.openid.startswith(RESIDENT_PREFIX)]
    assert len(residents) == a.residents and all(u.roles == ["resident"] and u.home_circle_id for u in residents)
    (staff,) = [u for u in users if u.username == "demo-staff"]
    others = [u for u in users if u.username not in ("demo-staff", "demo-test-admin") and u not in residents]
    assert staff.password_hash is None and others == []
    assert _sql("SELECT count(*) FROM demands WHERE source_client <> :m", m=SOURCE_CLIENT).scalar() == 0
    assert _sql("SELECT count(*) FROM projects WHERE description NOT LIKE '%演示数据%'").scalar() == 0
    assert _sql("SELECT count(*) FROM events WHERE description NOT LIKE '%演示数据%'").scalar() == 0
    assert _sql("SELECT count(*) FROM evaluation_assessments WHERE note NOT LIKE '演示数据%'").scalar() == 0
    assert _sql("SELECT count(*) FROM survey_periods WHERE created_by <> :s", s=staff.id).scalar() == 0
    notes = [n for (n,) in _sql("SELECT profile->>'demo_scenario' FROM circles")]
    assert len(notes) == 45 and all(n.startswith("演示设定") for n in notes)


def test_events_this_year_vary_from_none_to_eight(live):
    today = now_local().date()
    held = dict(
        _sql(
            """SELECT c.id, count(e.id) FILTER (WHERE e.starts_on BETWEEN :jan1 AND :today) FROM circles c
               LEFT JOIN events e ON e.circle_id = c.id GROUP BY c.id""",
            jan1=date(today.year, 1, 1),
            today=today,
        ).all()
    )
    assert len(held) == 45 and min(held.values()) == 0 and 6 <= max(held.values()) <= 8
    assert len(set(held.values())) >= 6


def test_outlets_list_breakfast_kinds_add_ons_and_terminals(live):
    service = get_profile(None).service["store_breakfast"]
    outlets = _session().scalars(select(Outlet)).all()
    breakfast = [o for o in outlets if o.types[0] == "breakfast"]
    assert breakfast and all(set(o.services) & set(service["breakfast_items"]) for o in breakfast)
    stores = [o for o in outlets if "convenience_store" in o.types]
    extra = Counter(code for o in stores for code in o.services if code in EXTRA_ADD_ONS)
    assert set(extra) == set(EXTRA_ADD_ONS) and set(EXTRA_ADD_ONS) <= set(service["add_ons"])
    assert any("parcel_locker" in o.services for o in outlets if "property_service" in o.types)


def test_repair_outlets_show_prices_and_stalls_keep_a_schedule(live):
    repair = _session().scalars(select(Outlet).where(Outlet.types.contains(["repair"]))).all()
    offers = _session().scalars(select(RepairOffer)).all()
    by_outlet = Counter(o.outlet_id for o in offers)
    assert all(by_outlet[o.id] >= 1 for o in repair) and len({o.service_code for o in offers}) == 14
    assert all(o.price_min > 0 and (o.price_max is None or o.price_max >= o.price_min) for o in offers)
    assert sum(by_outlet.values()) / len(repair) > 2.5  # several kinds each
    stalls = [o for o in repair if o.mobile]
    assert len(stalls) == 6 and all(o.synthetic for o in stalls)
    slots = _session().scalars(select(StallSlot)).all()
    assert {s.outlet_id for s in slots} == {o.id for o in stalls} and all(s.hours and s.open_minutes for s in slots)


def test_outlet_ratings_match_the_ratings(live):
    rows = _sql("""SELECT o.rating_avg, o.rating_count, r.avg, coalesce(r.n, 0) FROM outlets o
                   LEFT JOIN (SELECT outlet_id, avg(stars)::float8 AS avg, count(*) AS n FROM ratings
                              WHERE status = 'visible' GROUP BY outlet_id) r ON r.outlet_id = o.id""").all()
    assert all(count == n and (avg is None) == (ravg is None) for avg, count, ravg, n in rows)
    assert all(abs(avg - ravg) < 1e-9 for avg, _, ravg, _ in rows if avg is not None)
    rated = sum(1 for _, count, _, _ in rows if count)
    assert 0.25 < rated / len(rows) < 0.45


def test_survey_samples_and_satisfaction_vary_by_circle(live):
    stats = circle_results([cid for (cid,) in _sql("SELECT id FROM circles")], now_local().date()).values()
    valid = [s for s in stats if s.sample_valid]
    small = [s for s in stats if not s.sample_valid]
    assert small and all(0 <= s.responses < s.sample_required for s in small)
    shares = [min(s.type_satisfied_share, s.service_satisfied_share) for s in valid]
    assert any(x >= 0.9 for x in shares) and any(0.8 <= x < 0.9 for x in shares) and any(x < 0.8 for x in shares)


def test_needs_supports_and_projects_hang_together(live):
    assert (
        _sql("""SELECT count(*) FROM demands d WHERE support_count <>
                (SELECT count(*) FROM demand_supports s WHERE s.demand_id = d.id)""").scalar()
        == 0
    )
    first = _sql("""SELECT DISTINCT ON (demand_id) action FROM demand_events ORDER BY demand_id, created_at, id""")
    assert {action for (action,) in first} == {"submitted"}
    linked = _sql("""SELECT p.status, d.status, count(*) FROM demands d JOIN projects p ON p.id = d.project_id
                     GROUP BY 1, 2""").all()
    assert {(p, d) for p, d, _ in linked} <= {("done", "done"), ("in_progress", "in_progress"), ("planned", "accepted")}
    assert (
        _sql("SELECT count(*) FROM projects WHERE status = 'done' AND actual_end > :t", t=now_local().date()).scalar()
        == 0
    )
    statuses = {s for (s,) in _sql("SELECT DISTINCT status FROM demands")}
    assert {"submitted", "accepted", "in_progress", "done", "rejected"} <= statuses
    answers = {a for (a,) in _sql("SELECT DISTINCT confirmation_answer FROM demands WHERE status = 'done'")}
    assert "yes" in answers


def _city_rows(api, headers) -> list[dict]:
    rows = []
    for city in _session().scalars(select(City).order_by(City.id)):
        response = api.get(f"/api/v1/cities/{city.id}/evaluation", headers=headers)
        assert response.status_code == 200, response.get_json()
        rows += response.get_json()["circles"]
    return rows


def test_grades_spread_over_three_four_and_five_stars_and_unrated(live, api, admin_headers):
    rows = _city_rows(api, admin_headers)
    stars = Counter(row["stars"] for row in rows)
    assert len(rows) == 45 and stars[3] >= 1 and stars[4] >= 1 and 3 <= stars[5] <= 12 and stars[0] >= 10
    assert all((row["stars"] == 0) == (row["final_type"] is None) for row in rows)
    types = Counter(row["provisional_type"] for row in rows)
    assert types["improved"] >= 2 and types["basic"] >= 1 and types["quality"] >= 30
    unrated = [row for row in rows if row["stars"] == 0]
    assert any("不合格" in row["not_rated_reason"] for row in unrated)
    assert any("有没有" in row["not_rated_reason"] for row in unrated)  # below 基础型 whatever its service


def test_a_rated_demo_circle_shows_real_evidence(live, api, admin_headers):
    row = next(r for r in _city_rows(api, admin_headers) if r["stars"] == 3)
    response = api.get(f"/api/v1/circles/{row['circle_id']}/evaluation", headers=admin_headers)
    body = response.get_json()
    assert response.status_code == 200 and body["detail"] == "full" and body["grade"] != "fail"
    assert body["inputs"] == {"demands": "ok", "surveys": "ok", "events": "ok", "repair": "ok"}
    items = {item["no"]: item for item in body["service"]["items"]}
    needs = items[1]["evidence"]
    assert needs["accepted"] > 0 and needs["projects"] > 0 and items[1]["points"] >= 4
    survey = items[2]["evidence"]
    assert survey["sample_valid"] and survey["responses"] >= survey["sample_needed"] > 0
    assert survey["satisfied_share"] >= 0.8 and "满意度调查" in survey["period"]["title"]
    stores, variety = items[4]["evidence"]["parts"][:2]
    assert stores["add_on_kind_count"] >= 3 and variety["variety"] == len(variety["observed_items"]) >= 2
    market, repair = items[5]["evidence"]["parts"]
    assert repair["kind_count"] >= 5 and repair["points"] > 0
    assert market["assessment"]["note"].startswith("演示数据")
    assert items[8]["evidence"]["events"] == items[8]["points"] > 0
    assert items[10]["source"] == "staff" and items[10]["evidence"]["note"].startswith("演示数据")
