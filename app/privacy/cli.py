import logging
import time

import click
from flask.cli import AppGroup

from app.common import retention as rules
from app.common.extensions import db

log = logging.getLogger(__name__)

retention = AppGroup("retention", help="保存期限：按登记的规则删除过期记录")


@retention.command("list")
def list_command():
    """The registered rules: table, age column, setting and current number of days."""
    for rule in rules.rules():
        days = rule.days()
        click.echo(
            f"{rule.name}\t{rule.table}.{rule.timestamp}\t{rule.setting}={days}"
            f"\t{'forever' if days <= 0 else f'{days} days'}\t{rule.why}"
        )


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="count what is due without deleting")
@click.option("--every", type=float, default=None, help="keep running, one pass every N seconds (e.g. 86400)")
def run_command(dry_run, every):
    """Delete what is older than its retention period (daily: cron or the compose `retention` service)."""
    while True:
        try:
            for name, count in rules.run(dry_run=dry_run).items():
                click.echo(f"{name}\t{count}\t{'due' if dry_run else 'deleted'}")
        except Exception:
            if every is None:
                raise
            log.exception("retention pass failed")  # a database outage must not end the loop
            db.session.rollback()
        db.session.remove()
        if every is None:
            return
        time.sleep(every)


accounts = AppGroup("accounts", help="个人信息：代居民办理注销（如居民已无法登录微信）")


@accounts.command("delete")
@click.argument("user_id", type=int)
@click.option("--remove-content", is_flag=True, help="also remove their public needs and ratings")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def delete_command(user_id, remove_content, yes):
    """Delete a resident's or merchant's account as if they had done it in the mini-program."""
    from app.auth.models import User
    from app.common.errors import AppError
    from app.privacy.service import delete_account

    user = db.session.get(User, user_id)
    if user is None:
        raise click.ClickException(f"no account {user_id}")
    if not yes:
        click.confirm(f"delete account {user_id} ({', '.join(user.roles)})?", abort=True)
    try:
        result = delete_account(user, remove_content)
    except AppError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"deleted account {user_id}: {result['counts']}")


commands = [retention, accounts]
