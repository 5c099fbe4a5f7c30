"""Outlet photos as uploads see them (app/uploads/access.py): public while the outlet is published."""

from app.common.extensions import db
from app.outlets.models import Outlet
from app.uploads.access import Holder

PUBLISHED_STATUSES = ("approved", "suspended")


def photo_holder(upload) -> Holder | None:
    """The outlet showing an outlet photo (None before the photo is attached to one)."""
    if upload.outlet_id is None:
        return None
    outlet = db.session.get(Outlet, upload.outlet_id)
    if outlet is None:
        return None
    return Holder(published=outlet.status in PUBLISHED_STATUSES, circle_id=outlet.circle_id)
