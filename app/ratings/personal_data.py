"""A resident's ratings and reports: exported; on 注销 kept as 已注销用户, or deleted where the resident asks."""

from sqlalchemy import select

from app.extensions import db
from app.outlets.models import Outlet
from app.ratings.models import Rating, RatingReport
from app.ratings.service import refresh_outlet_rating


def export(user) -> dict:
    ratings = db.session.scalars(select(Rating).where(Rating.user_id == user.id).order_by(Rating.id)).all()
    reports = db.session.scalars(select(RatingReport).where(RatingReport.user_id == user.id)).all()
    return {
        "ratings": [
            {
                "id": r.id,
                "outlet_id": r.outlet_id,
                "stars": r.stars,
                "text": r.text,
                "tags": list(r.tags or []),
                "photo_ids": list(r.photo_ids or []),
                "status": r.status,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in ratings
        ],
        "rating_reports": [{"rating_id": r.rating_id, "reason": r.reason, "created_at": r.created_at} for r in reports],
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
