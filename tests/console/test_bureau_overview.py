"""The console's bureau overview reads its city's evaluation (the city view and ledger answer the bureau)."""

from app.auth.service import create_user


def test_the_bureau_reads_its_city_and_not_another(client, make):
    circle = make.circle()
    other = make.circle(city=make.city(name="别的区"))
    create_user("ju", "correct horse", "bureau", [], "商务局", [circle.city_id])
    client.post("/api/v1/auth/console/login", json={"username": "ju", "password": "correct horse"})
    mine = client.get(f"/api/v1/cities/{circle.city_id}/evaluation")
    assert mine.status_code == 200, mine.get_json()
    assert [c["circle_id"] for c in mine.get_json()["circles"]] == [circle.id]
    assert client.get(f"/api/v1/cities/{other.city_id}/evaluation").status_code == 403


def test_demo_accounts_are_created_once_with_their_passwords_shown_once(app, make, db):
    from sqlalchemy import select

    from app.auth.models import User

    make.circle()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["console", "demo-accounts"])
    assert first.exit_code == 0, first.output
    assert "demo_bureau /" in first.output and "demo_staff /" in first.output
    staff = db.session.scalar(select(User).where(User.username == "demo_staff"))
    bureau = db.session.scalar(select(User).where(User.username == "demo_bureau"))
    assert staff.roles == ["staff"] and len(staff.circles) == 1
    assert bureau.roles == ["bureau"] and bureau.scope_city_ids == [staff.circles[0].city_id]
    again = runner.invoke(args=["console", "demo-accounts"])
    assert again.exit_code == 0 and " / " not in again.output and "exists" in again.output
