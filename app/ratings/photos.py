"""Rating photos are uploads (app.uploads) claimed for the purpose "rating_photo"; ratings keep their ids."""

from sqlalchemy import select

from app.common.extensions import db
from app.uploads.models import Upload
from app.uploads.service import claim_uploads, public_url, thumb_url

PURPOSE = "rating_photo"
MAX_PHOTOS = 9


def claim(user, photo_ids: list[str], outlet) -> list[str]:
    """The user's uploads for this rating, in the order given (422 invalid_uploads otherwise)."""
    uploads = claim_uploads(user, photo_ids, purpose=PURPOSE, outlet_id=outlet.id, circle_id=outlet.circle_id)
    return [upload.id for upload in uploads]


def photos_by_id(photo_ids) -> dict[str, dict]:
    """{upload id: {"url", "thumb_url"}}; a photo shows only once its media check passed."""
    ids = sorted({i for i in photo_ids if i is not None})
    if not ids:
        return {}
    result = {}
    for upload in db.session.scalars(select(Upload).where(Upload.id.in_(ids))):
        url = public_url(upload)
        if url is not None:  # None while the media check is pending or after it failed
            result[upload.id] = {"url": url, "thumb_url": thumb_url(upload) or url}
    return result
