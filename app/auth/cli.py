import sys

import click
from flask.cli import AppGroup

from app.auth import service
from app.circles.settings import find_city
from app.common.errors import AppError

users = AppGroup("users", help="Staff and admin accounts.")


@users.command("create")
@click.option("--role", type=click.Choice(["staff", "bureau", "admin", "merchant"]), required=True)
@click.option("--username", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--circle", "circles", type=int, multiple=True, help="Circle id in the staff member's scope (repeat).")
@click.option("--city", "cities", multiple=True, help="City (name, code or id) a bureau account answers for (repeat).")
@click.option("--name", "display_name", default=None)
def create(role, username, password_stdin, circles, cities, display_name):
    """Create an account: flask users create --role staff --username U --password-stdin --circle 3

    \b
    flask users create --role bureau --username suihua-bureau --password-stdin --city 绥化市
    """
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        city_ids = [find_city(ref).id for ref in cities]
        user = service.create_user(username, password, role, circles, display_name, city_ids)
    except AppError as error:
        raise click.ClickException(f"{error.message} {error.details or ''}".strip()) from None
    scope = f"cities {user.scope_city_ids}" if role == "bureau" else f"circles {user.scope_circle_ids}"
    click.echo(f"created {role} {user.username} (id {user.id}, {scope})")


commands = [users]
