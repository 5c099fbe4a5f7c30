"""A city's tier and profiles: set by its bureau or an admin (API), the CLI or an import; audited; the
city's circles are re-evaluated."""

import json

import pytest

from app.audit.models import AuditEntry
from app.circles.models import City
from tests.factories import MIYUN, error_code, square


@pytest.fixture
def town(make):
    circle = make.circle(center=MIYUN, name="檀营生活圈")
    elsewhere = make.circle(center=(MIYUN[0] + 0.2, MIYUN[1]))
    return circle, make.user("bureau", cities=[circle.city]), make.user("bureau", cities=[elsewhere.city])


def _chain_item(client, make, circle, user):
    body = client.get(f"/api/v1/circles/{circle.id}/evaluation", headers=make.headers(user)).get_json()
    return next(i for i in body["service"]["items"] if i["no"] == 7)


def test_bureau_sets_tier_and_profiles_and_the_city_is_re_evaluated(client, make, db, town):
    circle, bureau, other_bureau = town
    url = f"/api/v1/cities/{circle.city_id}/settings"
    shown = client.get(url, headers=make.headers(bureau)).get_json()
    assert shown["tier"] == "other" and shown["chain_rate_min"] == pytest.approx(0.20)
    before = _chain_item(client, make, circle, bureau)  # cached now
    assert before["evidence"]["threshold"] == pytest.approx(0.20)

    changed = client.patch(
        url, json={"tier": "tier2", "standards_profile": "suihua", "reason": "省定二线"}, headers=make.headers(bureau)
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["chain_rate_min"] == pytest.approx(0.25)
    assert changed.get_json()["standards_profile"] == "suihua"
    after = _chain_item(client, make, circle, bureau)
    assert after["evidence"]["threshold"] == pytest.approx(0.25)  # the cached result was dropped

    entry = db.session.query(AuditEntry).filter_by(city_id=circle.city_id, action="city_settings_changed").one()
    assert entry.actor_user_id == bureau.id and entry.reason == "省定二线"
    assert entry.before["tier"] == "other" and entry.after["tier"] == "tier2" and entry.after["source"] == "api"


def test_who_may_change_a_city(client, make, db, town):
    circle, bureau, other_bureau = town
    url = f"/api/v1/cities/{circle.city_id}/settings"
    staff = make.user("staff", circles=[circle])
    assert client.patch(url, json={"tier": "tier1"}).status_code == 401
    denied = client.patch(url, json={"tier": "tier1"}, headers=make.headers(staff))
    assert denied.status_code == 403 and error_code(denied) == "role_forbidden"
    outside = client.patch(url, json={"tier": "tier1"}, headers=make.headers(other_bureau))
    assert outside.status_code == 403 and error_code(outside) == "out_of_scope"
    admin = make.user("admin")
    assert client.patch(url, json={"tier": "tier1"}, headers=make.headers(admin)).status_code == 200
    for bad in ({"tier": "tier9"}, {"standards_profile": "atlantis"}, {"scoring_profile": "nope"}, {"x": 1}):
        response = client.patch(url, json=bad, headers=make.headers(admin))
        assert response.status_code == 422, bad
    missing = client.get("/api/v1/cities/999999/settings", headers=make.headers(admin))
    assert missing.status_code == 404 and error_code(missing) == "city_not_found"


def test_cli_sets_a_city(app, db, town):
    circle, _, _ = town
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cities", "set", circle.city.name, "--tier", "tier1", "--reason", "测试"])
    assert result.exit_code == 0, result.output
    assert "30%" in result.output
    db.session.expire_all()
    assert db.session.get(City, circle.city_id).tier == "tier1"
    bad = runner.invoke(args=["cities", "set", circle.city.name, "--standards-profile", "atlantis"])
    assert bad.exit_code != 0 and "配置标准不存在" in bad.output
    entry = db.session.query(AuditEntry).filter_by(city_id=circle.city_id).one()
    assert entry.actor_user_id is None and entry.after["source"] == "cli"


def test_import_properties_set_the_city(app, db, tmp_path):
    def feature(name, lng, **props):
        return {
            "type": "Feature",
            "properties": {"name": name, "city": "绥化测试市", **props},
            "geometry": square(lng, 46.65, 400),
        }

    path = tmp_path / "plan.geojson"
    features = [
        feature("北林一圈", 126.97, tier="tier2", standards_profile="suihua"),
        feature("北林二圈", 126.99, tier="tier2"),
        feature("北林三圈", 127.01, tier="tier1"),  # contradicts the first feature: refused with a reason
        feature("北林四圈", 127.03, standards_profile="atlantis"),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    result = app.test_cli_runner().invoke(args=["circles", "import", str(path)])
    assert "features[2]" in result.output and "features[0]" in result.output
    assert "features[3]" in result.output and "配置标准不存在" in result.output
    city = db.session.query(City).filter_by(name="绥化测试市").one()
    assert (city.tier, city.standards_profile) == ("tier2", "suihua")
    entries = db.session.query(AuditEntry).filter_by(city_id=city.id).all()
    assert len(entries) == 1 and entries[0].after["source"] == "import"

    path.write_text(json.dumps({"type": "FeatureCollection", "features": features[:2]}, ensure_ascii=False))
    again = app.test_cli_runner().invoke(
        args=["circles", "import", str(path), "--city", "绥化测试市", "--scoring-profile", "nope"]
    )
    assert again.exit_code != 0
