"""Frozen assessments keep their profile version and result; the Redis cache and its invalidation."""

import dataclasses
from datetime import date, datetime

import pytest
import redis as redis_lib
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.common.clock import local_zone, now_local
from app.evaluation import cache, invalidation, profiles
from app.evaluation.presence import quality_types
from app.evaluation.profiles import get_profile
from app.outlets.importer import effective_as_of

BASIC = get_profile("mofcom-2023").presence["basic_types"]


@pytest.fixture
def lenient(monkeypatch):
    """A profile where every 好不好 score passes, so the type follows the presence score alone."""
    original = get_profile("mofcom-2023")
    patched = dataclasses.replace(original, grade={"excellent": 0, "good": 0, "pass": 0})

    def use(profile):
        monkeypatch.setattr(profiles, "scoring_profiles", lambda: {profile.code: profile})
        return profile

    use(patched)
    return use


def freeze(client, c, headers, period):
    response = client.post(
        f"/api/v1/staff/circles/{c.id}/evaluation-snapshots", json={"period": period}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_types_go_up_and_down_and_old_results_stay(client, world, make, lenient):
    c = world.circle()
    headers = make.headers(make.user("bureau", cities=[c.circle.city]))
    year = now_local().year
    for code in BASIC[:13] + quality_types()[:16]:
        c.outlet(code)
    first = freeze(client, c, headers, str(year - 2))
    assert (first["presence_score"], first["final_type"], first["stars"]) == (84, "improved", 4)
    opened = datetime(year - 1, 1, 1, tzinfo=local_zone())
    extra = [c.outlet(code, created_at=opened) for code in quality_types()[16:19]]
    second = freeze(client, c, headers, str(year - 1))
    assert (second["presence_score"], second["final_type"], second["stars"]) == (90, "quality", 5)
    with effective_as_of(date(year, 1, 1)):  # closed at new year: gone by the end of H1
        for outlet in extra:
            outlet.status = "closed"
        c.db.session.flush()
    third = freeze(client, c, headers, f"{year}-H1")
    assert third["stars"] == 4

    # A new profile version (stricter thresholds) changes live results, never the frozen ones.
    strict = dataclasses.replace(
        get_profile("mofcom-2023"), version=2, digest="f" * 64, provisional={"quality": 95, "improved": 85, "basic": 75}
    )
    lenient(strict)
    invalidation.invalidate_circle(c.id)
    live = client.get(f"/api/v1/circles/{c.id}/evaluation", headers=headers).get_json()
    assert live["profile_version"] == strict.tag and live["provisional_type"] == "basic"
    history = client.get(f"/api/v1/circles/{c.id}/evaluation-history", headers=headers).get_json()["items"]
    assert [h["change"] for h in history] == ["first", "up", "down"]
    assert [h["stars"] for h in history] == [4, 5, 4]
    assert {h["profile_version"] for h in history} == {first["profile_version"]} != {strict.tag}
    assert history[1]["result"]["provisional_type"] == "quality" and history[1]["result"]["period"] == str(year - 1)


def test_evaluation_is_cached_until_invalidated(client, world, make, redis):
    c = world.circle()
    headers = make.headers(c.staff)
    url = f"/api/v1/circles/{c.id}/evaluation"
    c.outlet("convenience_store")
    first = client.get(url, headers=headers).get_json()
    assert first["presence"]["basic"]["present"] == ["convenience_store"]
    assert 0 < redis.ttl(cache.circle_key(c.id)) <= cache.TTL_S
    c.outlet("breakfast")  # written behind the evaluation's back: the cached result stands
    assert client.get(url, headers=headers).get_json()["computed_at"] == first["computed_at"]
    invalidation.invalidate_circle(c.id)
    again = client.get(url, headers=headers).get_json()
    assert again["presence"]["basic"]["present"] == ["convenience_store", "breakfast"]
    # A staff assessment invalidates by itself.
    c.assess("harmony", level="full")
    assert client.get(url, headers=headers).get_json()["service"]["items"][9]["points"] == 8


def test_city_view_cache_and_invalidation(client, world, make, redis):
    c = world.circle()
    admin = make.headers(make.user("admin"))
    url = f"/api/v1/cities/{c.circle.city_id}/evaluation"
    assert client.get(url, headers=admin).get_json()["circles"][0]["presence_score"] == 0
    c.outlet("convenience_store")
    assert client.get(url, headers=admin).get_json()["circles"][0]["presence_score"] == 0
    assert client.get(f"{url}?fresh=1", headers=admin).get_json()["circles"][0]["presence_score"] == 4
    c.outlet("breakfast")
    invalidation.invalidate_city(c.circle.city_id)
    assert not redis.exists(cache.circle_key(c.id)) and not redis.exists(cache.city_key(c.circle.city_id))
    assert client.get(url, headers=admin).get_json()["circles"][0]["presence_score"] == 8
    c.outlet("barber")
    invalidation.invalidate_circle(c.id)  # drops the city's view too
    assert client.get(url, headers=admin).get_json()["circles"][0]["presence_score"] == 12


def test_works_without_redis(client, world, make, monkeypatch):
    c = world.circle()
    c.outlet("convenience_store")
    dead = redis_lib.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(cache, "get_redis", lambda: dead)
    response = client.get(f"/api/v1/circles/{c.id}/evaluation", headers=make.headers(c.staff))
    assert response.status_code == 200 and response.get_json()["presence"]["score"] == 4
    invalidation.invalidate_circle(c.id)  # logged, not raised
