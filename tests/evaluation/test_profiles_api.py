"""Standards and scoring profiles are readable in full; Suihua's plan is one of them; staff propose,
the bureau freezes."""

from tests.factories import error_code


def test_suihua_standards_in_full(client):
    body = client.get("/api/v1/standards/suihua").get_json()
    assert body["name_zh"] == "绥化市配置标准" and "seed 004" in body["source"]
    must = {t["code"]: t for t in body["must_have"]}
    # The plan's 13 basic types (菜市场 and 生鲜超市 count together as 菜篮子).
    assert set(must) == {
        "convenience_store", "community_supermarket", "wet_market", "fresh_grocery", "breakfast", "repair",
        "laundry", "barber", "photo_print", "pharmacy", "housekeeping", "parcel_point", "recycling",
    }  # fmt: skip
    assert must["wet_market"]["counts_with"] == ["fresh_grocery"]
    # The plan sets no per-type radius: each radius is the taxonomy's, and says so.
    assert all(t["radius_source"] == "taxonomy" and t["radius_m"] > 0 for t in body["must_have"])
    assert "bookstore" in body["quality"]["encouraged_types"]
    assert body["plan"]["progress_count"] == {"2024": 10 // 2, "2025": 10}
    assert len(body["types"]) > len(body["must_have"])


def test_city_radii_and_thresholds_are_shown(client):
    zhongwei = client.get("/api/v1/standards/zhongwei").get_json()
    store = next(t for t in zhongwei["must_have"] if t["code"] == "convenience_store")
    assert (store["radius_m"], store["radius_source"]) == (500, "city")
    pharmacy = next(t for t in zhongwei["must_have"] if t["code"] == "pharmacy")
    assert pharmacy["counts"]["max_within"] == [2, 500]
    miyun = client.get("/api/v1/standards/miyun").get_json()
    assert miyun["elderly"]["share_60_min"] == 0.25 and miyun["plan"]["targets"]["chain_rate"] == 0.30
    assert next(t for t in miyun["must_have"] if t["code"] == "breakfast")["counts"]["per_people"] == [1, 3000]
    missing = client.get("/api/v1/standards/atlantis")
    assert missing.status_code == 404 and error_code(missing) == "standards_profile_not_found"


def test_scoring_profile_in_full(client):
    body = client.get("/api/v1/scoring-profiles/mofcom-2023").get_json()
    assert len(body["must_have"]) == 15 and body["must_have"][0]["name_zh"] == "便利店"
    assert body["chain_rate_min"] == {"tier1": 0.30, "tier2": 0.25, "other": 0.20}
    assert body["provisional"]["quality"] == 90 and body["grade"]["pass"] == 70
    assert body["service"]["type_satisfaction"]["min_sample_share"] == 0.03
    assert client.get("/api/v1/scoring-profiles/nope").status_code == 404


def test_staff_propose_and_the_bureau_freezes(client, world, make):
    c = world.circle(standards="miyun", population=100)
    c.outlet("convenience_store")
    url = f"/api/v1/staff/circles/{c.id}/evaluation-proposals"
    staff = make.headers(c.staff)
    proposed = client.post(url, json={"period": "2024", "note": "请定档"}, headers=staff)
    assert proposed.status_code == 201, proposed.get_json()
    body = proposed.get_json()
    assert body["period"] == "2024" and body["proposed_by"] == c.staff.id and body["note"] == "请定档"
    assert body["grade"] in ("excellent", "good", "pass", "fail") and body["as_of"] == "2024-12-31"
    assert client.post(url, json={"period": "20x4"}, headers=staff).status_code == 422
    assert client.post(url, json={"period": "2024"}, headers=make.headers(make.user("resident"))).status_code == 403

    bureau = make.headers(make.user("bureau", cities=[c.circle.city]))
    listed = client.get(url, headers=bureau).get_json()
    assert [p["id"] for p in listed["items"]] == [body["id"]] and listed["total"] == 1
    frozen = client.post(f"/api/v1/staff/circles/{c.id}/evaluation-snapshots", json={"period": "2024"}, headers=bureau)
    assert frozen.status_code == 201 and frozen.get_json()["grade"] == body["grade"]
