import sys

import click
from flask.cli import AppGroup

from app.common.errors import ValidationFailed, one_line_reason
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
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date the census describes (YYYY-MM-DD); the outlet history dates its changes then [default: now].",
)
def import_command(path, fmt, coord, dry_run, as_of):
    """Load the outlet census; rows upsert by external_id, bad rows are reported and skipped.

    \b
    flask outlets import census.csv --coord gcj02
    flask outlets import census-2025.csv --as-of 2025-06-30
    """
    try:
        result = import_outlets(path, fmt=fmt, coord=coord, dry_run=dry_run, as_of=as_of and as_of.date())
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    except ValidationFailed as error:
        raise click.ClickException(one_line_reason(error)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)


commands = [outlets]
