"""`meetmatch programmes`: set a programme (traject) up, list them, import its participants from a spreadsheet and
export them.

events/cli.py mounts this group. Like events/platform/cli.py, this module imports only click at the top; the
database layer loads when a command runs. Bad input ends with one clear line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from events.platform.cli import LANGUAGE, CliError, handled, prepared_settings, run, system_user, write_file

EXISTING = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@click.group("programmes")
def programmes_group() -> None:
    """Programmes (trajecten): participants of their own, target groups, stages, partners."""


async def _acting_for(session: Any, organisation_id: int) -> Any:
    """Who the command acts as for an organisation: its first active organiser (so the audit log names a person of
    the organisation), else "system"; either way for the whole installation, as every command."""
    from dataclasses import replace

    from sqlalchemy import select

    from events.platform.identity import CurrentUser
    from events.platform.models import Role, User
    from events.platform.services import to_current_user

    organiser = await session.scalar(
        select(User)
        .where(User.organisation_id == organisation_id, User.role == Role.ORGANISER, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    if organiser is not None:
        return replace(to_current_user(organiser), everywhere=True)
    return CurrentUser(
        id=0,
        email="",
        name="meetmatch",
        role=Role.ORGANISER,
        organisation_id=organisation_id,
        event_id=None,
        locale="nl",
        everywhere=True,
    )


@programmes_group.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The programme's name (unique within its organisation).")
@click.option("--organisation", "organisation_name", metavar="ORG", required=True, help="The organising organisation.")
@click.option("--description", default="", help="What the programme is for.")
@click.option("--target-group", "groups", metavar="NAME", multiple=True, help="A target group (repeat for more).")
@click.option(
    "--stage",
    "stage_names",
    metavar="NAME",
    multiple=True,
    help="An active stage, in order (repeat for more): replaces the default stages; the endings afgerond and "
    "uitgevallen stay.",
)
@handled
def add(
    slug: str,
    name: str,
    organisation_name: str,
    description: str,
    groups: tuple[str, ...],
    stage_names: tuple[str, ...],
) -> None:
    """Add a programme with address SLUG to an organising organisation, with its target groups and stages."""
    from events.platform.names import slugify

    wanted = slug.strip().lower()
    if not wanted or slugify(wanted, fallback="programme") != wanted:
        raise CliError(f"SLUG: {slug!r} is not a slug (use lowercase letters, digits and dashes, e.g. werkfit)")
    settings = prepared_settings()

    async def work() -> list[str]:
        from sqlalchemy import select

        from events.platform.db import open_session
        from events.platform.models import OrganisationKind, Programme
        from events.platform.organisations import named_organisation
        from events.programmes.enrolments import stages
        from events.programmes.services import create_programme
        from events.programmes.setup import add_target_group, set_stages

        async with open_session(settings) as session:
            organisation = await named_organisation(session, organisation_name, "organisation")
            if organisation.kind is not OrganisationKind.ORGANISER:
                raise CliError(f"--organisation: {organisation.name} is not an organising organisation")
            if await session.scalar(select(Programme.id).where(Programme.slug == wanted)) is not None:
                raise CliError(f"SLUG: a programme with the address {wanted!r} exists already")
            user = await _acting_for(session, organisation.id)
            programme = await create_programme(session, user, name, description, slug=wanted)
            for group in groups:
                await add_target_group(session, user, programme, group)
            if stage_names:
                await set_stages(session, user, programme, stage_names)
            ordered = await stages(session, programme.id)
            await session.commit()
            active = [s.name for s in ordered if s.kind.value == "active"]
            endings = [s.name for s in ordered if s.kind.value != "active"]
            return [
                f"created programme {programme.slug} ({programme.name}) of {organisation.name}, id {programme.id}",
                f"  target groups: {', '.join(g.strip() for g in groups) or '(none)'}",
                f"  stages: {' → '.join(active)}; endings: {', '.join(endings)}",
            ]

    for line in run(work()):
        click.echo(line)


@programmes_group.command("list")
@handled
def list_programmes() -> None:
    """Every programme: address, organisation, participants and name."""
    settings = prepared_settings()

    async def work() -> list[tuple[str, str, int, str]]:
        from sqlalchemy import func, select

        from events.platform.db import open_session
        from events.platform.models import Enrolment, Organisation, Programme

        async with open_session(settings) as session:
            counts = dict(
                (await session.execute(select(Enrolment.programme_id, func.count()).group_by(Enrolment.programme_id)))
                .tuples()
                .all()
            )
            found = await session.execute(
                select(Programme, Organisation.name)
                .join(Organisation, Organisation.id == Programme.organisation_id)
                .order_by(Organisation.name, Programme.name)
            )
            return [(p.slug, org, int(counts.get(p.id, 0)), p.name) for p, org in found.tuples()]

    rows = run(work())
    if not rows:
        click.echo("no programmes yet; add one with: meetmatch programmes add SLUG --name NAME --organisation ORG")
        return
    slug_width = max(4, *(len(r[0]) for r in rows))
    org_width = max(12, *(len(r[1]) for r in rows))
    click.echo(f"{'slug':<{slug_width}}  {'organisation':<{org_width}}  participants  name")
    for slug, org, count, name in rows:
        click.echo(f"{slug:<{slug_width}}  {org:<{org_width}}  {count:>12}  {name}")


@programmes_group.command("import")
@click.argument("programme_ref", metavar="SLUG")
@click.argument("path", metavar="FILE", type=EXISTING)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen; write nothing.")
@click.option(
    "--consent-date",
    metavar="DATE",
    help="Confirm that the new participants consented on this day (dd-mm-yyyy or yyyy-mm-dd).",
)
@click.option(
    "--consent-method",
    type=click.Choice(["verbal", "paper", "digital"]),
    default="verbal",
    show_default=True,
    help="How the new participants consented.",
)
@click.option(
    "--consent-purpose", metavar="TEXT", default="", help="What they agreed to (a standard text if left out)."
)
@LANGUAGE
@handled
def import_participants(
    programme_ref: str,
    path: Path,
    dry_run: bool,
    consent_date: str | None,
    consent_method: str,
    consent_purpose: str,
    language: str,
) -> None:
    """Import a programme's participants from a .csv or .xlsx file: every row, or none when a row is wrong.

    Columns by their Dutch or English headers: the person columns of `meetmatch import` (Voornaam, Achternaam,
    E-mail, Telefoon, Geboortedatum, Woonplaats, Coach e-mail, ...) and Doelgroep/Target group, Aangemeld
    door/Referred by (an organisation the programme knows, else kept as the referrer's name), Verwijzer/Referrer,
    Fase/Stage, Aanmelddatum/Referral date, Intakedatum/Intake date. Only the name columns are required.
    Problems are printed as "row N: field: reason" (the header is row 1); then nothing is imported. Every
    column with data that is not imported is listed. New people need a consent record: the row's own, or
    --consent-date.
    """
    from events.platform import i18n
    from events.platform.errors import DomainError
    from events.platform.import_files import check_file_size, read_table
    from events.registration.imports import consent_missing
    from events.registration.imports_cells import ImportConsent
    from events.registration.imports_fields import ImportRejected, guess_mapping, unused_lines

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
        from events.programmes.enrolments import get_programme
        from events.programmes.imports import PARTICIPANT_FIELDS, apply_participants, preview_participants

        with i18n.language(language):
            consent = None
            if consent_date is not None:
                consent = ImportConsent.parse(consent_method, consent_date, consent_purpose)
            mapping = guess_mapping(PARTICIPANT_FIELDS, table.headers)
            async with open_session(settings) as session:
                user = await system_user(session)
                programme = await get_programme(session, user, programme_ref)
                preview = await preview_participants(session, user, programme, table, mapping)
                unused = unused_lines(preview.unused)
                if preview.errors:
                    raise ImportRejected(preview.errors, unused)
                spread = [f"  target group {name}: {count}" for name, count in sorted(preview.groups.items())] + [
                    f"  stage {name}: {count}" for name, count in preview.stages.items()
                ]
                referrers = (
                    f"  referred by: {preview.referrers_linked} linked to an organisation of the programme, "
                    f"{preview.referrers_as_text} kept as the referrer's name"
                )
                if dry_run:
                    if preview.needs_consent and consent is None:
                        raise consent_missing(preview)
                    return [
                        f"dry run: {len(preview.rows)} rows are fine: {preview.new} new people, "
                        f"{preview.matched} matching known ones; nothing was written",
                        *spread,
                        referrers,
                        *unused,
                    ]
                result = await apply_participants(session, user, programme, table, mapping, consent)
                await session.commit()
        return [
            f"imported {result.rows} rows into {programme.slug}: {result.created} people created, "
            f"{result.matched} matched, {result.updated} updated",
            *[f"  {name.replace('_', ' ')}: {count}" for name, count in result.details.items()],
            *spread,
            referrers,
            *unused,
        ]

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
            "consent: new participants have no consent record in the file: confirm how and when they consented "
            "(--consent-date DD-MM-YYYY [--consent-method paper|digital]); nothing was imported"
        ) from None
    for line in lines:
        click.echo(line)


@programmes_group.command("export")
@click.argument("programme_ref", metavar="SLUG")
@click.argument("kind", type=click.Choice(["participants"]))
@click.option("-o", "--output", "path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--with-justice",
    is_flag=True,
    help="Add the criminal-justice data (detained, release date, criminal record); each person's read is audited.",
)
@LANGUAGE
@handled
def export_participants(programme_ref: str, kind: str, path: Path, with_justice: bool, language: str) -> None:
    """Export a programme's participants to .csv (UTF-8, `;`) or .xlsx, with target group, stage and referrer."""
    from events.platform import i18n
    from events.platform.spreadsheets import to_csv, to_xlsx

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CliError(f"{path.name}: choose a file name ending in .csv or .xlsx")
    settings = prepared_settings()

    async def work() -> int:
        from events.platform.db import open_session
        from events.programmes.enrolments import get_programme
        from events.programmes.exports import participant_rows

        with i18n.language(language):
            async with open_session(settings) as session:
                programme = await get_programme(session, await system_user(session), programme_ref)
                # The audit log names a person of the programme's own organisation (else "system").
                user = await _acting_for(session, programme.organisation_id)
                headers, rows = await participant_rows(session, user, programme, with_justice=with_justice)
                data = to_csv(headers, rows) if suffix == ".csv" else to_xlsx(headers, rows, title=kind)
                # The audit entries of the export are kept only once the file is there.
                write_file(path, data)
                await session.commit()
                return len(rows)

    count = run(work())
    click.echo(f"wrote {count} rows to {path}")
