"""Keeps the evaluation cache honest with one session hook instead of calls sprinkled in every writer.

Every flush notes which circles the changed rows feed (an outlet's circle, a need's circle, a survey
answer's circle, a resident's home circle, …). Just before the transaction commits, those circles'
`evaluation_version` is bumped in the same transaction (so the change and the new version become
visible together); cached results are named by that version, so an entry computed before the change is
never read again, even when Redis was unreachable at the commit and could not be told. After the commit
the old entries are also dropped from Redis, only to free memory early. Outlets are re-read after the
flush because the database trigger, not the ORM, moves them between circles.

A write that is one statement in its own transaction (the "me too", `reads.write_one`) bumps the version in
that statement and says so in its signal (`bumped=True`). Writes the session cannot see (core INSERT … ON
CONFLICT) are announced by their domain's signal
(`surveys.signals.answers_changed`, `usage.signals.uses_recorded`, `outlets.signals.outlets_changed`,
`demands.signals.supports_changed`, `demands.signals.needs_filed`, `circles.signals.outlets_moved`).
`init_app`, called by the app factory, installs the session hooks and connects those signals: nothing is
registered by importing a module.
"""

import functools
import logging

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from app.auth.models import User
from app.circles.models import Circle, City, Community
from app.circles.signals import outlets_moved
from app.common.extensions import db
from app.common.tx import atomic, last_statement
from app.demands.models import Demand, Project
from app.demands.signals import needs_filed, supports_changed
from app.evaluation import cache
from app.evaluation.models import EvaluationAssessment
from app.events.models import Event
from app.outlets.models import Outlet, StallSlot
from app.outlets.signals import outlets_changed
from app.repair.models import RepairOffer
from app.surveys.models import SurveyPeriod, SurveyResponse
from app.surveys.signals import answers_changed
from app.taxonomy.registry import taxonomy
from app.taxonomy.scoring import scoring_profiles
from app.usage.signals import uses_recorded

log = logging.getLogger(__name__)
STALE = "evaluation_stale_keys"
STALE_CIRCLES = "evaluation_stale_circles"
# Circles whose versions are bumped at the commit without dropping their cached entries after it (a need
# filed: `needs_filed`): the next result put in their hash drops the old ones (cache.put_many), else its TTL.
BUMP_ONLY = "evaluation_bump_only_circles"

CIRCLE_ATTRIBUTE = {
    Outlet: "circle_id",
    Demand: "circle_id",
    Project: "circle_id",
    Community: "circle_id",
    Event: "circle_id",
    SurveyPeriod: "circle_id",
    SurveyResponse: "circle_id",
    User: "home_circle_id",
    EvaluationAssessment: "circle_id",
}
OUTLET_ATTRIBUTE = {Outlet: "id", RepairOffer: "outlet_id", StallSlot: "outlet_id"}


def _values(obj, attribute):
    """The attribute's value now and before this flush (a row can move from one circle to another)."""
    history = inspect(obj).attrs[attribute].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


# An outlet counts for every circle within the largest walking radius of its place (有没有 reads outlets
# outside a boundary too), so its change is stale for those circles as well as for its own. The boundary
# index finds the candidates (a box of the reach in degrees of longitude, the wider side), the geodesic test
# keeps the ones truly within reach.
NEAR_CIRCLES_SQL = text("""
SELECT DISTINCT c.id FROM outlets o
JOIN circles c
  ON c.boundary && ST_Expand(o.location::geometry, :reach / (111320.0 * cos(radians(ST_Y(o.location::geometry)))))
 AND ST_DWithin(o.location, c.boundary::geography, :reach)
WHERE o.id = ANY(:ids)
""")
NEAR_BEFORE = "evaluation_near_before_flush"

# The trigger circles_reassign_outlets moves outlets to the lowest-id circle covering them, from any city: an
# edited boundary can take outlets from (or give them back to) only the circles it overlaps, before or after.
OVERLAPPING_CIRCLES_SQL = text("""
SELECT DISTINCT o.id FROM circles c
JOIN circles o ON o.boundary && c.boundary AND ST_Intersects(o.boundary, c.boundary)
WHERE c.id = ANY(:ids)
""")


@functools.cache
def reach_m() -> int:
    """The largest radius any type is counted within, by any standards or scoring profile."""
    radii = [t.radius_m for t in taxonomy().business_types]
    radii += [
        int(r["radius_m"]) for s in taxonomy().standards.values() for r in s.rules.values() if r and r.get("radius_m")
    ]
    radii += [int(p.presence["quality_radius_m"]) for p in scoring_profiles().values()]
    return max(radii)


def _near_circles(connection, outlet_ids) -> set[int]:
    ids = sorted(i for i in outlet_ids if i is not None)
    if not ids:
        return set()
    return set(connection.scalars(NEAR_CIRCLES_SQL, {"ids": ids, "reach": reach_m()}))


def _overlapping_circles(connection, circle_ids) -> set[int]:
    ids = sorted(i for i in circle_ids if i is not None)
    return set(connection.scalars(OVERLAPPING_CIRCLES_SQL, {"ids": ids})) if ids else set()


def _note_circles_near_old_places(session, _flush_context, _instances):
    """Before the flush writes them: the circles near where changed or deleted outlets stood, and those the
    old boundaries of changed or deleted circles overlap."""
    changed = (*session.dirty, *session.deleted)
    outlets = {obj.id for obj in changed if type(obj) is Outlet and obj.id is not None}
    circles = {obj.id for obj in changed if type(obj) is Circle and obj.id is not None}
    if outlets or circles:
        near = session.info.setdefault(NEAR_BEFORE, set())
        near.update(_near_circles(session.connection(), outlets))
        near.update(_overlapping_circles(session.connection(), circles))


def _note_stale_circles(session, _flush_context):
    circles, cities, outlets, edited = set(), set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = type(obj)
        if kind is City:
            cities.add(obj.id)
        elif kind is Circle:
            cities.update(_values(obj, "city_id"))  # a moved boundary can move outlets anywhere in the city
            if obj not in session.deleted:
                edited.add(obj.id)  # … and from the circles of other cities its new boundary overlaps
        if kind in CIRCLE_ATTRIBUTE:
            circles.update(_values(obj, CIRCLE_ATTRIBUTE[kind]))
        if kind in OUTLET_ATTRIBUTE:
            outlets.update(_values(obj, OUTLET_ATTRIBUTE[kind]))
    circles.update(session.info.pop(NEAR_BEFORE, ()))
    if not (circles or cities or outlets or edited):
        return
    connection = session.connection()
    circles.update(_overlapping_circles(connection, edited))
    if outlets:
        circles.update(connection.scalars(select(Outlet.circle_id).where(Outlet.id.in_(outlets))).all())
        circles.update(_near_circles(connection, outlets))  # where they stand now
    circles.discard(None)
    keys = session.info.setdefault(STALE, set())
    stale = session.info.setdefault(STALE_CIRCLES, set())
    stale.update(circles)  # their cache keys (and their cities') are named when the versions are bumped
    if cities:
        keys.update(cache.city_key(city_id) for city_id in cities)
        ids = connection.scalars(select(Circle.id).where(Circle.city_id.in_(cities))).all()
        keys.update(cache.circle_key(circle_id) for circle_id in ids)
        stale.update(ids)


def mark_stale(session, circle_ids=(), city_ids=()):
    """For writers that bypass the ORM (core INSERT/UPDATE): these circles' (and cities') results are
    stale once this transaction commits. Call before the commit."""
    circle_ids, city_ids = {i for i in circle_ids if i is not None}, {i for i in city_ids if i is not None}
    if city_ids:
        circle_ids.update(session.scalars(select(Circle.id).where(Circle.city_id.in_(city_ids))))
    if not circle_ids:
        return
    rows = session.execute(select(Circle.id, Circle.city_id).where(Circle.id.in_(circle_ids))).all()
    session.info.setdefault(STALE_CIRCLES, set()).update(circle_id for circle_id, _ in rows)
    keys = session.info.setdefault(STALE, set())
    keys.update(cache.circle_key(circle_id) for circle_id, _ in rows)
    keys.update(cache.city_key(city_id) for _, city_id in rows)


def _bump_versions(session):
    session.flush()  # the commit's own flush would come after this hook; its changes must count too
    stale = session.info.pop(STALE_CIRCLES, None) or set()
    bump_only = session.info.pop(BUMP_ONLY, None) or set()
    if stale or bump_only:
        # In id order: two commits bumping overlapping circles lock them in the same order. The rows bumped
        # name the cache entries to drop after the commit (a circle that no longer exists names none).
        bumped = last_statement(session, _BUMP, {"ids": sorted(stale | bump_only)})
        rows = [(r["id"], r["city_id"]) for r in bumped]
        keys = session.info.setdefault(STALE, set())
        keys.update(cache.circle_key(circle_id) for circle_id, _ in rows if circle_id in stale)
        keys.update(cache.city_key(city_id) for circle_id, city_id in rows if circle_id in stale)


# Every need submission runs it: sent by the driver with the COMMIT (`tx.last_statement`), as SQLAlchemy's
# statement layers cost more CPU than PostgreSQL spends on it, and the circle's row stays locked for no round trip.
# updated_at says when the circle itself was edited, so it stays as it is.
_BUMP = """
UPDATE circles SET evaluation_version = evaluation_version + 1, updated_at = updated_at
WHERE id = ANY(:ids)
RETURNING id, city_id
"""


def _drop_stale_results(session):
    keys = session.info.pop(STALE, None)
    if keys:
        cache.delete_keys(*keys)


def _forget_stale_results(session):
    session.info.pop(NEAR_BEFORE, None)
    session.info.pop(STALE, None)
    session.info.pop(STALE_CIRCLES, None)
    session.info.pop(BUMP_ONLY, None)


def invalidate_circle(circle_id: int | None):
    """A circle's evaluation, gaps and blind spots, and its city's view, are stale once this transaction
    commits (for writes the session hook cannot see). Call before the commit; called after it, the
    version is bumped in a transaction of its own."""
    _invalidate(circle_ids=[circle_id])


def invalidate_city(city_id: int | None):
    """A city's view and every result of its circles are stale (tier or profile changed, bulk writes)."""
    _invalidate(city_ids=[city_id])


def _invalidate(circle_ids=(), city_ids=()):
    session = db.session()
    if session.in_transaction():
        _mark_stale(session, circle_ids, city_ids)
        return
    with atomic():  # the change is already committed: bump now, on its own
        _mark_stale(session, circle_ids, city_ids)


def _mark_stale(session, circle_ids, city_ids):
    mark_stale(session, circle_ids, city_ids)
    # Dropped at once as well (this connection may read them before the commit); the version bump at the
    # commit keeps anything recomputed meanwhile from outliving the change.
    cache.delete_keys(*session.info.get(STALE, ()))


def _on_domain_change(_sender, circle_ids=(), bumped=False, drop=True, outlet_ids=(), every_circle=False, **_):
    """A domain's signal: these circles' inputs changed outside the session's view. Their versions are bumped
    at the commit, which names the cache entries to drop after it (a signal comes from a write use case, which
    reads no evaluation before its commit: nothing to drop at once, unlike `invalidate_circle`).

    `bumped=True`: a write committed on its own in one statement that bumped the versions itself (the "me
    too"): nothing is left to do. Its circles' old entries can no longer be read; the next result put in their
    hash drops them, or the hash's TTL (cache.put_many) — a round trip per "me too" saved (≈ 11 % of one).

    `outlet_ids`: outlets written where they stand now (an import's set-based writes): the circles within walking
    reach of each are stale too, as for an outlet the ORM flushes. `every_circle`: too many to name."""
    circle_ids = {i for i in circle_ids if i is not None}
    if bumped:
        return
    session = db.session()
    if every_circle:
        circle_ids.update(session.scalars(select(Circle.id)))
    elif outlet_ids:
        circle_ids.update(_near_circles(session.connection(), outlet_ids))
    if not circle_ids:
        return
    # drop=False (a need filed): bumped at the commit, its old entries left for the next result put in the
    # circle's hash to drop (cache.put_many), as after a "me too": a Redis round trip per submission saved.
    bucket = STALE_CIRCLES if drop else BUMP_ONLY
    if session.in_transaction():
        session.info.setdefault(bucket, set()).update(circle_ids)
        return
    with atomic():  # sent after its commit: bump now, on its own
        session.info.setdefault(bucket, set()).update(circle_ids)


SESSION_HOOKS = (
    ("before_flush", _note_circles_near_old_places),
    ("after_flush", _note_stale_circles),
    ("before_commit", _bump_versions),
    ("after_commit", _drop_stale_results),
    ("after_rollback", _forget_stale_results),
)


def init_app(_app=None):
    """Installs the session hooks (on every Session, once per process) and subscribes to the domains'
    signals. Called by the app factory; creating a second app installs nothing twice."""
    for name, hook in SESSION_HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
    answers_changed.connect(_on_domain_change)
    uses_recorded.connect(_on_domain_change)
    outlets_changed.connect(_on_domain_change)
    supports_changed.connect(_on_domain_change)
    needs_filed.connect(_on_domain_change)
    outlets_moved.connect(_on_domain_change)
