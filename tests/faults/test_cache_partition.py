"""An evaluation cache invalidation lost to a Redis partition does not leave a stale result behind.

The outlet change commits while the app cannot reach Redis (so dropping the cached entry fails); when
the partition heals the old entry is still in Redis, yet the next evaluation shows the change: the
circle's `evaluation_version`, bumped in PostgreSQL in the change's own transaction, names the entries.
"""

from app.circles.models import Circle
from app.evaluation import cache
from app.outlets.service import apply_fields
from tests.factories import MIYUN
from tests.transactions import commit


def _evaluation(client, headers, circle):
    response = client.get(f"/api/v1/circles/{circle.id}/evaluation", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_change_during_a_redis_partition_is_seen_after_it_heals(app, client, make, db, redis, monkeypatch):
    circle = make.circle(center=MIYUN)
    outlet = make.outlet(*MIYUN, types=["convenience_store"])
    commit()
    headers = make.headers(make.user("admin"))
    version = db.session.get(Circle, circle.id).evaluation_version

    before = _evaluation(client, headers, circle)
    assert outlet.id in before["presence"]["basic"]["evidence"].get("convenience_store", [])
    assert "breakfast" not in before["presence"]["basic"]["present"]
    cached_fields = redis.hkeys(cache.circle_key(circle.id))
    assert cached_fields

    with monkeypatch.context() as partition:
        partition.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")  # the app cannot reach Redis
        apply_fields(outlet, {"types": ["convenience_store", "breakfast"]})
        commit()  # dropping the cached entry fails here; only a warning is logged

    assert redis.hkeys(cache.circle_key(circle.id)) == cached_fields  # the stale entry survived the partition
    db.session.expire_all()
    assert db.session.get(Circle, circle.id).evaluation_version > version  # bumped with the change

    after = _evaluation(client, headers, circle)
    assert "breakfast" in after["presence"]["basic"]["present"]
    assert outlet.id in after["presence"]["basic"]["evidence"]["breakfast"]

    city = _city_view(client, headers, circle)
    assert city  # the city view is named by its circles' versions as well


def _city_view(client, headers, circle):
    response = client.get(f"/api/v1/cities/{circle.city_id}/evaluation", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_city_view_follows_a_change_the_partition_hid(app, client, make, db, redis, monkeypatch):
    city = make.city()
    circle = make.circle(center=MIYUN, city=city)
    outlet = make.outlet(*MIYUN, types=["convenience_store"])
    commit()
    headers = make.headers(make.user("admin"))
    before = _city_view(client, headers, circle)

    with monkeypatch.context() as partition:
        partition.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")
        apply_fields(outlet, {"types": ["convenience_store", "breakfast"]})
        commit()

    after = _city_view(client, headers, circle)
    assert after != before
    [row_before], [row_after] = before["circles"], after["circles"]
    assert row_after != row_before
