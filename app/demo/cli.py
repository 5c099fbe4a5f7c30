import time

import click
from flask.cli import AppGroup

from app.demo.loader import DEFAULT_PER_10K, DEFAULT_SEED, load
from app.demo.writer import DemoConflict

demo = AppGroup(
    "demo",
    help="Demo data (synthetic): Miyun and Zhongwei circles, communities and outlets, and a live year of "
    "residents' survey answers, ratings and needs, projects, events and staff assessments.",
)


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when any circle already exists (for `make run`).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Same seed, same data.")
@click.option(
    "--outlets-per-10k",
    "per_10k",
    type=click.FloatRange(min=1),
    default=DEFAULT_PER_10K,
    show_default=True,
    help="Outlets per 10,000 residents (circles the plan calls sparse get fewer).",
)
@click.option(
    "--places-only",
    is_flag=True,
    help="Circles, communities and shops only, as before anyone used the platform: no repair prices or stalls, "
    "residents, survey answers, ratings, needs, projects, events or staff assessments (end-to-end tests).",
)
def load_command(if_empty, seed, per_10k, places_only):
    """Load the demo data, replacing an earlier demo load (only synthetic rows of the two demo cities)."""
    started = time.perf_counter()
    try:
        result = load(seed=seed, per_10k=per_10k, if_empty=if_empty, places_only=places_only)
    except DemoConflict as error:
        raise click.ClickException(str(error)) from None
    if result.skipped:
        click.echo("circles already exist; demo data not loaded (--if-empty)")
        return
    click.echo(
        f"demo data loaded in {time.perf_counter() - started:.1f} s (seed {seed}): {result.circles} circles, "
        f"{result.communities} communities, {result.outlets} outlets; all marked synthetic"
    )
    if result.activity:
        a = result.activity
        click.echo(
            f"live year: {a.residents} residents, {a.survey_answers} survey answers, {a.ratings} ratings, "
            f"{a.needs} needs, {a.projects} projects, {a.events} events, {a.assessments} staff assessments"
        )
        click.echo("scenarios: " + ", ".join(f"{key} {n}" for key, n in sorted(a.scenarios.items())))
    if result.fallback_circles:
        click.echo(f"placed on the fallback grid (四至 conflict): {'、'.join(result.fallback_circles)}")


commands = [demo]
