"""A person's uploaded files: listed in the export; on 注销 every private one is erased (row and file).

Files still shown with content that stays public (a kept need's or rating's photos that passed the media
check, an unowned outlet's photos) stay, without an owner; which files are public is `access.is_public`,
the same rule the file routes apply (so `access.private_uploads` all go). Public files of content the
resident asked to remove go too.
"""

from sqlalchemy import select

from app.common.extensions import db
from app.common.personal_data import records
from app.uploads import access
from app.uploads.models import Upload
from app.uploads.service import public_url


def export(user) -> dict:
    # url: readable by the owner with their token
    fields = ("id", "purpose", "content_type", "size", "media_check", ("url", public_url), "created_at")
    return {"uploads": records(Upload.owner_user_id, user, fields, order_by=Upload.created_at)}


def erase(erasure) -> None:
    kept = erased = 0
    for upload in db.session.scalars(select(Upload).where(Upload.owner_user_id == erasure.user.id)).all():
        if upload.id in erasure.keep_uploads and access.is_public(upload):
            upload.owner_user_id = None
            kept += 1
            continue
        erasure.files += [upload.storage_key, upload.thumb_key]
        db.session.delete(upload)
        erased += 1
    erasure.count("files_erased", erased)
    erasure.count("files_kept_public", kept)
