"""Rating use cases: rate (or re-rate) an outlet, list, merchant reply, report, staff moderation.

The outlet row is locked for every write that changes which ratings count, so the average and count
written to `outlets` in the same transaction always match the visible ratings.
"""

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert

from app.common.errors import Conflict, Forbidden, NotFound, UpstreamError, ValidationFailed
from app.common.extensions import db
from app.common.models import utcnow
from app.common.paging import paginate
from app.common.policy import authorize_circle, within_scope
from app.common.tx import write_use_case
from app.outlets.models import Outlet
from app.ratings import photos, present
from app.ratings.models import Rating, RatingDecision, RatingReport
from app.ratings.schemas import RatingSchema
from app.wechat.moderation import PASS, REVIEW, UNAVAILABLE, screen_text


def _outlet(outlet_id: int, *, lock: bool = False) -> Outlet:
    outlet = db.session.get(Outlet, outlet_id, with_for_update=lock or None, populate_existing=lock)
    if outlet is None or outlet.status not in ("approved", "suspended"):
        raise NotFound("网点不存在", code="outlet_not_found")
    return outlet


def _rating(rating_id: int, *, visible_only: bool = False, lock: bool = False) -> Rating:
    rating = db.session.get(Rating, rating_id, with_for_update=lock or None)
    if rating is None or (visible_only and rating.status != "visible"):
        raise NotFound("评价不存在", code="rating_not_found")
    return rating


def refresh_outlet_rating(outlet: Outlet) -> None:
    """Writes the average and count of the outlet's visible ratings onto it (the caller commits)."""
    db.session.flush()
    avg, count = db.session.execute(
        select(func.avg(Rating.stars), func.count(Rating.id)).where(
            Rating.outlet_id == outlet.id, Rating.status == "visible"
        )
    ).one()
    outlet.rating_avg = None if count == 0 else float(avg)
    outlet.rating_count = count


@write_use_case
def submit_rating(user, outlet_id: int, stars: int, text: str, tags: list[str], photo_ids: list[str]):
    """Rates an approved outlet, or replaces the user's earlier rating of it. Returns (rating, created)."""
    outlet = _outlet(outlet_id, lock=True)
    if outlet.status != "approved":
        raise Conflict("该网点暂停营业，暂不能评价", code="outlet_not_rateable")
    if outlet.owner_user_id == user.id:
        raise Forbidden("不能评价自己的网点", code="own_outlet")
    text = (text or "").strip()
    verdict = screen_text(text, user.openid).outcome
    photo_ids = photos.claim(user, photo_ids, outlet)
    rating = db.session.scalar(select(Rating).where(Rating.outlet_id == outlet.id, Rating.user_id == user.id))
    created = rating is None
    if created:
        rating = Rating(outlet_id=outlet.id, user_id=user.id)
        db.session.add(rating)
    rating.photo_ids = photo_ids
    rating.stars, rating.text, rating.tags = stars, text, list(dict.fromkeys(tags))
    rating.content_check = verdict
    # A rating staff hid comes back only through staff, whatever its new text.
    rating.status = "visible" if verdict == PASS and rating.status != "hidden" else "pending_review"
    if rating.status == "visible":
        rating.hidden_reason = None
    refresh_outlet_rating(outlet)
    return rating, created


def list_outlet_ratings(outlet_id: int, page: int, page_size: int) -> dict:
    """Visible ratings of an outlet, newest first."""
    outlet = _outlet(outlet_id)
    query = (
        select(Rating)
        .where(Rating.outlet_id == outlet.id, Rating.status == "visible")
        .order_by(Rating.created_at.desc(), Rating.id.desc())
    )
    page = paginate(query, page, page_size, count=outlet.rating_count)
    return page.with_items(present.public_many(page.items)).envelope(
        rating=present.summary(outlet),
    )


def recent_ratings_for(outlet_id: int, limit: int = 5) -> list[dict]:
    """The newest visible ratings of an outlet, dumped JSON-ready in the public shape (for the outlet detail)."""
    rows = db.session.scalars(
        select(Rating)
        .where(Rating.outlet_id == outlet_id, Rating.status == "visible")
        .order_by(Rating.created_at.desc(), Rating.id.desc())
        .limit(limit)
    )
    return _PUBLIC_RATINGS.dump(present.public_many(list(rows)))


# Built once: a schema instance deep-copies its fields (about a tenth of the outlet detail's CPU per request); dumping
# keeps no state on it.
_PUBLIC_RATINGS = RatingSchema(many=True)


def my_rating(user, outlet_id: int) -> Rating:
    rating = db.session.scalar(select(Rating).where(Rating.outlet_id == outlet_id, Rating.user_id == user.id))
    if rating is None:
        raise NotFound("您还没有评价过该网点", code="rating_not_found")
    return rating


def _owned_rating(user, rating_id: int, doing: str) -> Rating:
    """A visible rating of an outlet this merchant owns, locked for the change they are `doing`."""
    rating = _rating(rating_id, visible_only=True, lock=True)
    if db.session.get(Outlet, rating.outlet_id).owner_user_id != user.id:
        raise Forbidden(f"只有该网点的商户可以{doing}", code="not_outlet_owner")
    return rating


@write_use_case
def reply_to_rating(user, rating_id: int, text: str) -> tuple[Rating, bool]:
    """The outlet's merchant answers a rating: one reply per rating, which they may edit (the new text
    replaces the old one and is checked again). Returns (rating, created)."""
    rating = _owned_rating(user, rating_id, "回复")
    text = text.strip()
    # Accounts without an openid are staff-created merchant logins; WeChat cannot check for them.
    verdict = screen_text(text, user.openid).outcome if user.openid else PASS
    if verdict == REVIEW:
        raise ValidationFailed(
            "回复内容可能含有广告等信息，请修改后再提交",
            code="content_rejected",
            details={"text": ["内容未通过安全检测"]},
        )
    if verdict == UNAVAILABLE:
        raise UpstreamError("内容安全检测暂不可用，请稍后再试", code="content_check_unavailable", status=503)
    created = rating.replied_at is None
    rating.reply_text, rating.reply_user_id, rating.replied_at = text, user.id, utcnow()
    return rating, created


@write_use_case
def withdraw_reply(user, rating_id: int) -> None:
    """The outlet's merchant takes their reply back (a reply written in haste, or to the wrong rating); the
    rating counts as unreplied again."""
    rating = _owned_rating(user, rating_id, "撤回回复")
    if rating.replied_at is None:
        raise NotFound("这条评价还没有回复", code="reply_not_found")
    rating.reply_text = rating.reply_user_id = rating.replied_at = None


@write_use_case
def report_rating(user, rating_id: int, reason: str) -> dict:
    """A logged-in user reports a visible rating, once."""
    rating = _rating(rating_id, visible_only=True)
    inserted = db.session.scalar(
        insert(RatingReport)
        .values(rating_id=rating.id, user_id=user.id, reason=reason.strip())
        .on_conflict_do_nothing(constraint="uq_rating_reports_rating_user")
        .returning(RatingReport.id)
    )
    if inserted is None:
        raise Conflict("您已举报过这条评价", code="already_reported")
    return {"rating_id": rating.id, "open_reports": _open_reports(rating.id)}


def _open_reports(rating_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(RatingReport.rating_id == rating_id, RatingReport.resolved_at.is_(None))
    )


def staff_list_ratings(user, circle_id, reported: bool, status, page: int, page_size: int) -> dict:
    """Ratings of the outlets in the staff member's circles (admins: all), optionally only reported ones."""
    query = select(Rating, Outlet).join(Outlet, Outlet.id == Rating.outlet_id)
    query = within_scope(query, Outlet.circle_id, user, circle_id)
    if reported:
        query = query.where(exists().where(RatingReport.rating_id == Rating.id, RatingReport.resolved_at.is_(None)))
    if status:
        query = query.where(Rating.status == status)
    query = query.order_by(Rating.created_at.desc(), Rating.id.desc())
    return paginate(query, page, page_size, count=True, rows=True).map(lambda row: present.staff(*row))


@write_use_case
def set_rating_hidden(user, rating_id: int, hidden: bool, reason: str) -> tuple[Rating, Outlet]:
    """Staff hide (or show again) a rating with a reason; its open reports are thereby decided."""
    rating = _rating(rating_id)
    outlet = db.session.get(Outlet, rating.outlet_id, with_for_update=True, populate_existing=True)
    authorize_circle(user, outlet.circle_id)
    db.session.refresh(rating, with_for_update=True)
    rating.status = "hidden" if hidden else "visible"
    rating.hidden_reason = reason.strip() if hidden else None
    db.session.add(
        RatingDecision(
            rating_id=rating.id, staff_user_id=user.id, action="hide" if hidden else "unhide", reason=reason.strip()
        )
    )
    now = utcnow()
    for report in rating.reports:
        if report.resolved_at is None:
            report.resolved_at = now
    refresh_outlet_rating(outlet)
    return rating, outlet
