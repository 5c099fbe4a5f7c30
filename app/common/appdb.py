"""The app's database (Flask-SQLAlchemy's `db`) for the modules app/common/extensions.py itself builds on (the error
handlers, the read path's session): importing app.common.extensions there would close a circle of imports."""

from flask import current_app


def app_db():
    """`app.common.extensions.db`, found through the current app."""
    return current_app.extensions["sqlalchemy"]
