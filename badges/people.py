"""The people of an event who carry a badge, and their tokens (each one's own schedule for the day is in
`badges.schedules`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import HolderKind, PersonToken, TokenPurpose
from badges.tokens import derive_token, token_hash, well_formed
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Event,
    Organisation,
    ParticipationStatus,
    Role,
    User,
)
from events.platform.names import short_name
from events.platform.services import candidate_short_names
from events.platform.settings import Settings
from events.registration import preferences as prefs
from events.registration.guests import guest_rows

# A holder is named by its kind and the id of its row: candidate participation, employer contact, user.
HolderKey = tuple[HolderKind, int]


@dataclass(frozen=True, slots=True)
class Holder:
    """A person who gets a badge: a candidate, an employer's contact person, a staff member or a guest (a partner,
    an official, the press)."""

    kind: HolderKind
    id: int
    first_name: str
    full_name: str
    email: str | None
    locale: str
    # The employer participation a contact sits at; for a candidate, None.
    employer_id: int | None = None
    # An employer contact's organisation; a guest's, as they gave it.
    organisation: str | None = None
    # Candidates only: their coaches' (name, e-mail), for those who have no address of their own.
    coaches: tuple[tuple[str, str], ...] = ()
    # Candidates only: the short name they have throughout the event (events.platform.names: unique within it), when
    # `holders(..., with_short_names=True)` read it.
    short: str = ""
    # Guests only: their kind (partner, official, press, other) and function ("wethouder"), as the badge prints.
    guest_kind: str = ""
    function: str = ""

    @property
    def key(self) -> HolderKey:
        return (self.kind, self.id)

    @property
    def token_subject(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @property
    def short_name(self) -> str:
        """First name and surname initial ("Noor B."), for lists that need no more: a candidate's as the whole
        event shows it, anyone else's from their name."""
        return self.short or short_name(self.first_name, self.full_name.removeprefix(self.first_name).strip())


KIND_PLURALS = {
    "candidates": HolderKind.CANDIDATE,
    "employers": HolderKind.EMPLOYER,
    "staff": HolderKind.STAFF,
    "guests": HolderKind.GUEST,
}


async def holders(
    session: AsyncSession,
    event: Event,
    kinds: Iterable[HolderKind] = (HolderKind.CANDIDATE, HolderKind.EMPLOYER),
    only: Collection[int] | None = None,
    *,
    with_no_shows: bool = False,
    with_short_names: bool = False,
) -> list[Holder]:
    """The event's badge holders of the given kinds: planned candidates, the contacts of employers that
    take part, door accounts working at this event, and its guests. Ordered by kind, then name. `only` limits
    them to these holder ids (participation, contact, user or guest ids). `with_short_names`: for lists that show
    candidates by `short_name`, read the short names as the whole event has them (one query more)."""
    wanted = set(kinds)
    found: list[Holder] = []
    if HolderKind.CANDIDATE in wanted:
        rows = await session.execute(
            select(
                CandidateParticipation.id,
                Candidate.id,
                Candidate.first_name,
                Candidate.last_name,
                Candidate.email,
                Candidate.locale,
            )
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(
                prefs.planned_participations(event, DAY_STATUSES if with_no_shows else prefs.ACTIVE),
                _only(CandidateParticipation.id, only),
            )
            .order_by(func.lower(Candidate.first_name), func.lower(Candidate.last_name), CandidateParticipation.id)
        )
        people = rows.all()
        coaches: dict[int, list[tuple[str, str]]] = defaultdict(list)
        coach_rows = await session.execute(
            select(CandidateCoach.candidate_id, User.name, User.email)
            .join(User, User.id == CandidateCoach.coach_id)
            .where(
                # A few people by id; everyone of the event through a subquery (thousands of bound ids would
                # cost more to send than the rows they fetch).
                CandidateCoach.candidate_id.in_(
                    [p[1] for p in people]
                    if only is not None and len(people) <= 100
                    else select(CandidateParticipation.candidate_id).where(CandidateParticipation.event_id == event.id)
                ),
                User.is_active.is_(True),
            )
            .order_by(User.name)
        )
        for candidate_id, name, email in coach_rows.all():
            coaches[candidate_id].append((name, email))
        short = await candidate_short_names(session, event.id) if people and with_short_names else {}
        for pid, cid, first, last, email, locale in people:
            found.append(
                Holder(
                    HolderKind.CANDIDATE,
                    pid,
                    first,
                    f"{first} {last}".strip(),
                    email,
                    locale or "nl",
                    coaches=tuple(coaches.get(cid, ())),
                    short=short.get(pid, ""),
                )
            )
    if HolderKind.EMPLOYER in wanted:
        rows = await session.execute(
            select(
                EmployerContact.id, EmployerContact.name, EmployerContact.email, User.locale, EmployerParticipation.id
            )
            .add_columns(Organisation.name)
            .join(EmployerParticipation, EmployerParticipation.id == EmployerContact.employer_participation_id)
            .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
            .outerjoin(User, User.id == EmployerContact.user_id)
            .where(
                EmployerParticipation.taking_part(event.id),
                _only(EmployerContact.id, only),
            )
            .order_by(func.lower(Organisation.name), func.lower(EmployerContact.name), EmployerContact.id)
        )
        for contact_id, name, email, locale, employer_id, organisation in rows.all():
            first = name.split()[0] if name.split() else name
            found.append(
                Holder(HolderKind.EMPLOYER, contact_id, first, name, email, locale or "nl", employer_id, organisation)
            )
    if HolderKind.STAFF in wanted:
        rows = await session.execute(
            select(User.id, User.name, User.email, User.locale)
            .where(User.role == Role.DOOR, User.event_id == event.id, User.is_active.is_(True), _only(User.id, only))
            .order_by(func.lower(User.name), User.id)
        )
        for user_id, name, email, locale in rows.all():
            first = name.split()[0] if name.split() else name
            found.append(Holder(HolderKind.STAFF, user_id, first, name, email, locale or "nl"))
    if HolderKind.GUEST in wanted:
        for guest_id, name, organisation, kind, function, email in await guest_rows(session, event, only):
            first = name.split()[0] if name.split() else name
            found.append(
                Holder(
                    HolderKind.GUEST,
                    guest_id,
                    first,
                    name,
                    email,
                    "nl",
                    organisation=organisation or None,
                    guest_kind=kind.value,
                    function=function,
                )
            )
    return found


# On the day, candidates marked absent still count (as absent) on the organiser's pages.
DAY_STATUSES = (*prefs.ACTIVE, ParticipationStatus.NO_SHOW)


def _only(column: Any, ids: Collection[int] | None) -> Any:
    return true() if ids is None else column.in_(list(ids))


# -- tokens --------------------------------------------------------------------------------------------


_HOLDER_COLUMN = {
    HolderKind.CANDIDATE: PersonToken.candidate_participation_id,
    HolderKind.EMPLOYER: PersonToken.employer_contact_id,
    HolderKind.STAFF: PersonToken.user_id,
    HolderKind.GUEST: PersonToken.event_guest_id,
}


def holder_id_of(row: PersonToken) -> int:
    """The id of the participation, contact, user or guest a token (or check-in) row belongs to."""
    holder_id = row.candidate_participation_id or row.employer_contact_id or row.user_id or row.event_guest_id
    assert holder_id is not None  # noqa: S101 - the one_holder check constraint
    return holder_id


def token_key(settings: Settings, purpose: TokenPurpose) -> bytes:
    return settings.derive_key(f"person-token:{purpose.value}")


def token_of(settings: Settings, row: PersonToken) -> str:
    """The token a row stands for (derived again: the database never holds it)."""
    return derive_token(
        token_key(settings, row.purpose), row.purpose.value, f"{row.holder_kind.value}:{holder_id_of(row)}", row.version
    )


def _holder_fields(holder: Holder) -> dict[str, int]:
    column = _HOLDER_COLUMN[holder.kind]
    return {column.key: holder.id}


async def _live(
    session: AsyncSession, event: Event, purpose: TokenPurpose, people: Sequence[Holder]
) -> dict[HolderKey, PersonToken]:
    query = select(PersonToken).where(
        PersonToken.event_id == event.id, PersonToken.purpose == purpose, PersonToken.revoked_at.is_(None)
    )
    if len(people) <= 500:  # a few people (a page, one message): read only theirs
        by_kind: dict[HolderKind, list[int]] = defaultdict(list)
        for holder in people:
            by_kind[holder.kind].append(holder.id)
        query = query.where(or_(*(_HOLDER_COLUMN[kind].in_(ids) for kind, ids in by_kind.items()), false()))
    live: dict[HolderKey, PersonToken] = {}
    for row in await session.scalars(query):
        live[(row.holder_kind, holder_id_of(row))] = row
    return live


async def live_tokens(
    session: AsyncSession, settings: Settings, event: Event, purpose: TokenPurpose, people: Sequence[Holder]
) -> dict[HolderKey, tuple[str, PersonToken]]:
    """Each holder's live token (and its row), creating version 1 for those that have none yet. Numbers are
    given per purpose in the order of `people`, after the highest the event has used. Safe when two requests
    create tokens at once: creation takes the event's row lock (SQLite: the write lock) and reads again."""
    live = await _live(session, event, purpose, people)
    if any(h.key not in live for h in people):
        await session.execute(update(Event).where(Event.id == event.id).values(updated_at=Event.updated_at))
        live = await _live(session, event, purpose, people)
        missing = [h for h in people if h.key not in live]
        highest = await session.scalar(
            select(func.max(PersonToken.number)).where(PersonToken.event_id == event.id, PersonToken.purpose == purpose)
        )
        number = int(highest or 0)
        for holder in missing:
            number += 1
            row = PersonToken(
                event_id=event.id,
                purpose=purpose,
                holder_kind=holder.kind,
                version=1,
                number=number,
                token_hash="",
                **_holder_fields(holder),
            )
            row.token_hash = token_hash(token_of(settings, row))
            session.add(row)
            live[holder.key] = row
        await session.flush()
    return {h.key: (token_of(settings, live[h.key]), live[h.key]) for h in people}


async def reissue(
    session: AsyncSession, settings: Settings, event: Event, purpose: TokenPurpose, holder: Holder
) -> str:
    """Revoke the holder's live token and give it the next version; returns the new token. Two at once for the
    same person: the event's row lock makes the second revoke the first one's new token in turn."""
    await session.execute(update(Event).where(Event.id == event.id).values(updated_at=Event.updated_at))
    current = (await live_tokens(session, settings, event, purpose, [holder]))[holder.key][1]
    await session.execute(
        update(PersonToken).where(PersonToken.id == current.id).values(revoked_at=dt.datetime.now(dt.UTC))
    )
    row = PersonToken(
        event_id=event.id,
        purpose=purpose,
        holder_kind=holder.kind,
        version=current.version + 1,
        number=current.number,
        token_hash="",
        **_holder_fields(holder),
    )
    token = token_of(settings, row)
    row.token_hash = token_hash(token)
    session.add(row)
    await session.flush()
    return token


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a scanned or opened token is: `state` "ok", "revoked" or "unknown" (malformed included)."""

    state: str
    row: PersonToken | None = None


async def resolve(session: AsyncSession, purpose: TokenPurpose, token: str) -> Resolved:
    """Look a token up by its hash. The exact text counts: no trimming, no case folding."""
    if not well_formed(token):
        return Resolved("unknown")
    row = await session.scalar(
        select(PersonToken).where(PersonToken.token_hash == token_hash(token), PersonToken.purpose == purpose)
    )
    if row is None:
        return Resolved("unknown")
    if row.revoked_at is not None:
        return Resolved("revoked", row)
    return Resolved("ok", row)


async def holder_of(session: AsyncSession, event: Event, row: PersonToken) -> Holder | None:
    """The holder a token row belongs to, if that person still takes part."""
    found = await holders(session, event, (row.holder_kind,), only=(holder_id_of(row),))
    return found[0] if found else None


async def open_token(session: AsyncSession, purpose: TokenPurpose, token: str) -> tuple[Event, Holder] | None:
    """The event and the person a live token opens; None for an unknown, malformed or revoked token, or a
    person who no longer takes part (callers answer all of these alike)."""
    found = await resolve(session, purpose, token)
    if found.state != "ok" or found.row is None:
        return None
    event = await session.get(Event, found.row.event_id)
    holder = await holder_of(session, event, found.row) if event is not None else None
    if event is None or holder is None:
        return None
    return event, holder
