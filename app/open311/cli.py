import click
from flask.cli import AppGroup

from app.open311 import service

open311 = AppGroup("open311", help="Open311 GeoReport v2 客户端密钥")


@open311.command("create-key")
@click.argument("name")
def create_key(name):
    """Create an API key for an Open311 client (printed once; only its hash is kept)."""
    click.echo(service.create_api_key(name))


@open311.command("revoke-key")
@click.argument("name")
def revoke_key(name):
    """Stop accepting a client's API key."""
    service.revoke_api_key(name)
    click.echo(f"revoked {name}")


commands = [open311]
