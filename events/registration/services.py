"""Filling an event: the event itself (create, change, copy, archive), and what every part of filling it shares.

Organisers manage everything of an event; coaches register and sign up their own candidates. Every
function checks the caller's role and reach itself (out of reach answers like missing), flushes, and
leaves the commit to the caller. The employers with their openings and contacts: events.registration.employers;
candidates, their coaches and sign-ups: events.registration.candidates; what they take: events.registration.inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Event,
    EventKind,
    EventStatus,
    Opening,
    Role,
)
from events.platform.names import slugify
from events.platform.reach import owning_organisation
from events.platform.services import audit
from events.registration.inputs import EventInput

T = TypeVar("T")

# --- helpers -----------------------------------------------------------------------------------------


def require_role(user: CurrentUser, *roles: Role) -> None:
    """Refuse a user of another role as if the object were missing: a role that may not act here does not learn
    whether the object exists."""
    if user.role not in roles:
        raise NotFoundError("object")


async def found(session: AsyncSession, query: Select[tuple[T]], what: str) -> T:
    """The row ``query`` finds; NotFoundError(``what``) when it finds none."""
    row = await session.scalar(query)
    if row is None:
        raise NotFoundError(what)
    return row


def check_rounds(rounds: Sequence[int] | None, event: Event, field: str = "rounds") -> list[int] | None:
    """Rounds present, sorted and within the event; None (or every round) means all rounds. A plenary gathering
    has none to choose."""
    if rounds is None:
        return None
    if event.plenary:
        if rounds:
            raise DomainError("plenary_no_rounds", _t("a plenary gathering has no rounds"), field)
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


DEFAULT_ROUNDS = 6


def event_shape(data: EventInput, current: Event | None = None) -> tuple[EventKind, int]:
    """The kind and number of rounds an event gets from what was sent: a plenary gathering has none (`rounds: 0`
    alone makes one), a meet & match event one or more (6 when left out; on a change, as it had)."""
    kind = data.kind
    if kind is None:
        if data.rounds == 0:
            kind = EventKind.PLENARY
        elif data.rounds is None and current is not None:
            kind = current.kind
        else:
            kind = EventKind.MEET_MATCH
    if kind is EventKind.PLENARY:
        if data.rounds:
            message = _t("a plenary gathering has no rounds: leave the rounds out or give 0")
            raise DomainError("plenary_no_rounds", message, "rounds")
        if data.breaks:
            raise DomainError("plenary_no_rounds", _t("a plenary gathering has no rounds to break between"), "breaks")
        return kind, 0
    if data.rounds == 0:
        message = _t("a meet & match event needs at least one round; a plenary gathering has none")
        raise DomainError("rounds_required", message, "rounds")
    if data.rounds is None:
        return kind, current.rounds if current is not None and current.rounds else DEFAULT_ROUNDS
    return kind, data.rounds


def _check_event_input(data: EventInput, current: Event | None = None) -> None:
    _, rounds = event_shape(data, current)
    if data.default_max_meetings < data.default_min_meetings:
        raise DomainError(
            "max_below_min", _t("the maximum number of talks is below the minimum"), "default_max_meetings"
        )
    for item in data.breaks:
        if item.after_round >= rounds:
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
    require_role(user, Role.ORGANISER)
    _check_event_input(data)
    if data.slug and slugify(data.slug) != data.slug:
        raise DomainError("invalid_slug", _t("use only lowercase letters, digits and dashes"), "slug")
    if data.slug and await session.scalar(select(Event.id).where(Event.slug == data.slug)):
        raise DomainError("duplicate_slug", _t("the address %(slug)s is taken", slug=data.slug), "slug")
    event = Event(
        slug=data.slug or await _unique_slug(session, data.name),
        organisation_id=owning_organisation(user),
        **_event_fields(data, None),
        status=EventStatus.DRAFT,
    )
    session.add(event)
    await session.flush()
    await audit(session, user, "create", "event", event.id)
    return event


def _event_fields(data: EventInput, current: Event | None) -> dict[str, object]:
    kind, rounds = event_shape(data, current)
    return {
        "kind": kind,
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
        "rounds": rounds,
        "breaks": [{"after_round": b.after_round, "minutes": b.minutes} for b in data.breaks],
        "default_min_meetings": data.default_min_meetings,
        "default_max_meetings": data.default_max_meetings,
        "max_seats": data.max_seats,
        "retention_months": data.retention_months,
    }


async def update_event(session: AsyncSession, user: CurrentUser, event: Event, data: EventInput) -> Event:
    """Change an event's settings; employers' seats and everyone's rounds are kept within the new limits."""
    require_role(user, Role.ORGANISER)
    _check_event_input(data, event)
    if data.slug and data.slug != event.slug:
        if slugify(data.slug) != data.slug:
            raise DomainError("invalid_slug", _t("use only lowercase letters, digits and dashes"), "slug")
        if await session.scalar(select(Event.id).where(Event.slug == data.slug, Event.id != event.id)):
            raise DomainError("duplicate_slug", _t("the address %(slug)s is taken", slug=data.slug), "slug")
        event.slug = data.slug
    for key, value in _event_fields(data, event).items():
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
    round", so that is refused instead. An event that became a plenary gathering (no rounds) keeps nobody's."""
    if rounds is None or last == 0:
        return None
    kept = [r for r in rounds if r <= last]
    if not kept:
        message = _t("someone is present only in rounds after round %(last)s; change their rounds first", last=last)
        raise DomainError("rounds_lost", message, field)
    return kept


async def copy_event(session: AsyncSession, user: CurrentUser, source: Event, date: dt.date, name: str | None) -> Event:
    """A new draft event with the same settings, employers, openings and contacts, on another date."""
    require_role(user, Role.ORGANISER)
    fields = {c.key: getattr(source, c.key) for c in Event.__table__.columns if c.key not in _NOT_COPIED}
    copy = Event(**fields)
    copy.name = (name or source.name).strip()
    copy.date = date
    copy.slug = await _unique_slug(session, f"{copy.name} {date.isoformat()}")
    copy.status = EventStatus.DRAFT
    session.add(copy)
    await session.flush()
    query = confirmed_employers(source.id).options(
        selectinload(EmployerParticipation.openings), selectinload(EmployerParticipation.contacts)
    )
    for employer in (await session.scalars(query)).all():
        twin = EmployerParticipation(event_id=copy.id, **_copied(employer, _EMPLOYER_COPIED))
        session.add(twin)
        await session.flush()
        for opening in employer.openings:
            session.add(Opening(employer_participation_id=twin.id, **_copied(opening, _OPENING_COPIED)))
        for contact in employer.contacts:
            session.add(EmployerContact(employer_participation_id=twin.id, **_copied(contact, _CONTACT_COPIED)))
    await session.flush()
    await audit(session, user, "copy", "event", copy.id, detail={"source": source.id})
    return copy


_NOT_COPIED = {"id", "slug", "name", "date", "status", "archived_at", "created_at", "updated_at"}
# What a copied event takes over of each employer, its openings and its contacts (a walk-in stays with its day).
_EMPLOYER_COPIED = ("organisation_id", "tables", "seats", "rounds", "notes")
_OPENING_COPIED = ("title", "kind", "hours_per_week", "sector", "description")
_CONTACT_COPIED = ("user_id", "name", "email", "phone")


def _copied(row: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def confirmed_employers(event_id: int) -> Select[tuple[EmployerParticipation]]:
    """The query of an event's confirmed employers, those that did not cancel (the caller adds what to load)."""
    return select(EmployerParticipation).where(EmployerParticipation.taking_part(event_id))


async def set_archived(session: AsyncSession, user: CurrentUser, event: Event, archived: bool) -> Event:
    require_role(user, Role.ORGANISER)
    event.archived_at = dt.datetime.now(dt.UTC) if archived else None
    await session.flush()
    await audit(session, user, "archive" if archived else "unarchive", "event", event.id)
    return event
