"""Residents' use cases on needs: submit, "me too", "is it solved?" (the evaluation reads `stats.py`)."""

from dataclasses import dataclass

from app.circles import service as circles
from app.common import reads
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.common.extensions import db
from app.common.models import utcnow
from app.common.tx import atomic, write_use_case
from app.demands import answers, existing, filing, states, timeline
from app.demands.locks import locked_demand
from app.demands.models import (
    ANSWERS,
    CLOSED_STATUSES,
    Demand,
    DemandAnswer,
    DemandEvent,
    DemandSupport,
)
from app.demands.signals import supports_changed
from app.outlets.models import Outlet
from app.taxonomy.checks import check_type
from app.uploads.service import claim_uploads
from app.wechat.moderation import screen_text

OUTLET_KINDS = ("service_quality", "outlet_closed")


def _check_subject(kind: str, business_type: str | None, outlet_id: int | None):
    check_type(business_type)
    if kind == "missing_type" and business_type is None:
        raise ValidationFailed("请选择缺少的业态", details={"business_type": ["“缺什么”需求必须选择业态"]})
    if outlet_id is None:
        return None
    if kind not in OUTLET_KINDS:
        raise ValidationFailed(details={"outlet_id": ["只有服务质量、网点关停类需求可以关联网点"]})
    outlet = db.session.get(Outlet, outlet_id)
    if outlet is None or outlet.status == "pending":
        raise ValidationFailed(details={"outlet_id": ["网点不存在"]})
    return outlet


def place(lng: float, lat: float) -> circles.Placement:
    """The ids of the circle and community containing the WGS-84 point (422 outside_circles when none)."""
    try:
        return circles.placement(lng, lat)
    except NotFound:
        raise ValidationFailed(
            "该位置不在任何生活圈内，无法提交需求",
            code="outside_circles",
            details={"location": ["该位置不在任何生活圈内"]},
        ) from None


def _claim_photos(user, photo_ids: list[str], circle_id: int) -> list:
    if not photo_ids:
        return []
    if user is None:
        raise ValidationFailed(details={"photo_ids": ["外部平台提交的需求不能附带照片"]})
    return claim_uploads(user, photo_ids, "demand_photo", circle_id=circle_id)


@dataclass(frozen=True)
class Submission:
    """A need just filed and everything attached to it so far (its answer is built from these alone)."""

    demand: Demand
    events: list[DemandEvent]
    photos: list
    outlet: Outlet | None


def submit_demand(submitter, data: dict, **options) -> Demand:
    return submit(submitter, data, **options).demand


def submit(
    submitter, data: dict, *, source: str = "app", source_client=None, check_openid=None, require_reason=True
) -> Submission:
    """A resident's need placed in the circle and community containing its WGS-84 point.

    `data`: kind, business_type, outlet_id, text, address, lng, lat, photo_ids, existing_reason, coord.
    Text the content check calls risky is refused (422); text under review, or not checked because
    WeChat is down, is saved but held for staff and not shown publicly. A "missing" need while
    outlets of the type exist within its walking radius needs a reason (409 existing_outlets lists
    them); `require_reason=False` (Open311 clients, which cannot be asked) only records them.
    """
    kind, business_type, outlet_id = data["kind"], data.get("business_type"), data.get("outlet_id")
    outlet = _check_subject(kind, business_type, outlet_id)
    if data.get("existing_reason") is not None and kind != "missing_type":
        raise ValidationFailed(details={"existing_reason": ["只有“缺什么”需求需要说明理由"]})
    # Where it stands and the shops of its type nearby need not see this request's transaction: read on the read
    # path (two statements without SQLAlchemy's layers: ≈ 0.5 ms of a submission's CPU).
    with reads.on_read_path():
        where = place(data["lng"], data["lat"])
        nearest = existing.nearest_of_type(business_type, data["lng"], data["lat"]) if kind == "missing_type" else None
    existing_ids = []
    if kind == "missing_type":
        reason = data.get("existing_reason") if require_reason else data.get("existing_reason") or "other"
        existing_ids = existing.check_missing(
            business_type, data["lng"], data["lat"], reason, data.get("coord") or "wgs84", nearest
        )
    openid = check_openid or (submitter.openid if submitter is not None else None) or "anonymous"
    screening = screen_text(data["text"], openid)
    moderation, label = ("visible", None) if screening.passed else ("held", screening.hold_reason)
    # Not expired at the commit: the answer is built from what the use case holds, without reading it back.
    with atomic(expire=False):
        photos = _claim_photos(submitter, data.get("photo_ids") or [], where.circle_id)
        role = "open311" if source == "open311" else None
        events = [timeline.event_values(submitter, "submitted", to_status="submitted", role=role)]
        if moderation == "held":
            events.append(timeline.event_values(None, "held", public=False, note=label))
        values = {
            "kind": kind,
            "business_type": business_type,
            "outlet_id": outlet_id,
            "text": data["text"],
            "address": data.get("address") or "",
            "circle_id": where.circle_id,
            "community_id": where.community_id,
            "user_id": submitter.id if submitter is not None else None,
            "source": source,
            "source_client": source_client,
            "status": "submitted",
            "priority": "normal",
            "moderation": moderation,
            "moderation_label": label,
            "support_count": 0,
            "photo_ids": [upload.id for upload in photos],
            "existing_reason": data.get("existing_reason") if existing_ids else None,
            "existing_outlet_ids": existing_ids,
        }
        demand, events = filing.file_need(values, data["lng"], data["lat"], events)
    return Submission(demand, events, photos, outlet)


@dataclass(frozen=True)
class Supported:
    id: int
    support_count: int


class _NotCounted(Exception):
    """The one-statement "me too" did not apply: the checked path says why (or counts it after a race)."""


def support_demand(user, demand_id: int) -> Supported:
    """ "Me too": once per resident, counted on the need."""
    try:
        return _count_support(user, demand_id)
    except _NotCounted:
        demand = _support_checked(user, demand_id)
        return Supported(demand.id, demand.support_count)


def _count_support(user, demand_id: int) -> Supported:
    """The usual case in one statement that is its own transaction (autocommit: one round trip instead of
    BEGIN, statement, version bump, COMMIT): the need locked and checked, the supporter row, the count and the
    circle's evaluation version. A concurrent "me too" waits for the need's lock and then adds to the committed
    count: none is lost."""
    counted = reads.write_one(_COUNT_SQL, {"need_id": demand_id, "supporter_id": user.id, "now": utcnow()})
    if not counted:
        raise _NotCounted
    counted = counted[0]
    # The evaluation's session hook sees ORM writes only; the need's count feeds its 问需 item.
    supports_changed.send(__name__, circle_ids=[counted["circle_id"]], bumped=True)
    return Supported(demand_id, counted["support_count"])


# The need is locked first (FOR UPDATE re-checks the conditions on the row as it is once the lock is ours: a need
# closed meanwhile is neither supported nor counted), so the supporter row and the count go together or not at
# all. The circle's `evaluation_version` is bumped in the same statement, as app/evaluation/invalidation.py does
# at every other write's commit (cached evaluations are named by it).
_COUNT_SQL = f"""
WITH need AS (
    SELECT id, circle_id FROM demands
    WHERE id = :need_id AND moderation = 'visible' AND status NOT IN ({", ".join(f"'{s}'" for s in CLOSED_STATUSES)})
      AND user_id IS DISTINCT FROM :supporter_id
    FOR UPDATE
), added AS (
    INSERT INTO demand_supports (demand_id, user_id) SELECT id, :supporter_id FROM need
    ON CONFLICT DO NOTHING
    RETURNING demand_id
), counted AS (
    UPDATE demands SET support_count = support_count + 1, updated_at = :now
    WHERE id IN (SELECT demand_id FROM added)
    RETURNING support_count, circle_id
), bumped AS (
    UPDATE circles SET evaluation_version = evaluation_version + 1
    WHERE id IN (SELECT circle_id FROM counted)
)
SELECT support_count, circle_id FROM counted
"""


@write_use_case
def _support_checked(user, demand_id: int) -> Demand:
    """ "Me too" step by step under the need's lock: the reason it is refused, in the order residents expect."""
    demand = locked_demand(demand_id)
    if demand.moderation != "visible":
        raise NotFound("需求不存在", code="demand_not_found")
    if demand.status == "merged":
        raise Conflict(
            "该需求已与其他需求合并，请支持合并后的需求",
            code="demand_merged",
            details={"merged_into_id": demand.merged_into_id},
        )
    if demand.status in CLOSED_STATUSES:
        raise Conflict("该需求已办结，无需再支持", code="demand_closed")
    if demand.user_id == user.id:
        raise Conflict("不能支持自己提交的需求", code="own_demand")
    if db.session.get(DemandSupport, (demand.id, user.id)) is not None:
        raise Conflict("您已经支持过该需求", code="already_supported")
    db.session.add(DemandSupport(demand_id=demand.id, user_id=user.id))
    demand.support_count += 1
    return demand


def confirm_demand(user, demand_id: int, answer: str, comment: str | None) -> Demand:
    """Someone attached to a need marked done (its submitter or a supporter) answers "is it solved?".

    Each answers once per time the need is marked done. When "no" answers then outnumber "yes"
    answers the need is reopened, so one unsolved report is never outvoted by silence.
    """
    if comment:
        screen_text(comment, user.openid or "anonymous", field="comment")
    with atomic():
        demand = locked_demand(demand_id)
        submitter = demand.user_id == user.id
        if not submitter and db.session.get(DemandSupport, (demand.id, user.id)) is None:
            raise Forbidden("只有提交人和支持者可以确认", code="not_attached")
        if demand.status != "done":
            raise Conflict("需求尚未办结，暂不能确认", code="demand_not_done")
        if submitter:
            if demand.confirmation_answer is not None:
                raise Conflict("您已经确认过了", code="already_confirmed")
            demand.confirmation_answer, demand.confirmation_comment = answer, comment or None
            demand.confirmed_at = utcnow()
        else:
            if db.session.get(DemandAnswer, (demand.id, user.id)) is not None:
                raise Conflict("您已经确认过了", code="already_confirmed")
            db.session.add(DemandAnswer(demand_id=demand.id, user_id=user.id, answer=answer, comment=comment or None))
            db.session.flush()
        role = "submitter" if submitter else "supporter"
        timeline.record(demand, user, "confirmation", note=ANSWERS[answer], data={"answer": answer, "by": role})
        tally = answers.tallies([demand.id])[demand.id]
        if answer == "no" and tally["no"] > tally["yes"]:
            timeline.change_status(demand, "reopened", user, note="居民反馈问题未解决", via=states.RESIDENT)
    return demand
