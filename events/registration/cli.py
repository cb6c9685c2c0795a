"""`meetmatch import`: an event's candidates and employers from a spreadsheet (`meetmatch export`, which also writes
the results' outcomes, is in events/cli.py: it spans registration and results).

events/cli.py mounts these commands. Like events/platform/cli.py, this module imports only click at the top;
the database layer loads when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from events.platform.cli import LANGUAGE, handled, prepared_settings, system_user

EXISTING = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@click.command("import")
@click.argument("event_ref", metavar="EVENT")
@click.argument("kind", type=click.Choice(["candidates", "employers"]))
@click.argument("path", metavar="FILE", type=EXISTING)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen; write nothing.")
@click.option(
    "--consent-date",
    metavar="DATE",
    help="Confirm that the new candidates consented on this day (dd-mm-yyyy or yyyy-mm-dd).",
)
@click.option(
    "--consent-method",
    type=click.Choice(["verbal", "paper", "digital"]),
    default="verbal",
    show_default=True,
    help="How the new candidates consented.",
)
@click.option(
    "--consent-purpose", metavar="TEXT", default="", help="What they agreed to (a standard text if left out)."
)
@LANGUAGE
@handled
def import_command(
    event_ref: str,
    kind: str,
    path: Path,
    dry_run: bool,
    consent_date: str | None,
    consent_method: str,
    consent_purpose: str,
    language: str,
) -> None:
    """Import candidates or employers from a .csv or .xlsx file: every row, or none when a row is wrong.

    Columns are recognised by their Dutch or English headers (Voornaam/First name, Achternaam/Last name,
    E-mail, Telefoon, Geboortedatum, Woonplaats, Coach e-mail, Sectoren, Uren per week, Rondes, Status,
    Doelgroep/Target group, Toestemming/Consent date, Toestemming via/Consent method; Werkgever, Tafels,
    Plaatsen per tafel, Contactpersoon, Vacature, Soort, Sector, Omschrijving).
    Problems are printed as "row N: field: reason" (the header is row 1); then nothing is imported. Every
    column with data that is not read is listed as "column not used" (reported, not refused).

    Every new candidate gets a consent record: a row's own consent date, or else the one confirmed
    with --consent-date; a candidate import with new people and neither is refused.
    """
    from events.platform import i18n
    from events.platform.cli import CliError, run
    from events.platform.errors import DomainError
    from events.platform.import_files import check_file_size
    from events.registration.imports import apply_import, consent_missing, preview_import, read_table
    from events.registration.imports_cells import ImportConsent
    from events.registration.imports_fields import ImportRejected, guess_mapping, unused_columns, unused_lines

    with i18n.language(language):
        try:
            check_file_size(path.stat().st_size)  # before the file is read into memory
            data = path.read_bytes()
        except OSError as exc:
            raise CliError(f"{path}: cannot read: {exc.strerror}") from None
        # Read, or refused when over a limit, before the database is touched.
        table = read_table(data, path.name)
    settings = prepared_settings()

    async def work() -> list[str]:
        from events.platform.db import open_session
        from events.platform.services import find_event

        with i18n.language(language):
            consent = None
            if consent_date is not None:
                consent = ImportConsent.parse(consent_method, consent_date, consent_purpose)
            mapping = guess_mapping(kind, table.headers)
            async with open_session(settings) as session:
                event = await find_event(session, event_ref)
                user = await system_user(session)
                # No column with data is dropped without a word: the ones not read are listed, run or dry run.
                unused = unused_lines(unused_columns(table, mapping))
                if dry_run:
                    preview = await preview_import(session, user, event, kind, table, mapping)
                    if preview.errors:
                        raise ImportRejected(preview.errors, unused)
                    if preview.needs_consent and consent is None:
                        raise consent_missing(preview)
                    noun = "candidates" if kind == "candidates" else "organisations"
                    return [
                        f"dry run: {len(preview.rows)} rows are fine: {preview.new} new {noun}, "
                        f"{preview.matched} matching existing ones; nothing was written",
                        *unused,
                    ]
                try:
                    result = await apply_import(session, user, event, kind, table, mapping, consent)
                except ImportRejected as exc:
                    raise ImportRejected(exc.errors, unused) from None
                await session.commit()
        noun = "candidates" if kind == "candidates" else "organisations"
        lines = [
            f"imported {result.rows} rows into {event.slug}: {result.created} {noun} created, "
            f"{result.matched} matched, {result.updated} updated"
        ]
        lines += [f"  {name.replace('_', ' ')}: {count}" for name, count in result.details.items()]
        return lines + unused

    try:
        lines = run(work())
    except ImportRejected as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        for line in exc.notes:
            click.echo(line, err=True)
        raise CliError(f"{len(exc.errors)} problem(s) in {path.name}; nothing was imported") from None
    except DomainError as exc:
        if exc.code != "consent_required":
            raise
        raise CliError(
            f"consent: {exc.message} (--consent-date DD-MM-YYYY [--consent-method paper|digital]); nothing was imported"
        ) from None
    for line in lines:
        click.echo(line)


@click.group("events")
def events_group() -> None:
    """Events: a meet & match with speed-date rounds, or a plenary gathering without rounds."""


@events_group.command("add")
@click.argument("name")
@click.option("--date", "day", required=True, metavar="DATE", help="The event's day (yyyy-mm-dd).")
@click.option("--organisation", default=None, help="The organising organisation (default: the only one).")
@click.option(
    "--kind",
    type=click.Choice(["meet_match", "plenary"]),
    default=None,
    help="meet_match (speed-date rounds) or plenary (no rounds); --rounds 0 alone makes a plenary gathering.",
)
@click.option("--rounds", type=int, default=None, help="Number of rounds (0 for a plenary gathering; default 6).")
@click.option("--start", default="14:00", show_default=True, help="When it starts (the first round), HH:MM.")
@click.option("--venue", default="", help="Where it is.")
@click.option("--slug", default="", help="Its short address (made from the name when left out).")
@handled
def events_add(
    name: str,
    day: str,
    organisation: str | None,
    kind: str | None,
    rounds: int | None,
    start: str,
    venue: str,
    slug: str,
) -> None:
    """Add an event in draft, owned by an organising organisation."""
    import dataclasses

    import msgspec

    from events.platform.cli import CliError, run
    from events.platform.models import Role

    settings = prepared_settings()

    async def work() -> Any:
        from events.platform.db import open_session
        from events.platform.organisations import organisation_for_account
        from events.registration.inputs import EventInput
        from events.registration.services import create_event

        try:
            data = msgspec.convert(
                {
                    "name": name,
                    "date": day,
                    "kind": kind,
                    "rounds": rounds,
                    "first_round_start": start,
                    "venue": venue,
                    "slug": slug,
                },
                EventInput,
            )
        except msgspec.ValidationError as exc:
            raise CliError(f"invalid input: {exc}") from None
        async with open_session(settings) as session:
            owner = await organisation_for_account(session, Role.ORGANISER, organisation)
            user = dataclasses.replace(await system_user(session), organisation_id=owner.id if owner else None)
            event = await create_event(session, user, data)
            await session.commit()
            return event

    event = run(work())
    what = "plenary gathering" if event.plenary else f"meet & match event with {event.rounds} rounds"
    click.echo(f"created {what} {event.slug} (id {event.id}) on {event.date.isoformat()}")
