"""A resident's needs, "me too"s and timeline entries: exported, and kept or removed on 注销.

Kept needs stay public with their author shown as 已注销用户 (the row points at the emptied account);
removed ones (the resident asked) lose their text, address, photos and comments and are hidden.
"""

from geoalchemy2.shape import to_shape
from sqlalchemy import select, update

from app.common.extensions import db
from app.common.personal_data import records
from app.demands.models import Demand, DemandAnswer, DemandEvent, DemandSupport

REMOVED_TEXT = "（提交人已注销账号，内容已删除）"


def _point(location):
    shape = to_shape(location)
    return {"lng": shape.x, "lat": shape.y, "coord": "wgs84"}


NEED_FIELDS = (
    "id",
    "kind",
    "business_type",
    "outlet_id",
    "text",
    "address",
    ("location", lambda d: _point(d.location)),
    "circle_id",
    "status",
    "public_reply",
    "photo_ids",
    "confirmation_answer",
    "confirmation_comment",
    "created_at",
    "closed_at",
)


def export(user) -> dict:
    return {
        "needs": records(Demand.user_id, user, NEED_FIELDS),
        "me_too": records(
            DemandSupport.user_id,
            user,
            (("need_id", lambda s: s.demand_id), "created_at"),
            order_by=DemandSupport.created_at,
        ),
        "solved_answers": records(
            DemandAnswer.user_id,
            user,
            (("need_id", lambda a: a.demand_id), "answer", "comment", "answered_at"),
            order_by=DemandAnswer.answered_at,
        ),
    }


def erase(erasure) -> None:
    user = erasure.user
    demands = db.session.scalars(select(Demand).where(Demand.user_id == user.id)).all()
    if erasure.remove_content:
        for demand in demands:
            demand.text, demand.address, demand.photo_ids = REMOVED_TEXT, "", []
            demand.confirmation_comment = None
            demand.moderation, demand.moderation_label = "hidden", "author_deleted"
        notes = db.session.execute(
            update(DemandEvent)
            .where(DemandEvent.actor_id == user.id, DemandEvent.note.is_not(None))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        comments = db.session.execute(
            update(DemandAnswer)
            .where(DemandAnswer.user_id == user.id, DemandAnswer.comment.is_not(None))
            .values(comment=None)
            .execution_options(synchronize_session=False)
        )
        erasure.count("needs_removed", len(demands))
        erasure.count("need_notes_removed", notes.rowcount + comments.rowcount)
    else:
        for demand in demands:
            erasure.keep_uploads.update(demand.photo_ids or [])
        erasure.count("needs_kept_anonymous", len(demands))
    # "Me too" rows and supporters' "is it solved?" answers stay, on the emptied account: support counts,
    # merges and the satisfaction of solved needs stay exact.
