"""Spreadsheet export of an event's candidates, employers, preferences and guests, as CSV or XLSX.

``export_rows`` gathers the rows (organisers only, audited); events/platform/spreadsheets.py writes them, with
every text cell that a spreadsheet would run as a formula neutralised. The candidates and employers exports use
the import's headers and codes, so an organiser can edit an export and import it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.labels import guest_kind_label, participation_status_label, pathway_label
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    EmployerStatus,
    Event,
    EventGuest,
    Organisation,
    ParticipationStatus,
    Preference,
    PreferenceSide,
    Role,
)
from events.platform.services import audit
from events.registration.imports_fields import CANDIDATE_FIELDS, EMPLOYER_FIELDS
from schedule.weights import pair_weight

EXPORT_KINDS = ("candidates", "employers", "preferences", "guests")

CANDIDATE_COLUMNS = ("first_name", "last_name", "email", "phone", "city", "coach_email", "status", "rounds")

Rows = list[list[object]]


def _labels(fields: Sequence[Any], names: Sequence[str]) -> list[str]:
    by_name = {f.name: f for f in fields}
    return [i18n.gettext(by_name[name].label) for name in names]


def _rounds_text(rounds: list[int] | None) -> str:
    return ",".join(str(r) for r in rounds) if rounds else ""


async def export_rows(session: AsyncSession, user: CurrentUser, event: Event, kind: str) -> tuple[list[str], Rows]:
    """The headers and rows of an export of ``kind`` (candidates, employers, preferences or guests) for ``event``."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("export")
    if kind == "candidates":
        headers, rows = await _candidates(session, event)
    elif kind == "employers":
        headers, rows = await _employers(session, event)
    elif kind == "preferences":
        headers, rows = await _preferences(session, event)
    elif kind == "guests":
        headers, rows = await _guests(session, event)
    else:
        choices = ", ".join(EXPORT_KINDS)
        raise DomainError("unknown_kind", f"unknown export {kind!r} (choose {choices})", "kind")
    # The CLI may act without an organiser account (id 0); the audit log then records "system".
    await audit(
        session, user if user.id else None, "export", "event", event.id, detail={"kind": kind, "rows": len(rows)}
    )
    return headers, rows


async def _candidates(session: AsyncSession, event: Event) -> tuple[list[str], Rows]:
    query = (
        select(CandidateParticipation)
        .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
        .where(CandidateParticipation.event_id == event.id, Candidate.erased_at.is_(None))
        .options(
            selectinload(CandidateParticipation.candidate)
            .selectinload(Candidate.coaches)
            .selectinload(CandidateCoach.coach)
        )
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)
    )
    rows: Rows = []
    # Only what an organiser needs to run the day; never target group, barriers or the coach's note.
    for participation in await session.scalars(query):
        candidate = participation.candidate
        coaches = ", ".join(sorted(link.coach.email for link in candidate.coaches))
        rows.append(
            [
                candidate.first_name,
                candidate.last_name,
                candidate.email or "",
                candidate.phone or "",
                candidate.city or "",
                coaches,
                participation_status_label(participation.status.value),
                _rounds_text(participation.rounds),
            ]
        )
    return _labels(CANDIDATE_FIELDS, CANDIDATE_COLUMNS), rows


async def _employer_participations(session: AsyncSession, event: Event) -> list[EmployerParticipation]:
    query = (
        select(EmployerParticipation)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(EmployerParticipation.event_id == event.id)
        .options(
            selectinload(EmployerParticipation.organisation),
            selectinload(EmployerParticipation.openings),
            selectinload(EmployerParticipation.contacts),
        )
        .order_by(Organisation.name, EmployerParticipation.id)
    )
    return list(await session.scalars(query))


async def _employers(session: AsyncSession, event: Event) -> tuple[list[str], Rows]:
    rows: Rows = []
    for participation in await _employer_participations(session, event):
        openings, contacts = participation.openings, participation.contacts
        # One line per opening, like the import; extra contacts get lines of their own, so none is lost.
        for index in range(max(len(openings), len(contacts), 1)):
            opening = openings[index] if index < len(openings) else None
            contact = contacts[index] if index < len(contacts) else None
            rows.append(
                [
                    participation.organisation.name,
                    participation.tables,
                    participation.seats,
                    _rounds_text(participation.rounds),
                    contact.name if contact else "",
                    (contact.email or "") if contact else "",
                    (contact.phone or "") if contact else "",
                    opening.title if opening else "",
                    pathway_label(opening.kind.value) if opening else "",
                    opening.hours_per_week if opening and opening.hours_per_week is not None else "",
                    (opening.sector or "") if opening else "",
                    opening.description if opening else "",
                ]
            )
    return _labels(EMPLOYER_FIELDS, [f.name for f in EMPLOYER_FIELDS]), rows


PREFERENCE_HEADERS = (
    N_("Candidate"),
    N_("E-mail address"),
    N_("Employer"),
    N_("Candidate's level"),
    N_("Employer's level"),
    N_("Sector match"),
    N_("Weight"),
)


async def _preferences(session: AsyncSession, event: Event) -> tuple[list[str], Rows]:
    candidate_query = (
        select(CandidateParticipation)
        .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
        .where(
            CandidateParticipation.event_id == event.id,
            CandidateParticipation.status != ParticipationStatus.CANCELLED,
            Candidate.erased_at.is_(None),
        )
        .options(selectinload(CandidateParticipation.candidate))
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)
    )
    candidates = list(await session.scalars(candidate_query))
    employers = [p for p in await _employer_participations(session, event) if p.status is not EmployerStatus.CANCELLED]
    level_query = (
        select(Preference)
        .join(CandidateParticipation, CandidateParticipation.id == Preference.candidate_participation_id)
        .where(CandidateParticipation.event_id == event.id)
    )
    levels = {
        (p.candidate_participation_id, p.employer_participation_id, p.side): p.level
        for p in await session.scalars(level_query)
    }
    employer_sectors = {
        p.id: {o.sector for o in p.openings if o.sector} | ({p.organisation.sector} if p.organisation.sector else set())
        for p in employers
    }
    yes, no = i18n.gettext("yes"), i18n.gettext("no")
    rows: Rows = []
    # Every pair, so an organiser also sees who nobody rated; the weight is empty where the scheduler lists no pair.
    for candidate_participation in candidates:
        candidate = candidate_participation.candidate
        for employer in employers:
            candidate_level = levels.get((candidate_participation.id, employer.id, PreferenceSide.CANDIDATE))
            employer_level = levels.get((candidate_participation.id, employer.id, PreferenceSide.EMPLOYER))
            sector_match = bool(set(candidate.sectors or []) & employer_sectors[employer.id])
            weight = pair_weight(candidate_level, employer_level, sector_match=sector_match)
            rows.append(
                [
                    candidate.full_name,
                    candidate.email or "",
                    employer.organisation.name,
                    "" if candidate_level is None else candidate_level,
                    "" if employer_level is None else employer_level,
                    yes if sector_match else no,
                    "" if weight is None else weight,
                ]
            )
    return [i18n.gettext(h) for h in PREFERENCE_HEADERS], rows


# --- files -------------------------------------------------------------------------------------------


GUEST_HEADERS = (N_("Name"), N_("Kind"), N_("Function"), N_("Organisation"), N_("E-mail"), N_("Walk-in"))


async def _guests(session: AsyncSession, event: Event) -> tuple[list[str], Rows]:
    """The event's guests (partners, officials, press) with everything kept about them."""
    query = select(EventGuest).where(EventGuest.event_id == event.id).order_by(EventGuest.name, EventGuest.id)
    rows: Rows = [
        [g.name, guest_kind_label(g.kind.value), g.role, g.organisation_name, g.email or "", "x" if g.walk_in else ""]
        for g in await session.scalars(query)
    ]
    return [i18n.gettext(h) for h in GUEST_HEADERS], rows
