"""The organiser's picture of the day: who is present, late or absent per group, arrivals over time, and the
seats per round that will stay empty; the same for each coach's own candidates at the coach desk. And what
organisers change by hand on the day: someone present or absent, the door instruction, the round clock."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import clock
from badges.day.door import record_check_in
from badges.models import CheckIn, CheckInMethod, HolderKind
from badges.people import KIND_PLURALS, Holder, holders
from badges.schedules import TalkSlot, published_slots
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    EVENT_TZ,
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    ParticipationStatus,
)
from events.platform.services import audit

GROUPS = (HolderKind.CANDIDATE, HolderKind.EMPLOYER, HolderKind.GUEST, HolderKind.STAFF)
BUCKET_MINUTES = 10


@dataclass(frozen=True, slots=True)
class PersonState:
    holder: Holder
    state: str  # present | late | absent | expected
    first_round: int | None
    checked_in_at: dt.datetime | None
    expected_at: dt.datetime


@dataclass(frozen=True, slots=True)
class GroupFigures:
    kind: HolderKind
    total: int
    present: int
    late: int
    absent: int
    expected: int


@dataclass(frozen=True, slots=True)
class RoundSeats:
    round: int
    starts: dt.datetime
    capacity: int
    planned: int
    missing: int  # planned talks whose candidate is not (yet) here
    empty: int  # seats that stay empty unless the missing arrive or a re-plan fills them
    running: bool


@dataclass
class DayPicture:
    event: Event
    now: dt.datetime
    people: list[PersonState]
    groups: list[GroupFigures]
    arrivals: list[tuple[dt.datetime, int]]
    seats: list[RoundSeats]

    @property
    def late_candidates(self) -> list[PersonState]:
        return [p for p in self.people if p.holder.kind is HolderKind.CANDIDATE and p.state == "late"]

    @property
    def most_arrivals(self) -> int:
        return max((count for _, count in self.arrivals), default=0)


def _state(
    now: dt.datetime,
    times: dict[int, tuple[dt.datetime, dt.datetime]],
    present: bool,
    no_show: bool,
    first: int | None,
    last: int | None,
) -> tuple[str, dt.datetime]:
    expected_at = times[first or 1][0]
    if present:
        return "present", expected_at
    if no_show or now >= times[last or len(times)][1]:
        return "absent", expected_at
    if now >= expected_at:
        return "late", expected_at
    return "expected", expected_at


async def picture(session: AsyncSession, event: Event, now: dt.datetime | None = None) -> DayPicture:
    now = now or dt.datetime.now(dt.UTC)
    people = await holders(session, event, GROUPS, with_no_shows=True, with_short_names=True)
    arrival_rows = await session.execute(select(CheckIn.holder, CheckIn.at).where(CheckIn.event_id == event.id))
    arrived: dict[str, dt.datetime] = dict(arrival_rows.tuples().all())
    meetings = await published_slots(session, event)
    candidate_rounds: dict[int, list[int]] = defaultdict(list)
    employer_rounds: dict[int, list[int]] = defaultdict(list)
    for m in meetings:
        candidate_rounds[m.candidate_participation_id].append(m.round)
        employer_rounds[m.employer_participation_id].append(m.round)
    no_shows = set(
        await session.scalars(
            select(CandidateParticipation.id).where(
                CandidateParticipation.event_id == event.id,
                CandidateParticipation.status == ParticipationStatus.NO_SHOW,
            )
        )
    )
    states: list[PersonState] = []
    # A plenary gathering has no rounds: everyone is expected when it starts (and never absent by the clock).
    times = event.round_times() or {1: (event.round_start(1), dt.datetime.max.replace(tzinfo=dt.UTC))}
    for holder in people:
        if holder.kind is HolderKind.CANDIDATE:
            rounds = candidate_rounds.get(holder.id, [])
        elif holder.kind is HolderKind.EMPLOYER:
            rounds = employer_rounds.get(holder.employer_id or 0, [])
        else:
            rounds = []
        first, last = (min(rounds), max(rounds)) if rounds else (None, None)
        at = arrived.get(holder.token_subject)
        no_show = holder.kind is HolderKind.CANDIDATE and holder.id in no_shows
        state, expected_at = _state(now, times, at is not None, no_show, first, last)
        states.append(PersonState(holder, state, first, at, expected_at))
    groups = []
    for kind in GROUPS:
        mine = [s for s in states if s.holder.kind is kind]
        counts = Counter(s.state for s in mine)
        groups.append(
            GroupFigures(kind, len(mine), counts["present"], counts["late"], counts["absent"], counts["expected"])
        )
    return DayPicture(
        event,
        now,
        states,
        groups,
        arrivals_over_time(list(arrived.values()), event, now),
        await empty_seats(
            session,
            event,
            meetings,
            {s.holder.id for s in states if s.state == "present" and s.holder.kind is HolderKind.CANDIDATE},
            now,
        ),
    )


async def coach_ids(session: AsyncSession, event: Event) -> dict[int, list[int]]:
    """Each candidate participation's coaches (user ids), for the coach desk."""
    rows = await session.execute(
        select(CandidateParticipation.id, CandidateCoach.coach_id)
        .join(CandidateCoach, CandidateCoach.candidate_id == CandidateParticipation.candidate_id)
        .where(CandidateParticipation.event_id == event.id)
    )
    coaches: dict[int, list[int]] = defaultdict(list)
    for participation_id, coach_id in rows.tuples():
        coaches[participation_id].append(coach_id)
    return dict(coaches)


def arrivals_over_time(times: Sequence[dt.datetime], event: Event, now: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """Check-ins per ten minutes (local time), from an hour before the first round until now or the last one."""
    opening = event.round_start(1) - dt.timedelta(hours=1)
    first = min([*times, opening]).astimezone(EVENT_TZ)
    last = max([*times, min(now, event.round_end(event.rounds))]).astimezone(EVENT_TZ)
    start = first.replace(minute=first.minute - first.minute % BUCKET_MINUTES, second=0, microsecond=0)
    if last < start:
        return []
    counts = Counter(int((t.astimezone(EVENT_TZ) - start).total_seconds() // (BUCKET_MINUTES * 60)) for t in times)
    buckets = int((last - start).total_seconds() // (BUCKET_MINUTES * 60)) + 1
    buckets = min(buckets, 24 * 60 // BUCKET_MINUTES)
    return [(start + dt.timedelta(minutes=BUCKET_MINUTES * i), counts.get(i, 0)) for i in range(buckets)]


async def empty_seats(
    session: AsyncSession, event: Event, meetings: Sequence[TalkSlot], present: set[int], now: dt.datetime
) -> list[RoundSeats]:
    """Per round that has not ended: the seats of the employers there, the talks planned, how many of those
    wait for a candidate who is not here, and so how many seats stay empty."""
    employers = list(
        await session.scalars(select(EmployerParticipation).where(EmployerParticipation.taking_part(event.id)))
    )
    planned: Counter[int] = Counter(m.round for m in meetings)
    missing: Counter[int] = Counter(m.round for m in meetings if m.candidate_participation_id not in present)
    rows = []
    for number in range(1, event.rounds + 1):
        if event.round_end(number) <= now:
            continue
        capacity = sum(e.tables * e.seats for e in employers if e.rounds is None or number in e.rounds)
        seated = planned[number] - missing[number]
        rows.append(
            RoundSeats(
                number,
                event.round_start(number),
                capacity,
                planned[number],
                missing[number],
                max(capacity - seated, 0),
                event.round_start(number) <= now,
            )
        )
    return rows


# -- by hand on the day --------------------------------------------------------------------------------


async def day_holder(
    session: AsyncSession, event: Event, kind: str, holder_id: int, *, only_candidates: bool = False
) -> Holder:
    """A person of the event named in an address (/candidates/12), people marked absent included."""
    wanted = KIND_PLURALS.get(kind)
    if wanted is None or (only_candidates and wanted is not HolderKind.CANDIDATE):
        raise NotFoundError("person")
    found = await holders(session, event, (wanted,), only=(holder_id,), with_no_shows=True)
    if not found:
        raise NotFoundError("person")
    return found[0]


async def mark_present(session: AsyncSession, user: CurrentUser, event: Event, holder: Holder) -> bool:
    """Check a person in at the desk (they came without their badge); False when they already were."""
    done, _ = await record_check_in(session, event, holder, by=user, method=CheckInMethod.DESK)
    return done


async def mark_absent(session: AsyncSession, user: CurrentUser, event: Event, holder: Holder) -> None:
    """A candidate who has not come is absent (a re-plan then gives their seats to others); someone checked in
    stays so."""
    await session.execute(
        update(CandidateParticipation)
        .where(
            CandidateParticipation.id == holder.id,
            CandidateParticipation.status != ParticipationStatus.CHECKED_IN,
        )
        .values(status=ParticipationStatus.NO_SHOW)
    )
    await audit(session, user, "mark_absent", "candidate_participation", holder.id)


async def set_instruction(session: AsyncSession, holder: Holder, text: str) -> None:
    """What door staff are asked to do when this candidate arrives ("bring to the coach desk")."""
    text = text.strip()
    if len(text) > 200:
        raise DomainError("invalid", _t("Keep the instruction under 200 characters."), field="instruction")
    await session.execute(
        update(CandidateParticipation).where(CandidateParticipation.id == holder.id).values(door_instruction=text)
    )


async def control_clock(
    session: AsyncSession, user: CurrentUser, event: Event, now: dt.datetime, action: str, minutes: str
) -> bool:
    """Start, pause, resume or shift the round clock; False, with nothing changed, for a start on another day
    than the event's (the page then shows why its start button is off)."""
    if action == "start" and event.clock_state == "idle" and clock.start_refusal(event, now):
        return False
    clock.control(event, now, action, minutes)
    await audit(session, user, f"clock_{action}", "event", event.id, detail={"minutes": minutes})
    return True
