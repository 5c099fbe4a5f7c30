import json

import click
from flask.cli import AppGroup

from app.evaluation import nightly

evaluation = AppGroup("evaluation", help="生活圈评价：预先计算全部城市与生活圈的评价（夜间任务）")


@evaluation.command("refresh")
@click.option("--chunk", default=nightly.CHUNK_CIRCLES, show_default=True, help="circles per set-based batch")
def refresh_command(chunk):
    """Recompute and cache every city's view and circle's result now (what the nightly job does)."""
    click.echo(json.dumps(nightly.refresh_all(limit=chunk), ensure_ascii=False))


commands = [evaluation]
