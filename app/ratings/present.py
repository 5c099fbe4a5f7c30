"""Rating dictionaries: the public shape (masked nickname only), the author's and the staff view."""

import hashlib
import hmac

from flask import current_app

from app.common.personal_data import DELETED_NAME
from app.ratings.photos import photos_by_id


def masked_nickname(user) -> str:
    """张** from a display name; otherwise a stable pseudonym that reveals neither id nor openid."""
    if getattr(user, "deleted_at", None) is not None:
        return DELETED_NAME
    name = (getattr(user, "display_name", None) or "").strip()
    if name:
        return name[0] + "**"
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"rating-nickname:{user.id}".encode(), hashlib.sha256).hexdigest()
    return f"居民{digest[:4].upper()}"


def public(rating, photos: dict | None = None) -> dict:
    photos = photos_by_id(rating.photo_ids or []) if photos is None else photos
    return {
        "id": rating.id,
        "outlet_id": rating.outlet_id,
        "stars": rating.stars,
        "text": rating.text or "",
        "tags": list(rating.tags or []),
        "photos": [photos[i] for i in rating.photo_ids or [] if i in photos],
        "nickname": masked_nickname(rating.user),
        "created_at": rating.created_at,
        "updated_at": rating.updated_at,
        "reply": {"text": rating.reply_text, "replied_at": rating.replied_at} if rating.replied_at else None,
    }


def public_many(ratings) -> list[dict]:
    photos = photos_by_id(i for r in ratings for i in r.photo_ids or [])
    return [public(r, photos) for r in ratings]


def mine(rating) -> dict:
    return {**public(rating), "status": rating.status}


def staff(rating, outlet) -> dict:
    return {
        **mine(rating),
        "user_id": rating.user_id,
        "content_check": rating.content_check,
        "hidden_reason": rating.hidden_reason,
        "outlet": {"id": outlet.id, "name": outlet.name, "circle_id": outlet.circle_id},
        "open_reports": sum(1 for r in rating.reports if r.resolved_at is None),
        "reports": [
            {"reason": r.reason, "created_at": r.created_at, "resolved": r.resolved_at is not None}
            for r in rating.reports[-10:]
        ],
    }


def summary(outlet) -> dict:
    """{avg, count} of the outlet's visible ratings (kept on the outlet by every write that changes them)."""
    return {"avg": None if outlet.rating_avg is None else round(outlet.rating_avg, 2), "count": outlet.rating_count}
