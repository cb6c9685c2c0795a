"""Walk-ins: people who turn up without being registered, added at the door by door staff or an organiser:
candidates, employers and guests (a partner, an official, the press). They are checked in at once, get a badge
(printed on the spot as a single A6 badge) and the next re-plan gives candidates and employers talks. A candidate
consents on the spot; someone already known by e-mail is matched, not registered twice."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day.door import may_check_in, record_check_in
from badges.models import CheckInMethod, HolderKind, TokenPurpose
from badges.people import Holder, holders, live_tokens
from badges.schedules import schedules
from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    SECTORS,
    Candidate,
    CandidateParticipation,
    Consent,
    ConsentMethod,
    EmployerContact,
    EmployerParticipation,
    Event,
    GuestKind,
    OrganisationKind,
    ParticipationStatus,
    Role,
)
from events.platform.names import clean_name
from events.platform.organisations import get_or_create_organisation
from events.platform.services import audit, check_email
from events.platform.settings import Settings
from events.registration import guests
from events.registration.imports_cells import default_consent_purpose


@dataclass(frozen=True, slots=True)
class WalkIn:
    kind: str  # candidate | employer | guest
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    sectors: tuple[str, ...] = ()
    consent: bool = False
    consent_method: str = ConsentMethod.VERBAL.value
    organisation: str = ""
    tables: int = 1
    # Guests: partner, official, press or other, and their function ("wethouder").
    guest_kind: str = GuestKind.OTHER.value
    function: str = ""


def _required(value: str, field: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise DomainError("required", _t("Fill this in."), field)
    if len(text) > limit:
        raise DomainError("invalid", _t("At most %(max)s characters.", max=limit), field)
    return text


async def register(session: AsyncSession, user: CurrentUser, event: Event, data: WalkIn) -> Holder:
    """Register, check in and return the walk-in (the caller commits, then prints the badge)."""
    if not may_check_in(user, event):
        raise NotFoundError("event")
    if event.archived_at is not None:
        raise DomainError("archived", _t("this event is archived"), "event")
    email = check_email(data.email) if data.email.strip() else None
    if data.kind == "candidate":
        return await _candidate(session, user, event, data, email)
    if data.kind == "employer":
        return await _employer(session, user, event, data, email)
    if data.kind == "guest":
        return await _guest(session, user, event, data, email)
    raise DomainError("invalid", _t("Choose candidate, employer or guest."), "kind")


async def _candidate(session: AsyncSession, user: CurrentUser, event: Event, data: WalkIn, email: str | None) -> Holder:
    first = clean_name(data.first_name, "first_name", max_length=100)
    last = clean_name(data.last_name, "last_name", max_length=150)
    if not data.consent:
        raise DomainError(
            "consent_required", _t("Ask the person for consent and tick the box, or do not register them."), "consent"
        )
    try:
        method = ConsentMethod(data.consent_method)
    except ValueError:
        raise DomainError("invalid", _t("Choose how the consent was given."), "consent_method") from None
    unknown = [s for s in data.sectors if s not in SECTORS]
    if unknown:
        raise DomainError("invalid", _t("Unknown sector: %(sector)s", sector=unknown[0]), "sectors")
    candidate = None
    if email:
        candidate = await session.scalar(
            select(Candidate).where(
                func.lower(Candidate.email) == email, Candidate.organisation_id == event.organisation_id
            )
        )
    if candidate is None:
        candidate = Candidate(
            first_name=first,
            last_name=last,
            email=email,
            phone=" ".join(data.phone.split())[:40] or None,
            sectors=list(data.sectors),
            organisation_id=event.organisation_id,
            created_by_id=user.id or None,
        )
        session.add(candidate)
        await session.flush()
    session.add(
        Consent(candidate_id=candidate.id, purpose=default_consent_purpose(), method=method, recorded_by_id=user.id)
    )
    participation = await session.scalar(
        select(CandidateParticipation).where(
            CandidateParticipation.event_id == event.id, CandidateParticipation.candidate_id == candidate.id
        )
    )
    if participation is None:
        participation = CandidateParticipation(
            event_id=event.id, candidate_id=candidate.id, registered_by_id=user.id or None, walk_in=True
        )
        session.add(participation)
    participation.status = ParticipationStatus.CHECKED_IN
    await session.flush()
    await audit(session, user, "walk_in", "candidate_participation", participation.id, candidate_id=candidate.id)
    found = await holders(session, event, (HolderKind.CANDIDATE,), only=(participation.id,))
    holder = found[0]
    await record_check_in(session, event, holder, by=user, method=CheckInMethod.WALK_IN)
    return holder


async def _employer(session: AsyncSession, user: CurrentUser, event: Event, data: WalkIn, email: str | None) -> Holder:
    name = clean_name(data.first_name, "first_name", max_length=200)
    organisation_name = _required(data.organisation, "organisation", 200)
    if not 1 <= data.tables <= 20:
        raise DomainError("invalid", _t("Give 1 to 20 tables."), "tables")
    organisation = await get_or_create_organisation(session, organisation_name, OrganisationKind.EMPLOYER)
    employer = await session.scalar(
        select(EmployerParticipation).where(
            EmployerParticipation.event_id == event.id, EmployerParticipation.organisation_id == organisation.id
        )
    )
    if employer is None:
        employer = EmployerParticipation(
            event_id=event.id, organisation_id=organisation.id, tables=data.tables, seats=1, walk_in=True
        )
        session.add(employer)
        await session.flush()
    contact = EmployerContact(employer_participation_id=employer.id, name=name, email=email, walk_in=True)
    session.add(contact)
    await session.flush()
    await audit(session, user, "walk_in", "employer_contact", contact.id)
    holder = (await holders(session, event, (HolderKind.EMPLOYER,), only=(contact.id,)))[0]
    await record_check_in(session, event, holder, by=user, method=CheckInMethod.WALK_IN)
    return holder


async def _guest(session: AsyncSession, user: CurrentUser, event: Event, data: WalkIn, email: str | None) -> Holder:
    try:
        kind = GuestKind(data.guest_kind)
    except ValueError:
        raise DomainError("invalid", _t("Choose partner, official, press or other."), "guest_kind") from None
    name = clean_name(data.first_name, "first_name", max_length=200)
    if len(data.organisation) > 200 or len(data.function) > 200:
        raise DomainError("invalid", _t("At most %(max)s characters.", max=200), "organisation")
    entered = guests.GuestInput(
        name=name, kind=kind, organisation_name=data.organisation, role=data.function, email=email
    )
    guest = await guests.add_guest(session, user, event, entered, walk_in=True)
    holder = (await holders(session, event, (HolderKind.GUEST,), only=(guest.id,)))[0]
    await record_check_in(session, event, holder, by=user, method=CheckInMethod.WALK_IN)
    return holder


async def registered_at_door(session: AsyncSession, event: Event, kind: HolderKind, holder_id: int) -> bool:
    """Whether this candidate participation, employer contact or guest of the event was registered at the door."""
    if kind is HolderKind.GUEST:
        return await guests.registered_at_door(session, event, holder_id)
    if kind is HolderKind.CANDIDATE:
        query = select(CandidateParticipation.walk_in).where(
            CandidateParticipation.id == holder_id, CandidateParticipation.event_id == event.id
        )
    elif kind is HolderKind.EMPLOYER:
        query = (
            select(EmployerContact.walk_in)
            .join(EmployerParticipation, EmployerParticipation.id == EmployerContact.employer_participation_id)
            .where(EmployerContact.id == holder_id, EmployerParticipation.event_id == event.id)
        )
    else:
        return False
    return bool(await session.scalar(query))


async def instruction_of(session: AsyncSession, holder: Holder) -> str:
    """The organiser's note for the door about this person (candidates only), or ""."""
    if holder.kind is not HolderKind.CANDIDATE:
        return ""
    found = await session.scalar(
        select(CandidateParticipation.door_instruction).where(CandidateParticipation.id == holder.id)
    )
    return found or ""


async def desk_person(
    session: AsyncSession, user: CurrentUser, event: Event, kind: HolderKind, holder_id: int
) -> Holder:
    """A person of the event as the walk-in desk may show them: anyone to an organiser; to door staff only
    someone registered at the door. Every other attendee is "not found", exactly like a missing one: door
    staff print the badges of walk-ins, and lost badges are reprinted by organisers."""
    if not may_check_in(user, event) or kind is HolderKind.STAFF:
        raise NotFoundError("person")
    if user.role is not Role.ORGANISER and not await registered_at_door(session, event, kind, holder_id):
        raise NotFoundError("person")
    found = await holders(session, event, (kind,), only=(holder_id,))
    if not found:
        raise NotFoundError("person")
    return found[0]


async def single_badge(
    session: AsyncSession, settings: Settings, user: CurrentUser, event: Event, kind: HolderKind, holder_id: int
) -> bytes:
    """One A6 badge (front and folded round card): for organisers anyone's, for door staff a walk-in's."""
    from badges.printing.data import event_info, person_of
    from badges.printing.pdf import render
    from badges.printing.sheets import LAYOUTS, badge_pages

    holder = await desk_person(session, user, event, kind, holder_id)
    found = [holder]
    schedule = await schedules(session, event, found)
    tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, found)
    # Committed before the render (a second or more): a badge token made just now is kept whatever happens to
    # the render, and SQLite's one write lock is not held while the PDF is laid out (the door keeps scanning).
    await session.commit()
    token, row = tokens[holder.key]
    person = person_of(holder, schedule.of(holder), token, row.number, settings.base_url)
    pages = list(badge_pages([person], event_info(event), LAYOUTS["a6"]))
    language = i18n.current_language()
    return await asyncio.to_thread(render, pages, title=f"{holder.first_name} · {event.name}", language=language)
