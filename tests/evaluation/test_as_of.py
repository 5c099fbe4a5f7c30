"""The past as it was: every outlet write leaves a dated version; evaluations of past periods read the
outlets as they were at the period's end; imports carry the date the census describes."""

from datetime import date, datetime

from sqlalchemy import select, text

from app.common.clock import local_zone, now_local
from app.evaluation import service as evaluation
from app.evaluation.profiles import get_profile
from app.outlets.importer import effective_as_of
from app.outlets.models import Outlet, OutletVersion
from tests.transactions import commit

BASIC = get_profile("mofcom-2023").presence["basic_types"]

HEADER = "external_id,name,types,lng,lat,coord,address,phone,hours,chain,online\n"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=local_zone())


def versions(db, outlet_id):
    db.session.expire_all()
    query = select(OutletVersion).where(OutletVersion.outlet_id == outlet_id).order_by(OutletVersion.valid_from)
    return list(db.session.scalars(query))


def test_each_write_leaves_a_dated_version(world, db):
    c = world.circle()
    outlet = c.outlet("breakfast", created_at=local(2025, 3, 1))
    [opened] = versions(db, outlet.id)
    assert (opened.valid_from, opened.valid_to, opened.types, opened.status) == (
        local(2025, 3, 1),
        None,
        ["breakfast"],
        "approved",
    )
    with effective_as_of(date(2025, 9, 1)):
        outlet.types = ["breakfast", "convenience_store"]
        db.session.flush()
    with effective_as_of(date(2026, 1, 10)):
        outlet.status = "closed"
        db.session.flush()
    outlet.rating_avg, outlet.rating_count = 4.5, 2  # not something the evaluation reads: no version
    db.session.flush()
    rows = versions(db, outlet.id)
    assert [(v.valid_from, v.valid_to) for v in rows] == [
        (local(2025, 3, 1), local(2025, 9, 1)),
        (local(2025, 9, 1), local(2026, 1, 10)),
        (local(2026, 1, 10), None),
    ]
    assert [v.types for v in rows][1] == ["breakfast", "convenience_store"] and rows[2].status == "closed"
    # The setting does not outlive the block: a later change is dated now.
    outlet.name = "改名后的早点"
    db.session.flush()
    assert versions(db, outlet.id)[-1].valid_from.date() >= now_local().date().replace(day=1)
    assert db.session.scalar(text("SELECT current_setting('app.outlets_as_of', true)")) == ""


def test_deleting_erases_while_closing_is_history(world, db):
    c = world.circle()
    wrong, closed = (c.outlet("pharmacy", created_at=local(2024, 1, 1)) for _ in range(2))
    wrong_id = wrong.id
    db.session.delete(wrong)
    closed.status = "closed"
    db.session.flush()
    assert versions(db, wrong_id) == []  # a deleted row never counted in any period
    assert [v.status for v in versions(db, closed.id)] == ["approved", "closed"]


def test_freezing_last_year_does_not_count_outlets_opened_this_year(world, db):
    c = world.circle()
    year = now_local().year
    for code in BASIC:
        c.outlet(code, created_at=local(year - 1, 1, 1))
    late = c.outlet("bakery", created_at=local(year, 1, 15))  # opened this year
    gone = c.outlet("florist", created_at=local(year - 3, 1, 1))
    with effective_as_of(date(year - 1, 6, 30)):
        gone.status = "closed"  # closed in the middle of last year
        db.session.flush()
    now = evaluation.evaluate_circle(c.id, use_cache=False)
    past = evaluation.evaluate_circle(c.id, at=date(year - 1, 12, 31), use_cache=False)
    assert "bakery" in now["presence"]["quality"]["present"]
    assert "bakery" not in past["presence"]["quality"]["present"]
    assert "florist" not in past["presence"]["quality"]["present"]
    before_closing = evaluation.evaluate_circle(c.id, at=date(year - 1, 3, 31), use_cache=False)
    assert "florist" in before_closing["presence"]["quality"]["present"]
    assert late.id not in {i for ids in past["presence"]["basic"]["evidence"].values() for i in ids}


def test_frozen_period_uses_the_outlets_of_that_period(world, client, make, db):
    c = world.circle()
    year = now_local().year
    c.outlet("breakfast", created_at=local(year, 2, 1))
    commit()
    headers = make.headers(make.user("bureau", cities=[c.circle.city]))  # the bureau freezes official grades
    url = f"/api/v1/staff/circles/{c.id}/evaluation-snapshots"
    frozen = client.post(url, json={"period": str(year - 1)}, headers=headers)
    assert frozen.status_code == 201, frozen.get_json()
    body = frozen.get_json()
    assert body["as_of"] == f"{year - 1}-12-31" and "breakfast" not in body["result"]["presence"]["basic"]["present"]
    live = client.post(url, json={"period": f"{year}-H2"}, headers=headers).get_json()
    assert "breakfast" in live["result"]["presence"]["basic"]["present"]


def test_import_as_of_dates_openings_and_changes(app, world, db, tmp_path):
    c = world.circle()
    lng, lat = c.at(0, 0)
    first = tmp_path / "census-2025.csv"
    first.write_text(HEADER + f"CENSUS-1,老街早点,breakfast,{lng},{lat},wgs84,,,,0,0\n", encoding="utf-8")
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["outlets", "import", str(first), "--as-of", "2025-06-30"])
    assert ok.exit_code == 0, ok.output
    outlet = db.session.scalar(select(Outlet).where(Outlet.external_id == "CENSUS-1"))
    second = tmp_path / "census-2026.csv"
    second.write_text(HEADER + f"CENSUS-1,老街早点,breakfast|bakery,{lng},{lat},wgs84,,,,0,0\n", encoding="utf-8")
    assert runner.invoke(args=["outlets", "import", str(second), "--as-of", "2026-01-01"]).exit_code == 0
    rows = versions(db, outlet.id)
    assert [(v.valid_from, v.types) for v in rows] == [
        (local(2025, 6, 30), ["breakfast"]),
        (local(2026, 1, 1), ["breakfast", "bakery"]),
    ]
    future = runner.invoke(args=["outlets", "import", str(second), "--as-of", f"{now_local().year + 1}-01-01"])
    assert future.exit_code != 0 and "as_of" in future.output
    bad = runner.invoke(args=["outlets", "import", str(second), "--as-of", "yesterday"])
    assert bad.exit_code != 0


def test_staff_read_an_outlets_history(world, client, make, db):
    c = world.circle()
    outlet = c.outlet("breakfast", created_at=local(2025, 3, 1))
    with effective_as_of(date(2025, 9, 1)):
        outlet.status = "closed"
        db.session.flush()
    other = world.circle()
    commit()
    url = f"/api/v1/staff/outlets/{outlet.id}/history?coord=wgs84"
    body = client.get(url, headers=make.headers(c.staff)).get_json()
    assert body["outlet_id"] == outlet.id
    assert [(v["status"], v["valid_from"][:10], (v["valid_to"] or "")[:10]) for v in body["items"]] == [
        ("approved", "2025-03-01", "2025-09-01"),
        ("closed", "2025-09-01", ""),
    ]
    assert body["items"][0]["types"] == ["breakfast"] and abs(body["items"][0]["location"]["lat"] - c.center[1]) < 0.01
    assert client.get(url, headers=make.headers(other.staff)).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(url, headers=make.headers(make.user("resident"))).status_code == 403
    missing = client.get("/api/v1/staff/outlets/999999/history", headers=make.headers(c.staff))
    assert missing.status_code == 404


def test_same_day_services_and_stalls_are_read_as_they_were_too(world):
    from app.repair import service as repair

    c = world.circle(population=100)
    year = now_local().year
    opened = local(year, 2, 1)
    online = c.outlet("breakfast", dx=4000, dy=0, on_site_service=True, service_circle_ids=[c.id], created_at=opened)
    stall = c.outlet("repair", dx=6000, dy=0, mobile=True, created_at=opened)
    repair.set_schedule(
        stall, [{"lng": c.at(100, 100)[0], "lat": c.at(100, 100)[1], "hours": {"sun": [["08:00", "11:00"]]}}]
    )
    c.offers(stall, "key_cutting")
    now = evaluation.evaluate_circle(c.id, use_cache=False)["presence"]["basic"]["evidence"]
    assert (now["breakfast"], now["repair"]) == ([online.id], [stall.id])
    past = evaluation.evaluate_circle(c.id, at=date(year - 1, 12, 31), use_cache=False)["presence"]["basic"]
    assert {"breakfast", "repair"} <= set(past["missing"])
