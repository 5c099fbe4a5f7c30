"""Cached evaluations are dropped by the commits that change their inputs, and only by those."""

from app.common.shapes import area_from_geojson
from app.evaluation import cache
from app.outlets.service import apply_fields
from app.surveys.signals import answers_changed
from app.usage.signals import uses_recorded
from tests.factories import MIYUN, square
from tests.transactions import commit


def evaluate(client, make, circle):
    response = client.get(f"/api/v1/circles/{circle.id}/evaluation", headers=make.headers(make.user("admin")))
    assert response.status_code == 200


def test_outlet_change_drops_its_circle_and_city(client, make, db, redis):
    circle = make.circle(center=MIYUN)
    other = make.circle(center=(MIYUN[0] + 0.05, MIYUN[1]))
    outlet = make.outlet(*MIYUN, types=["breakfast"])
    commit()
    evaluate(client, make, circle)
    evaluate(client, make, other)
    assert redis.exists(cache.circle_key(circle.id)) and redis.exists(cache.circle_key(other.id))
    apply_fields(outlet, {"types": ["breakfast", "pharmacy"]})
    commit()
    assert not redis.exists(cache.circle_key(circle.id))
    assert redis.exists(cache.circle_key(other.id))  # another city, untouched


def test_outlet_moving_between_circles_drops_both(client, make, db, redis):
    city = make.city()
    west = make.circle(center=MIYUN, city=city, half_m=300)
    east = make.circle(center=(MIYUN[0] + 0.01, MIYUN[1]), city=city, half_m=300)
    outlet = make.outlet(*MIYUN)
    commit()
    for circle in (west, east):
        evaluate(client, make, circle)
    apply_fields(outlet, {"lng": MIYUN[0] + 0.01, "lat": MIYUN[1]})
    commit()
    assert not redis.exists(cache.circle_key(west.id)) and not redis.exists(cache.circle_key(east.id))
    assert not redis.exists(cache.city_key(city.id))


def test_rolled_back_change_keeps_the_cache(client, make, db, redis):
    circle = make.circle(center=MIYUN)
    outlet = make.outlet(*MIYUN)
    commit()
    evaluate(client, make, circle)
    apply_fields(outlet, {"name": "改名"})
    db.session.flush()
    db.session.rollback()
    assert redis.exists(cache.circle_key(circle.id))


def test_domain_signals_make_their_circles_stale(make, db):
    """Writes the session cannot see (core INSERT … ON CONFLICT) are announced by their domain's signal."""
    circle = make.circle(center=MIYUN)
    commit()
    version = circle.evaluation_version
    answers_changed.send("test", circle_ids=[circle.id])
    commit()
    uses_recorded.send("test", circle_ids=[circle.id])
    commit()
    db.session.refresh(circle)
    assert circle.evaluation_version == version + 2


def test_an_outlet_change_drops_the_circles_within_walking_reach(client, make, db, redis):
    """有没有 counts outlets outside a boundary within the type's radius: a change there is theirs too."""
    city = make.city()
    west = make.circle(center=MIYUN, city=city, half_m=300)
    east = make.circle(center=(MIYUN[0] + 0.01, MIYUN[1]), city=city, half_m=300)  # 250 m between edges
    far = make.circle(center=(MIYUN[0] + 0.03, MIYUN[1]), city=city, half_m=300)  # 2 km away
    outlet = make.outlet(*MIYUN, types=["breakfast"])
    commit()
    for circle in (west, east, far):
        evaluate(client, make, circle)
    apply_fields(outlet, {"types": ["breakfast", "pharmacy"]})
    commit()
    assert not redis.exists(cache.circle_key(west.id)) and not redis.exists(cache.circle_key(east.id))
    assert redis.exists(cache.circle_key(far.id))


def test_a_moved_boundary_drops_the_circles_of_other_cities_it_takes_outlets_from(client, make, db, redis):
    """The database trigger gives an outlet to the lowest-id circle covering it: a boundary moved over a circle
    of another city takes that circle's outlets, and moved away gives them back. The city-wide drop of the
    edited circle's own city does not reach the other city; the circles its old and new boundary overlap do."""
    away, here = square(MIYUN[0] + 0.05, MIYUN[1], 300), square(*MIYUN, 300)
    mover = make.circle(boundary=away)  # the lower id, in its own city
    holder = make.circle(boundary=here)  # another city; it holds the outlet
    outlet = make.outlet(*MIYUN)
    commit()
    db.session.refresh(outlet)
    assert outlet.circle_id == holder.id

    for boundary, owner in ((here, mover), (away, holder)):
        evaluate(client, make, holder)
        assert redis.exists(cache.circle_key(holder.id))
        mover.boundary = area_from_geojson(boundary, "wgs84")
        commit()
        db.session.refresh(outlet)
        assert outlet.circle_id == owner.id
        assert not redis.exists(cache.circle_key(holder.id))


def test_a_me_too_bumps_its_circle_and_drops_its_cached_evaluation(client, make, db, redis):
    """The one-statement "me too" commits on its own and bumps the circle's version in that statement: the
    next evaluation read is computed again and counts the support, and the old entries leave as it is cached."""
    from app.demands.models import Demand
    from tests.demands.world import demand_body

    circle = make.circle(center=MIYUN)
    submitter, supporter = make.user(), make.user()
    commit()
    created = client.post("/api/v1/demands", json=demand_body(), headers=make.headers(submitter))
    assert created.status_code == 201, created.get_json()
    need = db.session.get(Demand, created.get_json()["id"])
    evaluate(client, make, circle)
    db.session.refresh(circle)
    version = circle.evaluation_version
    assert redis.exists(cache.circle_key(circle.id))

    supported = client.post(f"/api/v1/demands/{need.id}/support", headers=make.headers(supporter))
    assert supported.status_code == 201 and supported.get_json()["support_count"] == 1
    db.session.refresh(circle)
    assert circle.evaluation_version == version + 1
    old_fields = redis.hkeys(cache.circle_key(circle.id))  # unreachable now: fields name the version read
    assert old_fields and all(f.endswith(f"v{version}") for f in old_fields)
    evaluate(client, make, circle)  # computed again, under the new version; the old entries go as it is put
    fields = redis.hkeys(cache.circle_key(circle.id))
    assert fields and all(f.endswith(f"v{version + 1}") for f in fields)


def test_a_submitted_need_bumps_its_circle_and_its_old_entries_go_with_the_next_put(client, make, db, redis):
    """A need is filed by one Core statement (no ORM flush for the session hook to see): its domain signal marks
    the circle, whose version is bumped at the commit, and the next evaluation read counts the need. As after a
    "me too", the old entries are not dropped by the submission (a Redis round trip each): they can no longer
    be read, and go as the next result is put."""
    from tests.demands.world import demand_body

    circle = make.circle(center=MIYUN)
    submitter = make.user()
    commit()
    evaluate(client, make, circle)
    db.session.refresh(circle)
    version = circle.evaluation_version
    assert redis.exists(cache.circle_key(circle.id))

    created = client.post("/api/v1/demands", json=demand_body(), headers=make.headers(submitter))
    assert created.status_code == 201, created.get_json()
    db.session.refresh(circle)
    assert circle.evaluation_version == version + 1
    old_fields = redis.hkeys(cache.circle_key(circle.id))
    assert old_fields and all(f.endswith(f"v{version}") for f in old_fields)
    evaluate(client, make, circle)
    fields = redis.hkeys(cache.circle_key(circle.id))
    assert fields and all(f.endswith(f"v{version + 1}") for f in fields)
