import sys

import click
from flask.cli import AppGroup

from app.circles import settings
from app.circles.importer import ImportFileError, import_circles, load_feature_collection
from app.circles.models import CITY_TIERS
from app.common.errors import AppError

circles = AppGroup("circles", help="Circle plans: bulk import.")


def _given(**options) -> dict:
    """The city-setting options the operator gave."""
    return {key: value for key, value in options.items() if value is not None}


cities = AppGroup("cities", help="City settings: tier and profiles.")


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
@click.option("--tier", type=click.Choice(CITY_TIERS), default=None, help="Tier of the --city (chain-rate threshold).")
@click.option("--standards-profile", default=None, help="Standards profile of the --city (e.g. suihua).")
@click.option("--scoring-profile", default=None, help="Scoring profile of the --city (e.g. mofcom-2023).")
@click.option("--dry-run", is_flag=True, help="Validate everything, save nothing.")
def import_command(path, communities_path, city, coord, tier, standards_profile, scoring_profile, dry_run):
    """Load circles (and communities) from GeoJSON; re-running updates instead of duplicating.

    \b
    flask circles import plan.geojson --communities communities.geojson --city 密云区
    """
    try:
        collection = load_feature_collection(path)
        communities = load_feature_collection(communities_path) if communities_path else None
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    city_settings = _given(tier=tier, standards_profile=standards_profile, scoring_profile=scoring_profile)
    if city_settings and not city:
        raise click.UsageError("--tier/--standards-profile/--scoring-profile need --city")
    try:
        settings.validate_settings(city_settings)
    except AppError as error:
        raise click.ClickException(f"{error.message} {error.details or ''}".strip()) from None
    result = import_circles(
        collection, communities, city=city, coord=coord, dry_run=dry_run, city_settings=city_settings
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)


@cities.command("set")
@click.argument("city")
@click.option("--tier", type=click.Choice(CITY_TIERS), default=None, help="tier1 / tier2 / other")
@click.option("--standards-profile", default=None, help="Standards profile code (data/standards/*.toml).")
@click.option("--scoring-profile", default=None, help="Scoring profile code (data/scoring/*.toml).")
@click.option("--reason", default=None, help="Why (kept in the audit log).")
def set_command(city, tier, standards_profile, scoring_profile, reason):
    """Set a city's tier and profiles: flask cities set 绥化市 --tier other --standards-profile suihua"""
    changes = _given(tier=tier, standards_profile=standards_profile, scoring_profile=scoring_profile)
    try:
        found = settings.find_city(city)
        saved = settings.update_settings(None, found.id, changes, reason, source="cli")
    except AppError as error:
        raise click.ClickException(f"{error.message} {error.details or ''}".strip()) from None
    shown = settings.settings_dict(saved)
    click.echo(
        f"{shown['name']} (id {shown['id']}): tier {shown['tier']}, standards {shown['standards_profile']}, "
        f"scoring {shown['scoring_profile']}, chain-rate threshold {shown['chain_rate_min']:.0%}"
    )


commands = [circles, cities]
