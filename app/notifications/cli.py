import time

import click
from flask.cli import AppGroup

from app.common.extensions import db
from app.notifications import service, worker

notifications = AppGroup("notifications", help="通知发件箱：转交队列、发送订阅消息")


@notifications.command("relay")
@click.option("--loop", is_flag=True, help="keep relaying every --interval seconds")
@click.option("--interval", default=2.0, show_default=True)
def relay_command(loop, interval):
    """Hand due outbox rows to the RQ queue (for a separate `rq worker notifications`)."""
    while True:
        count = worker.relay_once()
        click.echo(f"relayed {count}")
        db.session.remove()
        if not loop:
            return
        time.sleep(interval)


@notifications.command("work")
@click.option("--burst", is_flag=True, help="one relay + delivery pass, then exit")
@click.option("--interval", default=2.0, show_default=True)
def work_command(burst, interval):
    """Relay and deliver subscribe messages (the worker process)."""
    if burst:
        click.echo(worker.run_once())
        return
    worker.run_forever(interval)


@notifications.command("stats")
def stats_command():
    """Outbox messages per status."""
    for status, count in sorted(service.outbox_counts().items()):
        click.echo(f"{status}\t{count}")


commands = [notifications]
