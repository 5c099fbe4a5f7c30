"""What a merchant sees of their own outlet's ratings: the visible ratings with their replies, which ones still
wait for a reply, and the credit level (信用等级) with the data and the rule behind it."""

from sqlalchemy import func, select

from app.common.errors import Forbidden, NotFound
from app.common.extensions import db
from app.common.paging import paginate
from app.common.policy import can_manage_outlet
from app.outlets.models import Outlet
from app.ratings import credit, present
from app.ratings.models import Rating


def own_outlet_ratings(user, outlet_id: int, page: int, page_size: int, replied: bool | None = None) -> dict:
    """Visible ratings newest first (`replied=False`: those without a reply yet), for the outlet's merchant or
    staff in scope."""
    outlet = db.session.get(Outlet, outlet_id)
    if outlet is None:
        raise NotFound("网点不存在", code="outlet_not_found")
    if not can_manage_outlet(user, outlet):
        raise Forbidden("只有该网点的商户或负责的工作人员可以查看", code="not_outlet_owner")
    visible = (Rating.outlet_id == outlet.id, Rating.status == "visible")
    query = select(Rating).where(*visible)
    if replied is not None:
        query = query.where(Rating.replied_at.is_not(None) if replied else Rating.replied_at.is_(None))
    listing = paginate(query.order_by(Rating.created_at.desc(), Rating.id.desc()), page, page_size, count=True)
    unreplied = db.session.scalar(select(func.count()).where(*visible, Rating.replied_at.is_(None)))
    return listing.with_items(present.public_many(listing.items)).envelope(
        rating=present.summary(outlet),
        unreplied=unreplied,
        credit=credit.credit_of(outlet),
    )
