"""Filling an event: events, employers with openings and contacts, candidates, sign-ups, coaches.

Organisers manage everything of an event; coaches register and sign up their own candidates. Every
function checks the caller's role and reach itself (out of reach answers like missing), flushes, and
leaves the commit to the caller.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    OPENING_KINDS,
    SECTORS,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CoachKind,
    Consent,
    ConsentMethod,
    EmployerContact,
    EmployerParticipation,
    EmployerStatus,
    Event,
    EventStatus,
    Invitation,
    Opening,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    PathwayKind,
    Role,
    User,
)
from events.platform.names import clean_name
from events.platform.security import digest
from events.platform.services import (
    CandidateService,
    EventService,
    audit,
    check_email,
    create_user,
    get_or_create_organisation,
)

Positive = Annotated[int, msgspec.Meta(ge=1, le=500)]
Small = Annotated[int, msgspec.Meta(ge=0, le=50)]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
INVITATION_DAYS = 14


class Break(msgspec.Struct, forbid_unknown_fields=True):
    after_round: Annotated[int, msgspec.Meta(ge=1, le=50)]
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]


class EventInput(msgspec.Struct, forbid_unknown_fields=True):
    """What an organiser sets for an event (create and edit)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    date: dt.date
    # "14:00" as people and <input type=time> write it (seconds allowed).
    first_round_start: Annotated[str, msgspec.Meta(pattern=r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")] = "14:00"
    slug: Annotated[str, msgspec.Meta(max_length=80)] = ""
    venue: Text200 = ""
    address: Annotated[str, msgspec.Meta(max_length=300)] = ""
    description: LongText = ""
    round_minutes: Annotated[int, msgspec.Meta(ge=1, le=120)] = 10
    changeover_minutes: Annotated[int, msgspec.Meta(ge=0, le=60)] = 5
    rounds: Annotated[int, msgspec.Meta(ge=1, le=30)] = 6
    breaks: list[Break] = []
    default_min_meetings: Small = 2
    default_max_meetings: Small = 4
    max_seats: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1
    retention_months: Annotated[int, msgspec.Meta(ge=1, le=120)] = 12


class EmployerInput(msgspec.Struct, forbid_unknown_fields=True):
    """An employer's participation: which organisation, how many tables and seats, which rounds."""

    organisation: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    tables: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    seats: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1
    rounds: list[int] | None = None
    notes: LongText = ""


class OpeningInput(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: PathwayKind = PathwayKind.PAID_JOB
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | None = None
    sector: str | None = None
    description: LongText = ""


class ContactInput(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: str | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class CandidateInput(msgspec.Struct, forbid_unknown_fields=True):
    """A candidate's record, as their coach or an organiser enters it."""

    first_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    last_name: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    email: str | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    date_of_birth: dt.date | None = None
    city: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    sectors: list[str] = []
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | None = None
    own_words: LongText = ""
    target_group: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    barriers: list[str] = []
    coach_note: LongText = ""


class ConsentInput(msgspec.Struct, forbid_unknown_fields=True):
    """What the candidate agreed to: part of every registration."""

    purpose: Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]
    method: ConsentMethod = ConsentMethod.VERBAL


class SignUpStatus(StrEnum):
    """The statuses a sign-up may be given before the event; check-in and no-show come from the door."""

    REGISTERED = "registered"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class ParticipationInput(msgspec.Struct, forbid_unknown_fields=True):
    """A candidate's sign-up: availability, talk limits, seating needs, status."""

    rounds: list[int] | None = None
    min_meetings: Small | None = None
    max_meetings: Small | None = None
    status: SignUpStatus = SignUpStatus.REGISTERED
    needs_interpreter: bool = False
    interpreter_language: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    accessibility: LongText = ""


# --- helpers -----------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:70] or "event"
    # A slug of digits only would read as an event id.
    return f"event-{slug}" if slug.isdigit() else slug


def _require(user: CurrentUser, *roles: Role) -> None:
    # A role that may not act here does not learn whether the object exists.
    if user.role not in roles:
        raise NotFoundError("object")


def check_rounds(rounds: Sequence[int] | None, event: Event, field: str = "rounds") -> list[int] | None:
    """Rounds present, sorted and within the event; None (or every round) means all rounds."""
    if rounds is None:
        return None
    values = sorted(set(rounds))
    wrong = [r for r in values if r < 1 or r > event.rounds]
    if wrong:
        raise DomainError(
            "round_out_of_range",
            _t("round %(round)s is not between 1 and %(last)s", round=wrong[0], last=event.rounds),
            field,
        )
    if not values:
        raise DomainError("no_rounds", _t("choose at least one round"), field)
    return None if len(values) == event.rounds else values


def _check_event_input(data: EventInput) -> None:
    if data.default_max_meetings < data.default_min_meetings:
        raise DomainError(
            "max_below_min", _t("the maximum number of talks is below the minimum"), "default_max_meetings"
        )
    for item in data.breaks:
        if item.after_round >= data.rounds:
            raise DomainError(
                "break_out_of_range",
                _t("a break after round %(round)s is after the last round", round=item.after_round),
                "breaks",
            )


async def _unique_slug(session: AsyncSession, wanted: str, exclude_id: int | None = None) -> str:
    base = slugify(wanted)
    candidate, n = base, 1
    while True:
        query = select(Event.id).where(Event.slug == candidate)
        found = await session.scalar(query)
        if found is None or found == exclude_id:
            return candidate
        n += 1
        candidate = f"{base}-{n}"


# --- events ------------------------------------------------------------------------------------------


async def create_event(session: AsyncSession, user: CurrentUser, data: EventInput) -> Event:
    """A new event in draft."""
    _require(user, Role.ORGANISER)
    _check_event_input(data)
    if data.slug and slugify(data.slug) != data.slug:
        raise DomainError("invalid_slug", _t("use only lowercase letters, digits and dashes"), "slug")
    if data.slug and await session.scalar(select(Event.id).where(Event.slug == data.slug)):
        raise DomainError("duplicate_slug", _t("the address %(slug)s is taken", slug=data.slug), "slug")
    event = Event(
        slug=data.slug or await _unique_slug(session, data.name),
        **_event_fields(data),
        status=EventStatus.DRAFT,
    )
    session.add(event)
    await session.flush()
    await audit(session, user, "create", "event", event.id)
    return event


def _event_fields(data: EventInput) -> dict[str, object]:
    return {
        "name": data.name.strip(),
        "date": data.date,
        "first_round_start": dt.time.fromisoformat(
            data.first_round_start.zfill(5) if len(data.first_round_start) == 4 else data.first_round_start
        ),
        "venue": data.venue.strip(),
        "address": data.address.strip(),
        "description": data.description.strip(),
        "round_minutes": data.round_minutes,
        "changeover_minutes": data.changeover_minutes,
        "rounds": data.rounds,
        "breaks": [{"after_round": b.after_round, "minutes": b.minutes} for b in data.breaks],
        "default_min_meetings": data.default_min_meetings,
        "default_max_meetings": data.default_max_meetings,
        "max_seats": data.max_seats,
        "retention_months": data.retention_months,
    }


async def update_event(session: AsyncSession, user: CurrentUser, event: Event, data: EventInput) -> Event:
    """Change an event's settings; employers' seats and everyone's rounds are kept within the new limits."""
    _require(user, Role.ORGANISER)
    _check_event_input(data)
    if data.slug and data.slug != event.slug:
        if slugify(data.slug) != data.slug:
            raise DomainError("invalid_slug", _t("use only lowercase letters, digits and dashes"), "slug")
        if await session.scalar(select(Event.id).where(Event.slug == data.slug, Event.id != event.id)):
            raise DomainError("duplicate_slug", _t("the address %(slug)s is taken", slug=data.slug), "slug")
        event.slug = data.slug
    for key, value in _event_fields(data).items():
        setattr(event, key, value)
    employers = (
        await session.scalars(select(EmployerParticipation).where(EmployerParticipation.event_id == event.id))
    ).all()
    for employer in employers:
        employer.seats = min(employer.seats, event.max_seats)
        employer.rounds = _clip_rounds(employer.rounds, event.rounds, "rounds")
    participations = (
        await session.scalars(select(CandidateParticipation).where(CandidateParticipation.event_id == event.id))
    ).all()
    for participation in participations:
        participation.rounds = _clip_rounds(participation.rounds, event.rounds, "rounds")
    await session.flush()
    await audit(session, user, "update", "event", event.id)
    return event


def _clip_rounds(rounds: list[int] | None, last: int, field: str) -> list[int] | None:
    """Rounds beyond the new last round fall away; someone left with none would silently become "every
    round", so that is refused instead."""
    if rounds is None:
        return None
    kept = [r for r in rounds if r <= last]
    if not kept:
        message = _t("someone is present only in rounds after round %(last)s; change their rounds first", last=last)
        raise DomainError("rounds_lost", message, field)
    return kept


async def copy_event(session: AsyncSession, user: CurrentUser, source: Event, date: dt.date, name: str | None) -> Event:
    """A new draft event with the same settings, employers, openings and contacts, on another date."""
    _require(user, Role.ORGANISER)
    fields = {c.key: getattr(source, c.key) for c in Event.__table__.columns if c.key not in _NOT_COPIED}
    copy = Event(**fields)
    copy.name = (name or source.name).strip()
    copy.date = date
    copy.slug = await _unique_slug(session, f"{copy.name} {date.isoformat()}")
    copy.status = EventStatus.DRAFT
    session.add(copy)
    await session.flush()
    employers = (
        await session.scalars(
            select(EmployerParticipation)
            .where(
                EmployerParticipation.event_id == source.id, EmployerParticipation.status == EmployerStatus.CONFIRMED
            )
            .options(selectinload(EmployerParticipation.openings), selectinload(EmployerParticipation.contacts))
        )
    ).all()
    for employer in employers:
        twin = EmployerParticipation(
            event_id=copy.id,
            organisation_id=employer.organisation_id,
            tables=employer.tables,
            seats=employer.seats,
            rounds=employer.rounds,
            notes=employer.notes,
        )
        session.add(twin)
        await session.flush()
        for opening in employer.openings:
            session.add(
                Opening(
                    employer_participation_id=twin.id,
                    title=opening.title,
                    kind=opening.kind,
                    hours_per_week=opening.hours_per_week,
                    sector=opening.sector,
                    description=opening.description,
                )
            )
        for contact in employer.contacts:
            session.add(
                EmployerContact(
                    employer_participation_id=twin.id,
                    user_id=contact.user_id,
                    name=contact.name,
                    email=contact.email,
                    phone=contact.phone,
                )
            )
    await session.flush()
    await audit(session, user, "copy", "event", copy.id, detail={"source": source.id})
    return copy


_NOT_COPIED = {"id", "slug", "name", "date", "status", "archived_at", "created_at", "updated_at"}


async def set_archived(session: AsyncSession, user: CurrentUser, event: Event, archived: bool) -> Event:
    _require(user, Role.ORGANISER)
    event.archived_at = dt.datetime.now(dt.UTC) if archived else None
    await session.flush()
    await audit(session, user, "archive" if archived else "unarchive", "event", event.id)
    return event


async def set_status(session: AsyncSession, user: CurrentUser, event: Event, status: EventStatus) -> Event:
    _require(user, Role.ORGANISER)
    event.status = status
    await session.flush()
    await audit(session, user, "status", "event", event.id, detail={"status": status.value})
    return event


# --- employers ---------------------------------------------------------------------------------------


async def employer_of(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int
) -> EmployerParticipation:
    """One employer participation of the event, as the caller may see it (an employer only its own)."""
    query = (
        select(EmployerParticipation)
        .where(EmployerParticipation.id == employer_id, EmployerParticipation.event_id == event.id)
        .options(
            selectinload(EmployerParticipation.organisation),
            selectinload(EmployerParticipation.openings),
            selectinload(EmployerParticipation.contacts),
        )
    )
    if user.role is Role.EMPLOYER:
        query = query.where(EmployerParticipation.organisation_id == (user.organisation_id or -1))
    elif user.role is not Role.ORGANISER and user.role is not Role.COACH:
        raise NotFoundError("employer")
    employer: EmployerParticipation | None = await session.scalar(query)
    if employer is None:
        raise NotFoundError("employer")
    return employer


async def add_employer(
    session: AsyncSession, user: CurrentUser, event: Event, data: EmployerInput
) -> EmployerParticipation:
    """Add an organisation (existing or new) to the event as an employer."""
    _require(user, Role.ORGANISER)
    if data.seats > event.max_seats:
        raise DomainError("too_many_seats", _t("this event allows at most %(n)s per table", n=event.max_seats), "seats")
    organisation = await get_or_create_organisation(session, data.organisation, OrganisationKind.EMPLOYER)
    exists = await session.scalar(
        select(EmployerParticipation.id).where(
            EmployerParticipation.event_id == event.id, EmployerParticipation.organisation_id == organisation.id
        )
    )
    if exists:
        raise DomainError(
            "duplicate_employer",
            _t("%(name)s already takes part in this event", name=organisation.name),
            "organisation",
        )
    employer = EmployerParticipation(
        event_id=event.id,
        organisation_id=organisation.id,
        tables=data.tables,
        seats=data.seats,
        rounds=check_rounds(data.rounds, event),
        notes=data.notes,
    )
    session.add(employer)
    await session.flush()
    await audit(session, user, "create", "employer_participation", employer.id)
    return await employer_of(session, user, event, employer.id)


async def update_employer(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, data: EmployerInput
) -> EmployerParticipation:
    _require(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    if data.seats > event.max_seats:
        raise DomainError("too_many_seats", _t("this event allows at most %(n)s per table", n=event.max_seats), "seats")
    await _rename_organisation(session, user, event, employer, data.organisation)
    employer.tables = data.tables
    employer.seats = data.seats
    employer.rounds = check_rounds(data.rounds, event)
    employer.notes = data.notes
    await session.flush()
    await audit(session, user, "update", "employer_participation", employer.id)
    session.expire(employer)
    # Not `employer.id`: the expired row would load it again synchronously, which an async session cannot do.
    return await employer_of(session, user, event, employer_id)


async def _rename_organisation(
    session: AsyncSession, user: CurrentUser, event: Event, employer: EmployerParticipation, wanted: str
) -> None:
    """A new name for the employer's organisation renames the organisation itself: the participation, the
    employer's own logins and its other events stay with it. Refused, with the reason, where the name is another
    organisation's (that would move the participation away from the employer's logins) or where an event
    outside this organiser's reach uses the organisation (a rename would change their event)."""
    organisation = employer.organisation
    name = " ".join(wanted.split())
    if name == organisation.name:
        return
    if not name:
        raise DomainError("required", _t("This field is required."), "organisation")
    other = await session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id)
    )
    if other is not None:
        raise DomainError(
            "organisation_exists",
            _t(
                "%(name)s is another organisation. A new name never moves an employer to another organisation: "
                "to have %(name)s take part instead, remove this employer and add %(name)s.",
                name=other.name,
            ),
            "organisation",
        )
    shared = select(EmployerParticipation.event_id).where(
        EmployerParticipation.organisation_id == organisation.id, EmployerParticipation.event_id != event.id
    )
    if await EventService(session, user).outside_reach(shared):
        raise DomainError(
            "organisation_shared",
            _t(
                "%(name)s also takes part in another organiser's event, so its name cannot be changed here.",
                name=organisation.name,
            ),
            "organisation",
        )
    organisation.name = name
    await session.flush()
    await audit(session, user, "update", "organisation", organisation.id, detail={"renamed_for_event": event.id})


async def set_employer_rounds(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, rounds: list[int] | None
) -> EmployerParticipation:
    """The rounds an employer is present: its own contacts may say so, and organisers."""
    _require(user, Role.ORGANISER, Role.EMPLOYER)
    employer = await employer_of(session, user, event, employer_id)
    employer.rounds = check_rounds(rounds, event)
    await session.flush()
    await audit(session, user, "update_rounds", "employer_participation", employer.id)
    return employer


async def remove_employer(session: AsyncSession, user: CurrentUser, event: Event, employer_id: int) -> None:
    _require(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    await session.delete(employer)
    await session.flush()
    await audit(session, user, "delete", "employer_participation", employer_id)


def _check_opening(data: OpeningInput) -> None:
    if data.kind not in OPENING_KINDS:
        raise DomainError("invalid_kind", _t("%(kind)s is not a kind of opening", kind=data.kind.value), "kind")
    if data.sector is not None and data.sector not in SECTORS:
        raise DomainError("invalid_sector", _t("unknown sector %(sector)s", sector=data.sector), "sector")


async def add_opening(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, data: OpeningInput
) -> Opening:
    _require(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    _check_opening(data)
    opening = Opening(
        employer_participation_id=employer.id,
        title=data.title.strip(),
        kind=data.kind,
        hours_per_week=data.hours_per_week,
        sector=data.sector,
        description=data.description.strip(),
    )
    session.add(opening)
    await session.flush()
    await audit(session, user, "create", "opening", opening.id)
    return opening


async def _opening_of(session: AsyncSession, event: Event, opening_id: int) -> Opening:
    opening: Opening | None = await session.scalar(
        select(Opening)
        .join(EmployerParticipation, EmployerParticipation.id == Opening.employer_participation_id)
        .where(Opening.id == opening_id, EmployerParticipation.event_id == event.id)
    )
    if opening is None:
        raise NotFoundError("opening")
    return opening


async def update_opening(
    session: AsyncSession, user: CurrentUser, event: Event, opening_id: int, data: OpeningInput
) -> Opening:
    _require(user, Role.ORGANISER)
    _check_opening(data)
    opening = await _opening_of(session, event, opening_id)
    opening.title = data.title.strip()
    opening.kind = data.kind
    opening.hours_per_week = data.hours_per_week
    opening.sector = data.sector
    opening.description = data.description.strip()
    await session.flush()
    await audit(session, user, "update", "opening", opening.id)
    return opening


async def remove_opening(session: AsyncSession, user: CurrentUser, event: Event, opening_id: int) -> None:
    _require(user, Role.ORGANISER)
    opening = await _opening_of(session, event, opening_id)
    await session.delete(opening)
    await session.flush()
    await audit(session, user, "delete", "opening", opening_id)


async def add_contact(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, data: ContactInput
) -> tuple[EmployerContact, str | None]:
    """A contact person at the employer's tables; with an e-mail address they get an employer login
    by invitation. Returns the contact and the invitation token (to build the link), if one was made."""
    _require(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    name = clean_name(data.name, "name")
    address = check_email(data.email) if data.email else None
    account: User | None = None
    token: str | None = None
    if address:
        account = await session.scalar(select(User).where(User.email == address))
        if account is not None and (
            account.role is not Role.EMPLOYER or account.organisation_id != employer.organisation_id
        ):
            raise DomainError(
                "email_taken",
                _t(
                    "%(email)s already has an account that is not of %(name)s",
                    email=address,
                    name=employer.organisation.name,
                ),
                "email",
            )
        if account is None:
            account = await create_user(
                session,
                email=address,
                role=Role.EMPLOYER.value,
                name=name,
                organisation=employer.organisation.name,
            )
        if account.password_hash is None:
            token = await create_invitation(session, user, account)
    contact = EmployerContact(
        employer_participation_id=employer.id,
        user_id=account.id if account else None,
        name=name,
        email=address,
        phone=data.phone,
    )
    session.add(contact)
    await session.flush()
    await audit(session, user, "create", "employer_contact", contact.id)
    return contact, token


async def remove_contact(session: AsyncSession, user: CurrentUser, event: Event, contact_id: int) -> None:
    _require(user, Role.ORGANISER)
    contact: EmployerContact | None = await session.scalar(
        select(EmployerContact)
        .join(EmployerParticipation, EmployerParticipation.id == EmployerContact.employer_participation_id)
        .where(EmployerContact.id == contact_id, EmployerParticipation.event_id == event.id)
    )
    if contact is None:
        raise NotFoundError("contact")
    await session.delete(contact)
    await session.flush()
    await audit(session, user, "delete", "employer_contact", contact_id)


# --- invitations -------------------------------------------------------------------------------------


async def create_invitation(session: AsyncSession, user: CurrentUser, account: User) -> str:
    """A single-use link token that lets ``account`` choose a password; earlier open invitations lapse."""
    await session.execute(delete(Invitation).where(Invitation.user_id == account.id, Invitation.used_at.is_(None)))
    token = secrets.token_urlsafe(24)
    session.add(
        Invitation(
            user_id=account.id,
            token_hash=digest(token),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=INVITATION_DAYS),
            created_by_id=user.id or None,
        )
    )
    await session.flush()
    return token


async def open_invitation(session: AsyncSession, token: str) -> tuple[Invitation, User]:
    """The invitation for a link token, if it is unused and not expired (else NotFoundError)."""
    invitation: Invitation | None = await session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at < dt.datetime.now(dt.UTC):
        raise NotFoundError("invitation")
    account = await session.get(User, invitation.user_id)
    if account is None or not account.is_active:
        raise NotFoundError("invitation")
    return invitation, account


async def accept_invitation(session: AsyncSession, token: str, password: str) -> User:
    """Set the invited account's password; the link then stops working."""
    from events.platform.security import MIN_PASSWORD_LENGTH, hash_password, password_problem

    invitation, account = await open_invitation(session, token)
    if password_problem(password):
        message = _t("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        raise DomainError("weak_password", message, "password")
    account.password_hash = hash_password(password)
    invitation.used_at = dt.datetime.now(dt.UTC)
    await session.flush()
    return account


# --- candidates --------------------------------------------------------------------------------------


def _check_candidate(data: CandidateInput) -> str | None:
    unknown = [s for s in data.sectors if s not in SECTORS]
    if unknown:
        raise DomainError("invalid_sector", _t("unknown sector %(sector)s", sector=unknown[0]), "sectors")
    from events.platform.models import BARRIERS

    wrong = [b for b in data.barriers if b not in BARRIERS]
    if wrong:
        raise DomainError("invalid_barrier", _t("unknown barrier %(barrier)s", barrier=wrong[0]), "barriers")
    return check_email(data.email) if data.email else None


def _candidate_fields(data: CandidateInput, email: str | None) -> dict[str, object]:
    return {
        # Trimmed, and refused when empty or holding control or direction-changing characters (events.platform.names).
        "first_name": clean_name(data.first_name, "first_name", max_length=100),
        "last_name": clean_name(data.last_name, "last_name", max_length=150),
        "email": email,
        "phone": (data.phone or "").strip() or None,
        "date_of_birth": data.date_of_birth,
        "city": (data.city or "").strip() or None,
        "sectors": list(dict.fromkeys(data.sectors)),
        "hours_per_week": data.hours_per_week,
        "own_words": data.own_words.strip(),
        "target_group": (data.target_group or "").strip() or None,
        "barriers": list(dict.fromkeys(data.barriers)),
        "coach_note": data.coach_note.strip(),
    }


async def register_candidate(
    session: AsyncSession,
    user: CurrentUser,
    data: CandidateInput,
    consent: ConsentInput,
    *,
    coach_id: int | None = None,
    coach_kind: CoachKind = CoachKind.JOBCOACH,
) -> Candidate:
    """Register a candidate with the consent record; a coach becomes the candidate's coach."""
    _require(user, Role.ORGANISER, Role.COACH)
    email = _check_candidate(data)
    if email and await session.scalar(select(Candidate.id).where(func.lower(Candidate.email) == email)):
        raise DomainError(
            "duplicate_person",
            _t("a candidate with e-mail %(email)s is already registered; ask an organiser", email=email),
            "email",
        )
    candidate = Candidate(**_candidate_fields(data, email), created_by_id=user.id or None)
    session.add(candidate)
    await session.flush()
    coach = user.id if user.role is Role.COACH else coach_id
    if coach is not None:
        await _link_coach(session, candidate.id, coach, coach_kind)
    session.add(
        Consent(
            candidate_id=candidate.id,
            purpose=consent.purpose.strip(),
            method=consent.method,
            recorded_by_id=user.id or None,
        )
    )
    await session.flush()
    await audit(session, user, "create", "candidate", candidate.id, candidate_id=candidate.id)
    return await CandidateService(session, user).get(candidate.id)


async def _link_coach(session: AsyncSession, candidate_id: int, coach_id: int, kind: CoachKind) -> None:
    coach = await session.get(User, coach_id)
    if coach is None or coach.role is not Role.COACH or not coach.is_active:
        raise DomainError("unknown_coach", _t("choose an active coach"), "coach")
    existing = await session.get(CandidateCoach, (candidate_id, coach_id))
    if existing is None:
        session.add(CandidateCoach(candidate_id=candidate_id, coach_id=coach_id, kind=kind))
    else:
        existing.kind = kind
    await session.flush()


async def update_candidate(
    session: AsyncSession, user: CurrentUser, candidate_id: int, data: CandidateInput
) -> Candidate:
    """Change a candidate's record (their coaches and organisers)."""
    candidate = await CandidateService(session, user).get(candidate_id)
    email = _check_candidate(data)
    if email and await session.scalar(
        select(Candidate.id).where(func.lower(Candidate.email) == email, Candidate.id != candidate.id)
    ):
        raise DomainError("duplicate_person", _t("another candidate has e-mail %(email)s", email=email), "email")
    for key, value in _candidate_fields(data, email).items():
        setattr(candidate, key, value)
    await session.flush()
    await audit(session, user, "update", "candidate", candidate.id, candidate_id=candidate.id)
    return candidate


async def add_consent(session: AsyncSession, user: CurrentUser, candidate_id: int, data: ConsentInput) -> Consent:
    candidate = await CandidateService(session, user).get(candidate_id)
    consent = Consent(
        candidate_id=candidate.id, purpose=data.purpose.strip(), method=data.method, recorded_by_id=user.id or None
    )
    session.add(consent)
    await session.flush()
    await audit(session, user, "consent", "candidate", candidate.id, candidate_id=candidate.id)
    return consent


async def withdraw_consent(session: AsyncSession, user: CurrentUser, candidate_id: int, consent_id: int) -> None:
    candidate = await CandidateService(session, user).get(candidate_id)
    consent = await session.get(Consent, consent_id)
    if consent is None or consent.candidate_id != candidate.id:
        raise NotFoundError("consent")
    consent.withdrawn_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await audit(session, user, "withdraw_consent", "candidate", candidate.id, candidate_id=candidate.id)


async def assign_coach(
    session: AsyncSession, user: CurrentUser, candidate_id: int, coach_id: int, kind: CoachKind = CoachKind.JOBCOACH
) -> None:
    """Add a coach to a candidate (organisers; a coach may add a colleague to their own candidate)."""
    candidate = await CandidateService(session, user).get(candidate_id)
    await _link_coach(session, candidate.id, coach_id, kind)
    await audit(
        session, user, "assign_coach", "candidate", candidate.id, candidate_id=candidate.id, detail={"coach": coach_id}
    )


async def remove_coach(session: AsyncSession, user: CurrentUser, candidate_id: int, coach_id: int) -> None:
    candidate = await CandidateService(session, user).get(candidate_id)
    link = await session.get(CandidateCoach, (candidate.id, coach_id))
    if link is None:
        raise NotFoundError("coach")
    if user.role is Role.COACH and coach_id != user.id:
        # A coach may step back from a shared candidate, never take a colleague off.
        raise DomainError("not_your_link", _t("only an organiser can take another coach off a candidate"), "coach")
    if len(candidate.coaches) <= 1:
        raise DomainError("last_coach", _t("a candidate keeps at least one coach; hand them over instead"), "coach")
    await session.delete(link)
    await session.flush()
    await audit(
        session, user, "remove_coach", "candidate", candidate.id, candidate_id=candidate.id, detail={"coach": coach_id}
    )


async def hand_over_caseload(session: AsyncSession, user: CurrentUser, from_coach_id: int, to_coach_id: int) -> int:
    """Move every candidate of one coach to another; returns how many moved. Organisers, or the coach themselves."""
    if not (user.role is Role.ORGANISER or (user.role is Role.COACH and user.id == from_coach_id)):
        raise NotFoundError("coach")
    target = await session.get(User, to_coach_id)
    if target is None or target.role is not Role.COACH or not target.is_active or to_coach_id == from_coach_id:
        raise DomainError("unknown_coach", _t("choose another active coach"), "to_coach")
    links = (await session.scalars(select(CandidateCoach).where(CandidateCoach.coach_id == from_coach_id))).all()
    moved = 0
    for link in links:
        if await session.get(CandidateCoach, (link.candidate_id, to_coach_id)) is None:
            session.add(CandidateCoach(candidate_id=link.candidate_id, coach_id=to_coach_id, kind=link.kind))
        await session.delete(link)
        moved += 1
    await session.flush()
    await audit(session, user, "hand_over", "coach", from_coach_id, detail={"to": to_coach_id, "candidates": moved})
    return moved


async def coaches(session: AsyncSession) -> Sequence[User]:
    return (
        await session.scalars(select(User).where(User.role == Role.COACH, User.is_active.is_(True)).order_by(User.name))
    ).all()


# --- sign-ups ----------------------------------------------------------------------------------------


def _check_participation(event: Event, data: ParticipationInput) -> list[int] | None:
    rounds = check_rounds(data.rounds, event)
    if data.min_meetings is not None and data.max_meetings is not None and data.max_meetings < data.min_meetings:
        raise DomainError("max_below_min", _t("the maximum number of talks is below the minimum"), "max_meetings")
    return rounds


async def sign_up(
    session: AsyncSession, user: CurrentUser, event: Event, candidate_id: int, data: ParticipationInput
) -> CandidateParticipation:
    """Sign a candidate up for an event."""
    candidate = await CandidateService(session, user).get(candidate_id)
    if event.archived_at is not None:
        raise DomainError("archived", _t("this event is archived"), "event")
    if candidate.consents and not any(c.withdrawn_at is None for c in candidate.consents):
        raise DomainError("no_consent", _t("the candidate has withdrawn their consent"), "candidate")
    rounds = _check_participation(event, data)
    exists = await session.scalar(
        select(CandidateParticipation.id).where(
            CandidateParticipation.event_id == event.id, CandidateParticipation.candidate_id == candidate.id
        )
    )
    if exists:
        raise DomainError(
            "already_signed_up", _t("%(name)s is already signed up", name=candidate.full_name), "candidate"
        )
    participation = CandidateParticipation(
        event_id=event.id, candidate_id=candidate.id, registered_by_id=user.id or None
    )
    _apply_participation(participation, data, rounds)
    session.add(participation)
    await session.flush()
    await audit(session, user, "sign_up", "candidate_participation", participation.id, candidate_id=candidate.id)
    return participation


def _apply_participation(
    participation: CandidateParticipation, data: ParticipationInput, rounds: list[int] | None
) -> None:
    participation.rounds = rounds
    participation.min_meetings = data.min_meetings
    participation.max_meetings = data.max_meetings
    if participation.status in (ParticipationStatus.CHECKED_IN, ParticipationStatus.NO_SHOW):
        # What the door recorded on the day is not undone from a registration form.
        if data.status.value != participation.status.value:
            raise DomainError(
                "status_locked", _t("the status was set at the event and cannot be changed here"), "status"
            )
    else:
        participation.status = ParticipationStatus(data.status.value)
    participation.needs_interpreter = data.needs_interpreter
    participation.interpreter_language = (data.interpreter_language or "").strip() or None
    participation.accessibility = data.accessibility.strip()


async def participation_of(
    session: AsyncSession, user: CurrentUser, event: Event, participation_id: int
) -> CandidateParticipation:
    """A candidate's sign-up, for their coaches and organisers only."""
    _require(user, Role.ORGANISER, Role.COACH)
    participation: CandidateParticipation | None = await session.scalar(
        select(CandidateParticipation)
        .where(CandidateParticipation.id == participation_id, CandidateParticipation.event_id == event.id)
        .options(selectinload(CandidateParticipation.candidate))
    )
    if participation is None:
        raise NotFoundError("participation")
    await CandidateService(session, user).get(participation.candidate_id)  # reach check
    return participation


async def update_participation(
    session: AsyncSession, user: CurrentUser, event: Event, participation_id: int, data: ParticipationInput
) -> CandidateParticipation:
    participation = await participation_of(session, user, event, participation_id)
    _apply_participation(participation, data, _check_participation(event, data))
    await session.flush()
    await audit(
        session, user, "update", "candidate_participation", participation.id, candidate_id=participation.candidate_id
    )
    return participation


async def visible_event(session: AsyncSession, user: CurrentUser, ref: str | int) -> Event:
    return await EventService(session, user).get(ref)


__all__ = [
    "Break",
    "CandidateInput",
    "ConsentInput",
    "ContactInput",
    "EmployerInput",
    "EventInput",
    "OpeningInput",
    "ParticipationInput",
]
