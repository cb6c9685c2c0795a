"""Importing employers: one row per opening or contact, grouped by organisation (known ones matched by name),
then written: the organisation, its participation in the event, its contacts and its openings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import i18n
from events.platform.import_files import Table
from events.platform.models import (
    EmployerContact,
    EmployerParticipation,
    Event,
    Opening,
    Organisation,
    OrganisationKind,
    PathwayKind,
)
from events.registration.imports_cells import (
    RowParser,
    parse_email,
    parse_int,
    parse_opening_kind,
    parse_rounds,
    parse_rows,
    parse_sector,
)
from events.registration.imports_fields import ImportResult, ParsedRow, RowError, assign_changes


def _employer_row(p: RowParser, event: Event) -> None:
    p.text("organisation", required=True)
    p.parsed("tables", lambda raw: parse_int(raw, 1, 100))
    # Seats above the event's maximum are capped when written, not refused: the organiser set the maximum.
    p.parsed("seats", lambda raw: parse_int(raw, 1, 100))
    p.parsed("rounds", lambda raw: parse_rounds(raw, event.rounds))
    p.text("contact_name")
    p.parsed("contact_email", parse_email)
    p.text("contact_phone")
    p.text("opening_title")
    p.parsed("opening_kind", parse_opening_kind)
    p.parsed("hours_per_week", lambda raw: parse_int(raw, 0, 80))
    p.parsed("sector", parse_sector)
    p.text("description")


async def check_employers(
    session: AsyncSession, event: Event, table: Table, mapping: dict[int, str], errors: list[RowError]
) -> tuple[list[ParsedRow], dict[str, Organisation]]:
    """Every row parsed and matched by name against the organisations we know (folded name -> organisation);
    problems go to ``errors``."""
    rows = parse_rows(table, mapping, errors, lambda p: _employer_row(p, event))
    organisations = await _organisations_by_name(
        session, (r.values["organisation"] for r in rows if r.values.get("organisation"))
    )
    for parsed in rows:
        found = organisations.get(parsed.values.get("organisation", "").casefold())
        if found is not None and found.kind is not OrganisationKind.EMPLOYER:
            # An organising or partner organisation never takes part as an employer (see employers.add_employer).
            message = i18n.gettext("%(name)s is not an employer here; give the employer's own name", name=found.name)
            errors.append(RowError(parsed.row, "organisation", message))
            continue
        parsed.existing_id = found.id if found else None
    return rows, organisations


async def _organisations_by_name(session: AsyncSession, names: Iterable[str]) -> dict[str, Organisation]:
    wanted = {" ".join(name.split()).casefold() for name in names}
    if not wanted:
        return {}
    # Compared in Python: SQLite's lower() folds ASCII only ("CAFÉ" would not meet "Café").
    found: dict[str, Organisation] = {}
    for organisation in await session.scalars(select(Organisation).order_by(Organisation.id)):
        key = " ".join(organisation.name.split()).casefold()
        if key in wanted:
            found.setdefault(key, organisation)
    return found


async def apply_employers(
    session: AsyncSession, event: Event, checked_rows: list[ParsedRow], organisations: dict[str, Organisation]
) -> ImportResult:
    """Write checked rows, grouped by organisation: new organisations created, each one's participation in the
    event created or brought up to the sheet, its contacts and openings added or updated."""
    groups: dict[str, list[ParsedRow]] = {}
    for parsed in checked_rows:
        groups.setdefault(parsed.values["organisation"].casefold(), []).append(parsed)
    created = matched = updated = 0
    counts = {"participations_created": 0, "contacts_created": 0, "openings_created": 0, "openings_updated": 0}
    for key, rows in groups.items():
        values = rows[0].values

        def first(name: str, rows: list[ParsedRow] = rows) -> Any:
            return next((r.values[name] for r in rows if r.values.get(name) is not None), None)

        organisation = organisations.get(key)
        if organisation is None:
            organisation = Organisation(
                name=values["organisation"], kind=OrganisationKind.EMPLOYER, sector=first("sector")
            )
            session.add(organisation)
            await session.flush()
            organisations[key] = organisation
            created += 1
        else:
            matched += 1
            if organisation.sector is None and first("sector"):
                organisation.sector = first("sector")
        participation = await session.scalar(
            select(EmployerParticipation)
            .where(EmployerParticipation.event_id == event.id, EmployerParticipation.organisation_id == organisation.id)
            .options(selectinload(EmployerParticipation.openings), selectinload(EmployerParticipation.contacts))
        )
        seats = first("seats")
        wanted = {
            "tables": first("tables"),
            "seats": min(seats, event.max_seats) if seats is not None else None,
            "rounds": first("rounds"),
        }
        if participation is None:
            participation = EmployerParticipation(
                event_id=event.id,
                organisation_id=organisation.id,
                tables=wanted["tables"] or 1,
                seats=wanted["seats"] or 1,
                rounds=wanted["rounds"],
                openings=[],
                contacts=[],
            )
            session.add(participation)
            await session.flush()
            counts["participations_created"] += 1
        else:
            updated += assign_changes(participation, {k: v for k, v in wanted.items() if v is not None})
        counts["contacts_created"] += _merge_contacts(participation, rows)
        created_openings, updated_openings = _merge_openings(participation, organisation, rows)
        counts["openings_created"] += created_openings
        counts["openings_updated"] += updated_openings
        await session.flush()
    return ImportResult(
        kind="employers",
        rows=len(checked_rows),
        created=created,
        matched=matched,
        updated=updated,
        details=counts,
    )


def _merge_contacts(participation: EmployerParticipation, rows: Sequence[ParsedRow]) -> int:
    """Add each contact person named in the rows unless the participation has them (same e-mail or name)."""
    added = 0
    for parsed in rows:
        name = parsed.values.get("contact_name")
        email = parsed.values.get("contact_email")
        phone = parsed.values.get("contact_phone")
        if not (name or email):
            continue
        contact = next(
            (
                c
                for c in participation.contacts
                if (email and (c.email or "").lower() == email) or (name and c.name.casefold() == name.casefold())
            ),
            None,
        )
        if contact is None:
            participation.contacts.append(EmployerContact(name=name or email, email=email, phone=phone))
            added += 1
            continue
        if email and not contact.email:
            contact.email = email
        if phone and not contact.phone:
            contact.phone = phone
    return added


# An opening's values in a row, and the attributes they set: (field, attribute).
OPENING_COLUMNS = (
    ("opening_kind", "kind"),
    ("hours_per_week", "hours_per_week"),
    ("sector", "sector"),
    ("description", "description"),
)


def _merge_openings(
    participation: EmployerParticipation, organisation: Organisation, rows: Sequence[ParsedRow]
) -> tuple[int, int]:
    """Add each opening named in the rows, or update the one of the same title; returns (created, updated)."""
    created = updated = 0
    for parsed in rows:
        title = parsed.values.get("opening_title")
        if not title:
            continue
        opening = next((o for o in participation.openings if o.title.casefold() == title.casefold()), None)
        sector = parsed.values.get("sector") or organisation.sector
        if opening is None:
            participation.openings.append(
                Opening(
                    title=title,
                    kind=parsed.values.get("opening_kind", PathwayKind.PAID_JOB),
                    hours_per_week=parsed.values.get("hours_per_week"),
                    sector=sector,
                    description=parsed.values.get("description", ""),
                )
            )
            created += 1
            continue
        changes = {attribute: parsed.values[name] for name, attribute in OPENING_COLUMNS if name in parsed.values}
        updated += assign_changes(opening, changes)
    return created, updated
