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
