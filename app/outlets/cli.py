import sys

import click
from flask.cli import AppGroup

from app.common.errors import ValidationFailed, one_line_reason
from app.outlets.importer import FORMATS, IMPORT_COORDS, SOURCES, ImportFileError, import_outlets

outlets = AppGroup("outlets", help="Outlet census: bulk import.")


class _Progress:
    """A bar over the file's bytes on stderr, only when stderr is a terminal (logs and pipes stay clean)."""

    def __init__(self, path):
        self.bar = None
        if sys.stderr.isatty():
            from pathlib import Path

            self.bar = click.progressbar(
                length=Path(path).stat().st_size, label="读取并暂存", file=sys.stderr, show_eta=True, width=30
            )
            self.bar.__enter__()
        self.done = 0

    def __call__(self, done, total):
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self):
        """Once the file is read (before the first bad row is reported); idempotent."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
            click.echo("校验、匹配并写入…", err=True)


@outlets.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, *SOURCES]),
    default=None,
    help="File type (csv / geojson / xlsx; default from the extension) or whose export it is (census / amap / "
    "tencent / baidu; default from the header).",
)
@click.option(
    "--coord",
    type=click.Choice(IMPORT_COORDS),
    default=None,
    help="Datum for rows without a `coord` value [default: gcj02 for CSV/Excel, AMap and Tencent; bd09 for "
    "Baidu; wgs84 for GeoJSON].",
)
@click.option("--dry-run", is_flag=True, help="Validate everything, save nothing.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date the census describes (YYYY-MM-DD); the outlet history dates its changes then [default: now].",
)
@click.option(
    "--rebuild-indexes",
    is_flag=True,
    help="First load into an empty (or nearly empty) outlets table: drop its search indexes for the load and "
    "build them again after it, in the same transaction. Faster for a large first load; while the import "
    "runs, every read of outlets (nearby search, detail, evaluation) waits for it to commit.",
)
def import_command(path, fmt, coord, dry_run, as_of, rebuild_indexes):
    """Load the outlet census or a map POI export; rows upsert by external_id, bad rows are reported and skipped.

    \b
    flask outlets import census.csv --coord gcj02
    flask outlets import census-2025.csv --as-of 2025-06-30
    flask outlets import amap-pois.xlsx            # AMap export: typecode → business type
    flask outlets import baidu.csv --format baidu  # BD-09 coordinates, Baidu tags
    flask outlets import province.csv --rebuild-indexes  # first load of a province (locks readers out)
    """
    progress = _Progress(path)

    def report(error):
        progress.close()
        click.echo(f"error: {error}", err=True)

    try:
        result = import_outlets(
            path,
            fmt=fmt,
            coord=coord,
            dry_run=dry_run,
            as_of=as_of and as_of.date(),
            progress=progress,
            on_error=report,
            rebuild_indexes=rebuild_indexes,
        )
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    except ValidationFailed as error:
        raise click.ClickException(one_line_reason(error)) from None
    finally:
        progress.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.summary())
    if result.failed:
        sys.exit(1)


commands = [outlets]
