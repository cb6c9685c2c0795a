"""The ``meetmatch`` console script: the platform's own commands (db, serve, demo, users, jobs) and every
slice's commands mounted on the root group of events/platform/cli.py. Like that module, it imports click only
at the top, so that ``meetmatch schedule ...`` starts fast.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from events.platform.cli import (
    LANGUAGE,
    CliError,
    check_key,
    handle_errors,
    load_settings,
    main,
    prepare,
    prepared_settings,
    run,
    system_user,
    write_file,
)

# --- db --------------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    from events.platform.migrate import upgrade

    settings = load_settings()
    run(upgrade(settings))
    run(check_key(settings))
    click.echo("database is up to date")


@db.command("revision", hidden=True)
@click.option("-m", "--message", required=True)
@handle_errors
def db_revision(message: str) -> None:
    """Write a new migration from the models (developers)."""
    from events.platform.migrate import revision

    revision(load_settings(), message)


# --- serve and demo ----------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--demo", "with_demo", is_flag=True, help="Fill an empty database with the demo event first.")
@click.option("--migrate/--no-migrate", default=None, help="Apply migrations first (default: on SQLite only).")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="App processes; more than one needs PostgreSQL and MEETMATCH_REDIS_URL (sessions, throttles and live "
    "updates are shared through Redis).",
)
@handle_errors
def serve(host: str, port: int, with_demo: bool, migrate: bool | None, workers: int) -> None:
    """Serve the web app (http://127.0.0.1:8000 by default).

    Without MEETMATCH_BASE_URL, badges, calendar links and e-mails carry the address served on (with --host
    0.0.0.0: this machine's network address).
    """
    import uvicorn

    from events.platform.serving import served_address

    settings = load_settings()
    if workers > 1 and settings.is_sqlite:
        raise CliError("--workers: several processes need PostgreSQL (MEETMATCH_DATABASE_URL); SQLite serves one")
    if workers > 1 and not settings.redis_url:
        raise CliError(
            "--workers: several processes need MEETMATCH_REDIS_URL, so that a login, a throttle and a live "
            "update on one are seen by the others"
        )
    address = served_address(host, port, settings.base_url if settings.base_url_set else None)
    # Said first, before the demo's logins scroll it away.
    click.echo(f"Open {address.base_url}/ in a browser (press Ctrl+C to stop).")
    if not settings.base_url_set:
        # What the app puts in QR codes, calendar links and e-mails follows where it is served; the app (in
        # uvicorn's workers too) reads its settings from the environment.
        os.environ["MEETMATCH_BASE_URL"] = address.base_url
        settings = settings.with_changes(base_url=address.base_url)
    # --demo creates what it needs, on PostgreSQL too; otherwise only the SQLite default migrates itself.
    run(prepare(settings, migrate=(settings.is_sqlite or with_demo) if migrate is None else migrate))
    if with_demo:
        from events.demo.seed import build_demo, print_logins

        result = run(build_demo(settings))
        print_logins(result, settings)
    # Background jobs (outbox, reminders) run on a timer inside the server unless told otherwise.
    os.environ.setdefault("MEETMATCH_JOBS_INTERVAL", "60")
    for note in address.notes:
        click.echo(note)
    click.echo(f"meetmatch serves on {address.base_url}/  (press Ctrl+C to stop)")
    uvicorn.run(
        "events.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # Forwarded headers are read by the app itself, and only from MEETMATCH_TRUSTED_PROXIES.
        proxy_headers=False,
    )


@main.command()
@handle_errors
def demo() -> None:
    """Create (or keep) the demo event "Samen Werkt!", held today, with its accounts, and print the logins (run
    again on a later day, it moves the event to that day)."""
    from events.demo.seed import build_demo, print_logins
    from events.platform.migrate import upgrade

    settings = load_settings()
    run(upgrade(settings))
    run(check_key(settings))
    result = run(build_demo(settings))
    print_logins(result, settings)


# --- users ---------------------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Accounts."""


@users.command("add")
@click.option("--role", required=True, help="admin, organiser, coach, employer or door.")
@click.option("--email", required=True, help="The login e-mail address.")
@click.option("--name", default=None, help="Display name (default: the part before the @).")
@click.option(
    "--organisation",
    default=None,
    help="The account's organisation, made first with `meetmatch organisations add` (may be left out on an"
    " installation with one organising organisation; an administrator belongs to none).",
)
@click.option("--event", "event_ref", default=None, help="Door staff only: limit to this event (id or slug).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", default="nl", type=click.Choice(["nl", "en"]), show_default=True)
@handle_errors
def users_add(
    role: str,
    email: str,
    name: str | None,
    organisation: str | None,
    event_ref: str | None,
    password_stdin: bool,
    language: str,
) -> None:
    """Create an account in an existing organisation. Without --password-stdin a password is generated and
    printed once."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        generated = False
    else:
        password = secrets.token_urlsafe(12)
        generated = True
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))

    async def add() -> Any:
        from events.platform.db import open_session
        from events.platform.organisations import create_user
        from events.platform.services import find_event

        async with open_session(settings) as session:
            event = await find_event(session, event_ref) if event_ref else None
            if event is not None and role != "door":
                raise CliError("--event: only door accounts are limited to one event")
            user = await create_user(
                session,
                email=email,
                role=role,
                name=name,
                password=password,
                organisation=organisation,
                event=event,
                locale=language,
            )
            await session.commit()
            return user

    user = run(add())
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")
    if generated:
        click.echo(f"password: {password}")


@users.command("reset-two-factor")
@click.argument("email")
@handle_errors
def users_reset_two_factor(email: str) -> None:
    """Switch an account's two-factor login off (a lost phone and no recovery codes left). An organiser or
    coach sets it up again at their next login; the reset is written to the audit log."""
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))

    async def reset() -> Any:
        from sqlalchemy import select

        from events.platform import twofactor
        from events.platform.db import open_session
        from events.platform.models import User
        from events.platform.services import audit, normalise_email

        async with open_session(settings) as session:
            user = await session.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None:
                raise CliError(f"EMAIL: no account with the e-mail address {email}")
            was_on = twofactor.is_on(user)
            await twofactor.switch_off(session, user)
            await audit(session, None, "two_factor_reset", "user", user.id, detail={"was_on": was_on})
            await session.commit()
            return user.email, was_on, twofactor.required_for(user.role)

    address, was_on, required = run(reset())
    if not was_on:
        click.echo(f"{address} had no two-factor login; nothing changed")
    elif required:
        click.echo(f"two-factor login of {address} is reset: they set it up again at their next login")
    else:
        click.echo(f"two-factor login of {address} is off")


@users.command("allow-justice")
@click.argument("email")
@click.option("--undo", is_flag=True, help="Take the permission back.")
@handle_errors
def users_allow_justice(email: str, undo: bool) -> None:
    """Allow an organiser to read the criminal-justice data (detention, release date, criminal record) of their
    organisation's programme participants, or (--undo) take it back; written to the audit log."""
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))

    async def change() -> str:
        from sqlalchemy import select

        from events.platform.db import open_session
        from events.platform.models import Role, User
        from events.platform.services import audit, normalise_email

        async with open_session(settings) as session:
            user = await session.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None:
                raise CliError(f"EMAIL: no account with the e-mail address {email}")
            if user.role is not Role.ORGANISER:
                raise CliError(f"EMAIL: {user.email} is no organiser; coaches read it of their own people")
            user.reads_justice = not undo
            await audit(session, None, "deny_justice" if undo else "allow_justice", "user", user.id)
            await session.commit()
            return str(user.email)

    address = run(change())
    click.echo(f"{address} {'no longer reads' if undo else 'reads'} criminal-justice data")


# --- jobs ------------------------------------------------------------------------------------------


@main.group()
def jobs() -> None:
    """Background work: e-mail and reminders (`serve` also runs it on a timer)."""


@jobs.command("run")
@click.option(
    "--job",
    "names",
    multiple=True,
    metavar="NAME",
    help="Run only this job (reminders, arrivals, retention, outbox); repeatable.",
)
@handle_errors
def jobs_run(names: tuple[str, ...]) -> None:
    """Run every background job once: safe from cron and from several processes at the same time."""
    from events.platform.db import create_engine, dispose_engine, session_maker
    from events.platform.jobs import JOBS, run_jobs

    unknown = set(names) - {job.name for job in JOBS}
    if unknown:
        raise CliError(f"--job: unknown job {', '.join(sorted(unknown))} (jobs: {', '.join(j.name for j in JOBS)})")
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))

    async def work() -> list[str]:
        engine = create_engine(settings)
        try:
            return await run_jobs(session_maker(engine), settings, names)
        finally:
            await dispose_engine(engine)

    for line in run(work()):
        click.echo(line)


# --- export: spreadsheets of registration and of results ----------------------------------------------

OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command("export")
@click.argument("event_ref", metavar="EVENT")
@click.argument("kind", type=click.Choice(["candidates", "employers", "preferences", "guests", "outcomes"]))
@click.option("-o", "--output", "path", required=True, type=OUTPUT, help="The file to write: .csv or .xlsx.")
@click.option(
    "--personal",
    is_flag=True,
    help="outcomes only: one line per outcome with the candidate's name and the employer (recorded in the "
    "audit log) instead of the anonymised figures for funders.",
)
@LANGUAGE
@handle_errors
def export_command(event_ref: str, kind: str, path: Path, personal: bool, language: str) -> None:
    """Export an event's candidates, employers (one line per opening), preferences, guests or outcomes to .csv or
    .xlsx.

    outcomes: the results' figures for funders, anonymised (no names; groups of fewer than 5 people shown
    as <5); with --personal, each outcome with the candidate's name and the employer.
    """
    from events.platform import i18n
    from events.platform.cli import CliError, run
    from events.platform.spreadsheets import to_csv, to_xlsx
    from events.registration.exports import export_rows

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CliError(f"{path.name}: choose a file name ending in .csv or .xlsx")
    if personal and kind != "outcomes":
        raise CliError("--personal: only with outcomes")
    settings = prepared_settings()

    async def work() -> tuple[bytes, int]:
        from events.platform import dates
        from events.platform.db import open_session
        from events.platform.services import find_event
        from events.results import services as results

        with i18n.language(language):
            async with open_session(settings) as session:
                event = await find_event(session, event_ref)
                user = await system_user(session)
                if kind == "outcomes" and personal:
                    headers, rows = await results.personal_export(session, user, event)
                elif kind == "outcomes":
                    headers, rows = await results.funder_export(session, user, event, dates.today())
                else:
                    headers, rows = await export_rows(session, user, event, kind)
                data = to_csv(headers, rows) if suffix == ".csv" else to_xlsx(headers, rows, title=kind)
                # The audit entry of the export is kept only once the file is there.
                write_file(path, data)
                await session.commit()
                return data, len(rows)

    _, count = run(work())
    click.echo(f"wrote {count} rows to {path}")


def _mount_slices() -> None:
    # The scheduler's commands live with the scheduler; importing them is cheap (no solver, no web stack).
    from badges.calendars.cli import ics_command
    from badges.mail.cli import mail_command
    from badges.printing.cli import badges_command
    from events.accounts.cli import organisations_group
    from events.backup.cli import backup_command, restore_command
    from events.platform import personal_data
    from events.privacy.cli import retention_group
    from events.programmes.cli import programmes_group
    from events.registration.cli import events_group, import_command
    from events.results.cli import report_command
    from schedule.cli import schedule_group
    from schedule.cli_app import build_command
    from schedule.cli_app import export_command as export_programme

    schedule_group.add_command(build_command)
    schedule_group.add_command(export_programme)
    main.add_command(schedule_group)
    main.add_command(organisations_group, "organisations")
    main.add_command(programmes_group, "programmes")
    main.add_command(import_command, "import")
    main.add_command(events_group, "events")
    main.add_command(export_command, "export")
    main.add_command(ics_command, "ics")
    main.add_command(mail_command, "mail")
    main.add_command(badges_command, "badges")
    main.add_command(report_command, "report")
    main.add_command(retention_group, "retention")
    main.add_command(backup_command, "backup")
    main.add_command(restore_command, "restore")
    # Retention, a restore and the jobs reach every slice's part of a person's data (events.platform.
    # personal_data); the slices' parts are imported only when one of them runs.
    personal_data.register_later(_personal_data_parts)


def _personal_data_parts() -> Any:
    from events.app import PERSONAL_DATA

    return PERSONAL_DATA


_mount_slices()


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
