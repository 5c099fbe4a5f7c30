import sys

import click
from flask.cli import AppGroup

from app.circles.importer import ImportFileError, import_circles, load_feature_collection

circles = AppGroup("circles", help="Circle plans: bulk import.")


@circles.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--communities",
    "communities_path",
    type=click.Path(exists=True, dir_okay=False),
    help="GeoJSON of communities; each feature names its circle in the `circle` property.",
)
@click.option("--city", default=None, help="City for features without a `city` property.")
@click.option(
    "--coord",
    type=click.Choice(["wgs84", "gcj02"]),
    default="wgs84",
    show_default=True,
    help="Datum of the boundaries (GeoJSON is WGS-84 by RFC 7946).",
)
@click.option("--dry-run", is_flag=True, help="Validate everything, save nothing.")
def import_command(path, communities_path, city, coord, dry_run):
    """Load circles (and communities) from GeoJSON; re-running updates instead of duplicating.

    \b
    flask circles import plan.geojson --communities communities.geojson --city 密云区
    """
    try:
        collection = load_feature_collection(path)
        communities = load_feature_collection(communities_path) if communities_path else None
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    result = import_circles(collection, communities, city=city, coord=coord, dry_run=dry_run)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)


commands = [circles]
