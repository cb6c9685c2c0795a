"""`meetmatch retention run`: anonymise everyone whose retention period has passed, and replay the erasure ledger.

events/cli.py mounts this group while it is itself being imported, so the shared helpers are fetched when the
command runs (as events/registration/cli.py does).
"""

from __future__ import annotations

import datetime as dt

import click

from events.platform.cli import handled


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@click.group("retention")
def retention_group() -> None:
    """Personal data kept only as long as needed: anonymised after each event's retention period."""


@retention_group.command("run")
@click.option(
    "--today",
    callback=_day,
    metavar="YYYY-MM-DD",
    help="Act as if it were this day (Amsterdam time); default: today. For checking what a day would do.",
)
@click.option("--dry-run", is_flag=True, help="Only count who is due; erase nothing.")
@handled
def retention_run(today: dt.date | None, dry_run: bool) -> None:
    """Anonymise everyone whose date has come, and erase again whoever the erasure ledger names (after a
    restore from an older backup). Safe from cron and from several processes at once."""
    from events.platform.cli import load_settings, prepare, run
    from events.platform.db import create_engine, dispose_engine, session_maker
    from events.platform.models import EVENT_TZ
    from events.privacy.logs import keep_personal_data_out_of_logs
    from events.privacy.retention import run_retention

    keep_personal_data_out_of_logs()
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))
    day = today or dt.datetime.now(EVENT_TZ).date()

    async def work() -> str:
        engine = create_engine(settings)
        try:
            report = await run_retention(session_maker(engine), settings, day, dry_run=dry_run)
        finally:
            await dispose_engine(engine)
        return str(report)

    click.echo(run(work()))
