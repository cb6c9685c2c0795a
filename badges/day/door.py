"""The door on the day: who may check people in (door accounts on the event's day, or on a rehearsal day an
organiser opened early), the badge holder a door sees, and checking a person in, once, whoever does it (a scan,
the desk, a paper list, a walk-in registration)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import CheckIn, CheckInMethod, HolderKind, PersonToken
from badges.people import DAY_STATUSES, Holder, holder_of
from events.platform import dates
from events.platform.db import dialect_insert, utcnow
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import N_
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.labels import guest_kind_label
from events.platform.models import Candidate, CandidateParticipation, Event, ParticipationStatus, Role
from events.platform.reach import in_own_organisation
from events.platform.services import audit, find_event
from events.registration.preferences import planned_participations

MAX_DEVICE = 64

ROLE_WORDS = {
    HolderKind.CANDIDATE: N_("Candidate"),
    HolderKind.EMPLOYER: N_("Employer"),
    HolderKind.STAFF: N_("Staff"),
    HolderKind.GUEST: N_("Guest"),
}


def may_check_in(user: CurrentUser, event: Event, day: dt.date | None = None) -> bool:
    """Organisers, any day; a door account only on a day the event's door is open (its own day, or the day an
    organiser opened it early for a rehearsal), and only at its own event when the account is tied to one.
    ``day`` is today (Amsterdam) unless given: a scan made offline is judged by its own day."""
    if not in_own_organisation(user, event):
        return False
    if user.role is Role.ORGANISER:
        return True
    if user.role is not Role.DOOR or user.event_id not in (None, event.id):
        return False
    return event.door_open(day or dates.today())


async def desk_event(session: AsyncSession, user: CurrentUser, ref: str) -> Event:
    """The event by id or slug, for someone who works its door (today); anyone else gets "not found", as for a
    missing event."""
    event = await find_event(session, ref)
    if not may_check_in(user, event):
        raise NotFoundError("event")
    return event


async def set_rehearsal(
    session: AsyncSession, user: CurrentUser, event: Event, *, open_door: bool, today: dt.date
) -> None:
    """Open the door early for a rehearsal (scans count and door accounts reach the event today, until
    midnight), or close it again. Only before the event's day: on the day the door is open anyway, and after
    it scans are refused for good (badges can still be printed)."""
    if open_door and event.date < today:
        raise DomainError(
            "invalid", _t("The day of this event has passed: its door does not open again."), field="rehearsal"
        )
    if open_door and event.date == today:
        raise DomainError("invalid", _t("It is the day of the event: the door is open."), field="rehearsal")
    event.rehearsal_on = today if open_door else None
    await session.flush()
    action = "rehearsal_open" if open_door else "rehearsal_close"
    await audit(session, user, action, "event", event.id, detail={"date": today.isoformat()})


def person_at_door(holder: Holder, number: int, instruction: str) -> dict[str, Any]:
    """What door staff see: first name, role, badge number, the organiser's instruction if any."""
    person: dict[str, Any] = {
        "first_name": holder.first_name,
        "role": holder.kind.value,
        "role_text": guest_kind_label(holder.guest_kind) if holder.guest_kind else _t(ROLE_WORDS[holder.kind]),
        "number": number,
        "instruction": instruction,
    }
    if holder.kind in (HolderKind.EMPLOYER, HolderKind.GUEST) and holder.organisation:
        person["organisation"] = holder.organisation
    return person


async def door_holder(session: AsyncSession, event: Event, row: PersonToken) -> tuple[Holder, str] | None:
    """The badge's holder if they still take part, and the organiser's instruction for the door: one query for
    a candidate (the busiest case), the roster's own for anyone else."""
    if row.holder_kind is not HolderKind.CANDIDATE or row.candidate_participation_id is None:
        found = await holder_of(session, event, row)
        return (found, "") if found is not None else None
    hit = (
        await session.execute(
            select(
                Candidate.first_name,
                Candidate.last_name,
                Candidate.email,
                Candidate.locale,
                CandidateParticipation.door_instruction,
            )
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            # Someone marked absent who turns up after all checks in like anyone else.
            .where(
                CandidateParticipation.id == row.candidate_participation_id,
                planned_participations(event, DAY_STATUSES),
            )
        )
    ).first()
    if hit is None:
        return None
    first, last, email, locale, instruction = hit
    holder = Holder(
        HolderKind.CANDIDATE, row.candidate_participation_id, first, f"{first} {last}".strip(), email, locale or "nl"
    )
    return holder, instruction or ""


async def record_check_in(
    session: AsyncSession,
    event: Event,
    holder: Holder,
    *,
    by: CurrentUser | None,
    method: CheckInMethod,
    at: dt.datetime | None = None,
    device: str = "",
) -> tuple[bool, dt.datetime]:
    """Check `holder` in unless they already are: (whether this call did it, the time they are in since)."""
    moment = at or utcnow()
    inserted = await session.scalar(
        dialect_insert(session, CheckIn)
        .values(
            event_id=event.id,
            holder=holder.token_subject,
            holder_kind=holder.kind.value,
            candidate_participation_id=holder.id if holder.kind is HolderKind.CANDIDATE else None,
            employer_contact_id=holder.id if holder.kind is HolderKind.EMPLOYER else None,
            event_guest_id=holder.id if holder.kind is HolderKind.GUEST else None,
            at=moment,
            by_user_id=by.id if by else None,
            device=device[:MAX_DEVICE],
            method=method.value,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["event_id", "holder"])
        .returning(CheckIn.id)
    )
    if inserted is None:
        since = await session.scalar(
            select(CheckIn.at).where(CheckIn.event_id == event.id, CheckIn.holder == holder.token_subject)
        )
        return False, since or moment
    if holder.kind is HolderKind.CANDIDATE:
        await session.execute(
            update(CandidateParticipation)
            .where(
                CandidateParticipation.id == holder.id,
                CandidateParticipation.status.in_(
                    [ParticipationStatus.REGISTERED, ParticipationStatus.CONFIRMED, ParticipationStatus.NO_SHOW]
                ),
            )
            .values(status=ParticipationStatus.CHECKED_IN)
        )
    return True, moment
