import sys

import click
from flask.cli import AppGroup

from app.auth import service
from app.common.errors import AppError

users = AppGroup("users", help="Staff and admin accounts.")


@users.command("create")
@click.option("--role", type=click.Choice(["staff", "admin", "merchant"]), required=True)
@click.option("--username", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--circle", "circles", type=int, multiple=True, help="Circle id in the staff member's scope (repeat).")
@click.option("--name", "display_name", default=None)
def create(role, username, password_stdin, circles, display_name):
    """Create an account: flask users create --role staff --username U --password-stdin --circle 3"""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        user = service.create_user(username, password, role, circles, display_name)
    except AppError as error:
        raise click.ClickException(f"{error.message} {error.details or ''}".strip()) from None
    click.echo(f"created {role} {user.username} (id {user.id}, circles {user.scope_circle_ids})")


commands = [users]
