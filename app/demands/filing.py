"""A need and its first timeline events written by one statement, answered from what was written.

Filing a need through the ORM cost two unit-of-work flushes (the need, then its events, which need its id)
and their bookkeeping: ~2 ms of a submission's CPU, more than PostgreSQL spends on both INSERTs. Here one
`WITH need AS (INSERT … RETURNING) INSERT INTO demand_events … SELECT FROM need` writes both (built once per
number of events, cached by SQLAlchemy), and the need and its events come back as ORM objects holding every
column, so the answer (`present.submitted_out`) and callers (Open311) read them without a query.

What the ORM's session hooks would have done for a flushed need is done here explicitly, in the same
transaction: the request's `Idempotency-Key` bound to the need (in the same statement when it is the use case's
first write: `idempotency.bind_from`; else `idempotency.bind_created`), and the
circle's evaluation marked stale (`signals.needs_filed`; its version is bumped at the commit).
"""

import functools

from sqlalchemy import Float, bindparam, cast, func, insert, select, union_all
from sqlalchemy.orm import make_transient_to_detached

from app.common import geo, idempotency, reads
from app.common.extensions import db
from app.demands.models import Demand, DemandEvent
from app.demands.signals import needs_filed

_NEEDS, _EVENTS = Demand.__table__, DemandEvent.__table__
# Every column the submission sets (the model's Python-side defaults included: they apply only to ORM flushes).
NEED_COLUMNS = (
    "kind",
    "business_type",
    "outlet_id",
    "text",
    "address",
    "circle_id",
    "community_id",
    "user_id",
    "source",
    "source_client",
    "status",
    "priority",
    "moderation",
    "moderation_label",
    "support_count",
    "photo_ids",
    "existing_reason",
    "existing_outlet_ids",
)
EVENT_COLUMNS = ("actor_id", "actor_role", "action", "public", "note", "from_status", "to_status", "data")


@functools.cache
def _statement(events: int, bind_key: bool):
    """Built once per shape (submitted, or submitted and held; with or without the request's key to bind), at its
    first use: at import time a foreign-key column's type may not be resolved yet (NullType, which cannot be cast
    to) when this module is imported before the table it references."""
    values = {c: bindparam(c, type_=_NEEDS.c[c].type) for c in NEED_COLUMNS}
    point = func.ST_SetSRID(func.ST_MakePoint(bindparam("lng", type_=Float), bindparam("lat", type_=Float)), 4326)
    values["location"] = cast(point, _NEEDS.c.location.type)
    need = insert(_NEEDS).values(values).returning(_NEEDS.c.id, _NEEDS.c.created_at, _NEEDS.c.updated_at).cte("need")
    # Each value cast to its column's type: in a UNION ALL, PostgreSQL would otherwise resolve NULLs as text.
    rows = [
        select(
            need.c.id,
            *(cast(bindparam(f"e{i}_{c}", type_=_EVENTS.c[c].type), _EVENTS.c[c].type) for c in EVENT_COLUMNS),
        )
        for i in range(events)
    ]
    returned = [
        _EVENTS.c.id,
        _EVENTS.c.demand_id,
        _EVENTS.c.created_at,
        select(need.c.created_at).scalar_subquery().label("need_created_at"),
        select(need.c.updated_at).scalar_subquery().label("need_updated_at"),
    ]
    ctes = [need]
    if bind_key:  # the request's Idempotency-Key bound to the need in the same statement
        bound = idempotency.bind_from(select(need.c.id).scalar_subquery()).cte("bound")
        returned.append(select(bound.c.key_hash).scalar_subquery().label("bound_key"))
        ctes.append(bound)
    statement = insert(_EVENTS).from_select(["demand_id", *EVENT_COLUMNS], rows[0] if events == 1 else union_all(*rows))
    return statement.returning(*returned).add_cte(*ctes)


# The statement is sent by the driver in the session's transaction (`reads.in_session`): SQLAlchemy's execution of
# it (its cache key over ~30 parameters, the ORM's execute events, the result's layers) cost ~15 % of a
# submission's CPU, more than PostgreSQL spends on it. Compiled once per shape by the app's dialect, as SQLAlchemy
# would send it to the same driver: its text, its constant parameters (the SRID), and each parameter's bind
# processor (psycopg's JSONB wrapper, the arrays').
@functools.cache
def _compiled(events: int, bind_key: bool) -> tuple[str, dict, dict]:
    dialect = db.engine.dialect
    compiled = _statement(events, bind_key).compile(dialect=dialect)
    constants, processors = {}, {}
    for param, name in compiled.bind_names.items():  # (the names as rendered: anonymous ones numbered)
        if not param.required:  # a value of the statement's own (None included)
            constants[name] = param.effective_value
        processor = param.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    return compiled.string, constants, processors


def _loaded(model, values: dict):
    """An instance as if read from the database with these column values (every column given: none is
    loaded again on access; `session.add` would attach it without an INSERT). Made as the ORM makes a row it
    loads, its columns set in the instance's dict: the constructor set them one by one through the instrumented
    attributes and recorded each as a change (≈ 3 % of a submission's CPU for the need and its events)."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj


def file_need(values: dict, lng: float, lat: float, events: list[dict]) -> tuple[Demand, list[DemandEvent]]:
    """Inserts the need (`values`: NEED_COLUMNS) at the WGS-84 point with its events (`timeline.event_values`,
    in timeline order); returns them as loaded objects. Call inside the use case."""
    params = {c: values[c] for c in NEED_COLUMNS} | {"lng": lng, "lat": lat}
    for i, event in enumerate(events):
        params.update({f"e{i}_{c}": event[c] for c in EVENT_COLUMNS})
    # Pending ORM writes of this use case (its claimed photos) first: their flush binds the key itself.
    db.session.flush()
    key = idempotency.key_to_bind(Demand)
    sql, constants, processors = _compiled(len(events), key is not None)
    params |= constants | (key or {})
    for name, processor in processors.items():
        params[name] = processor(params[name])
    rows = reads.in_session(sql, params, native=True)
    rows.sort(key=lambda row: row["id"])  # ids in insertion order: the timeline's order
    first = rows[0]
    columns = {c.key: None for c in _NEEDS.columns} | {c: values[c] for c in NEED_COLUMNS}
    columns |= {"location": geo.point(lng, lat), "created_at": first["need_created_at"]}
    demand = _loaded(Demand, columns | {"id": first["demand_id"], "updated_at": first["need_updated_at"]})
    filed = [
        _loaded(DemandEvent, event | {"id": row["id"], "demand_id": demand.id, "created_at": row["created_at"]})
        for event, row in zip(events, rows, strict=True)
    ]
    if key is not None:
        idempotency.bound_in_statement(demand.id, first["bound_key"])
    else:  # no key, or one bound already by an earlier flush of this use case (its claimed photos)
        idempotency.bind_created(Demand, demand.id)
    # Its circle's version is bumped at the commit; the cached results it makes stale are left for the next
    # result put in the circle's hash to drop (or their TTL): no read can name them again, and a Redis round
    # trip per submission is saved.
    needs_filed.send(__name__, circle_ids=[demand.circle_id], drop=False)
    return demand, filed
