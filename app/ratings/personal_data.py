"""A resident's ratings and reports: exported; on 注销 kept as 已注销用户, or deleted where the resident asks."""

from sqlalchemy import select

from app.common.extensions import db
from app.common.personal_data import records
from app.outlets.models import Outlet
from app.ratings.models import Rating, RatingReport
from app.ratings.service import refresh_outlet_rating


def export(user) -> dict:
    fields = ("id", "outlet_id", "stars", "text", "tags", "photo_ids", "status", "created_at", "updated_at")
    return {
        "ratings": records(Rating.user_id, user, fields),
        "rating_reports": records(RatingReport.user_id, user, ("rating_id", "reason", "created_at")),
    }


def erase(erasure) -> None:
    ratings = db.session.scalars(select(Rating).where(Rating.user_id == erasure.user.id)).all()
    if not erasure.remove_content:
        for rating in ratings:
            erasure.keep_uploads.update(rating.photo_ids or [])
        erasure.count("ratings_kept_anonymous", len(ratings))
        return
    outlet_ids = {r.outlet_id for r in ratings}
    for rating in ratings:
        db.session.delete(rating)
    db.session.flush()
    for outlet in db.session.scalars(select(Outlet).where(Outlet.id.in_(outlet_ids))):
        refresh_outlet_rating(outlet)
    erasure.count("ratings_removed", len(ratings))
