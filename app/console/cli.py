"""`flask console demo-accounts`: the console's sign-ins for local use, passwords printed once."""

import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import service as auth
from app.auth.models import User
from app.circles.models import Circle
from app.common import geo
from app.common.extensions import db

console = AppGroup("console", help="The staff and bureau web console.")

# The demo circle the mini-program tests also stand in (御东园社区生活圈, Miyun), as GCJ-02 lng/lat.
DEMO_POINT_GCJ02 = (116.8492, 40.3775)


def _demo_circle():
    from app.circles.service import locate

    try:
        return locate(*geo.to_wgs84(*DEMO_POINT_GCJ02, "gcj02"))[0]
    except Exception:  # no circle there (demo not loaded): fall back to the first circle
        return db.session.scalar(select(Circle).order_by(Circle.id))


@console.command("demo-accounts")
def demo_accounts():
    """Creates demo_bureau (the bureau of the demo circle's city) and demo_staff (staff of the demo circle) when
    missing, and prints each new password once; existing accounts are left alone."""
    circle = _demo_circle()
    if circle is None:
        raise click.ClickException("没有生活圈：先运行 flask demo load")
    wanted = [
        ("demo_bureau", "bureau", [], [circle.city_id], f"{circle.city.name}商务局 演示账号"),
        ("demo_staff", "staff", [circle.id], [], f"{circle.name} 工作人员"),
    ]
    for username, role, circles, cities, name in wanted:
        if db.session.scalar(select(User).where(User.username == username)):
            click.echo(f"console account {username} exists (its password was printed when it was created)")
            continue
        password = secrets.token_urlsafe(12)
        auth.create_user(username, password, role, circles, name, cities)
        where = f", circle {circle.id} {circle.name}" if circles else f", city {circle.city.name}"
        click.echo(f"console account created: {username} / {password}  ({role}{where}) — shown only now")


commands = [console]
