import sys

import click
from flask.cli import AppGroup

from app.outlets.importer import ImportFileError, import_outlets

outlets = AppGroup("outlets", help="Outlet census: bulk import.")


@outlets.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "geojson"]),
    default=None,
    help="Defaults to the file extension (.csv / .geojson, .json).",
)
@click.option(
    "--coord",
    type=click.Choice(["gcj02", "wgs84"]),
    default=None,
    help="Datum for rows without a `coord` value [default: gcj02 for CSV, wgs84 for GeoJSON].",
)
@click.option("--dry-run", is_flag=True, help="Validate everything, save nothing.")
def import_command(path, fmt, coord, dry_run):
    """Load the outlet census; rows upsert by external_id, bad rows are reported and skipped.

    \b
    flask outlets import census.csv --coord gcj02
    """
    try:
        result = import_outlets(path, fmt=fmt, coord=coord, dry_run=dry_run)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)


commands = [outlets]
