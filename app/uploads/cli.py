import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import User
from app.common.extensions import db
from app.uploads.models import Upload
from app.uploads.service import start_media_check

uploads = AppGroup("uploads", help="Uploaded files.")


@uploads.command("recheck")
def recheck_command():
    """Start WeChat media checks that could not be started at upload time (WeChat fetches them from PUBLIC_BASE_URL)."""
    stuck = db.session.execute(
        select(Upload, User.openid)
        .join(User, User.id == Upload.owner_user_id)
        .where(Upload.media_check == "pending", Upload.media_trace_id.is_(None), User.openid.is_not(None))
        .order_by(Upload.id)
    ).all()
    started = 0
    for upload, openid in stuck:
        started += start_media_check(upload, openid).media_trace_id is not None
    click.echo(f"{started} of {len(stuck)} media checks started")


commands = [uploads]
