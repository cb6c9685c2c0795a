"""Each badge holder's own schedule for the day, cut from the published version.

Everything a badge, a handout, a calendar or an e-mail shows about a person's talks comes from here, so the
printed, the mailed and the scanned schedule can never disagree: `schedules` reads the published version once
and cuts it per person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import HolderKind
from badges.people import Holder, HolderKey
from events.platform.models import EmployerParticipation, Event
from events.platform.services import candidate_short_names, employer_names
from schedule.models import Meeting, MeetingStatus, ScheduleVersion, VersionStatus


@dataclass(frozen=True, slots=True)
class Talk:
    """One talk as a person's schedule shows it. `pair` (candidate and employer participation) names the
    talk across versions: a pair meets at most once in a version."""

    round: int
    starts: dt.datetime
    ends: dt.datetime
    table: int
    candidate_id: int
    candidate: str  # first name and initial
    employer_id: int
    employer: str

    @property
    def pair(self) -> tuple[int, int]:
        return (self.candidate_id, self.employer_id)


@dataclass(frozen=True, slots=True)
class PersonSchedule:
    holder: Holder
    talks: tuple[Talk, ...]

    def by_round(self) -> dict[int, list[Talk]]:
        rounds: dict[int, list[Talk]] = defaultdict(list)
        for talk in self.talks:
            rounds[talk.round].append(talk)
        return dict(rounds)


@dataclass(frozen=True, slots=True)
class EventSchedule:
    """The published schedule cut per person. `version` is None when nothing is published yet."""

    event: Event
    version: int | None
    people: dict[HolderKey, PersonSchedule] = field(default_factory=dict)

    def of(self, holder: Holder) -> PersonSchedule:
        return self.people.get(holder.key) or PersonSchedule(holder, ())


# How the kinds of holder appear in addresses (/attendees/candidates/12/reissue).


async def published_meetings(
    session: AsyncSession, event: Event, candidates: Collection[int] | None = None, employers: Collection[int] = ()
) -> tuple[int | None, list[Meeting]]:
    """The number and the planned talks of the version attendees see (the newest published one); with
    `candidates` given, only the talks of those candidates and of those `employers` (participation ids)."""
    # The version's id and number only: its instance is megabytes of JSON for a large fair.
    version = (
        await session.execute(
            select(ScheduleVersion.id, ScheduleVersion.number)
            .where(ScheduleVersion.event_id == event.id, ScheduleVersion.status == VersionStatus.PUBLISHED)
            .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
            .limit(1)
        )
    ).first()
    if version is None:
        return None, []
    query = select(Meeting).where(Meeting.version_id == version.id, Meeting.status != MeetingStatus.CANCELLED)
    if candidates is not None:
        query = query.where(
            or_(
                Meeting.candidate_participation_id.in_(list(candidates)),
                Meeting.employer_participation_id.in_(list(employers)),
            )
        )
    meetings = await session.scalars(query.order_by(Meeting.round, Meeting.table, Meeting.id))
    return version.number, list(meetings)


@dataclass(frozen=True, slots=True)
class TalkSlot:
    """A planned talk as plain values (no ORM object): for pages that count thousands of them."""

    candidate_participation_id: int
    employer_participation_id: int
    round: int
    table: int


async def published_slots(session: AsyncSession, event: Event) -> list[TalkSlot]:
    """Every planned talk of the published version, as plain values."""
    version = await session.scalar(
        select(ScheduleVersion.id)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.status == VersionStatus.PUBLISHED)
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
        .limit(1)
    )
    if version is None:
        return []
    rows = await session.execute(
        select(
            Meeting.candidate_participation_id, Meeting.employer_participation_id, Meeting.round, Meeting.table
        ).where(Meeting.version_id == version, Meeting.status != MeetingStatus.CANCELLED)
    )
    return [TalkSlot(*row) for row in rows.tuples()]


async def talk_names(
    session: AsyncSession, event: Event, only: Collection[int] | None = None
) -> tuple[dict[int, str], dict[int, str]]:
    """Candidates by first name and initial (unique within the event; erased people are left out), employers
    by organisation, keyed by participation id (`only`: just these candidates)."""
    names = await candidate_short_names(session, event.id)
    candidates = names if only is None else {pid: names[pid] for pid in only if pid in names}
    return candidates, await employer_names(session, EmployerParticipation.event_id == event.id)


def talks_of(
    event: Event, meetings: Sequence[Meeting], candidates: dict[int, str], employers: dict[int, str]
) -> list[Talk]:
    return [
        Talk(
            m.round,
            event.round_start(m.round),
            event.round_end(m.round),
            m.table,
            m.candidate_participation_id,
            candidates.get(m.candidate_participation_id, "-"),
            m.employer_participation_id,
            employers.get(m.employer_participation_id, "-"),
        )
        for m in meetings
    ]


async def schedules(session: AsyncSession, event: Event, people: Sequence[Holder]) -> EventSchedule:
    """Each holder's talks in the published version: a candidate's own talks; an employer contact's, the
    talks at its organisation's tables; staff have none."""
    few = len(people) <= 50  # a badge page, one e-mail: read only these people's talks and names
    number, meetings = await published_meetings(
        session,
        event,
        [h.id for h in people if h.kind is HolderKind.CANDIDATE] if few else None,
        [h.employer_id for h in people if h.kind is HolderKind.EMPLOYER and h.employer_id is not None],
    )
    if number is None:
        return EventSchedule(event, None, {h.key: PersonSchedule(h, ()) for h in people})
    candidates, employers = await talk_names(
        session, event, {m.candidate_participation_id for m in meetings} if few else None
    )
    talks = talks_of(event, meetings, candidates, employers)
    by_candidate: dict[int, list[Talk]] = defaultdict(list)
    by_employer: dict[int, list[Talk]] = defaultdict(list)
    for talk in talks:
        by_candidate[talk.candidate_id].append(talk)
        by_employer[talk.employer_id].append(talk)
    result: dict[HolderKey, PersonSchedule] = {}
    for holder in people:
        if holder.kind is HolderKind.CANDIDATE:
            own = by_candidate.get(holder.id, [])
        elif holder.kind is HolderKind.EMPLOYER and holder.employer_id is not None:
            own = by_employer.get(holder.employer_id, [])
        else:
            own = []
        result[holder.key] = PersonSchedule(holder, tuple(sorted(own, key=lambda t: (t.round, t.table))))
    return EventSchedule(event, number, result)


async def published_history(session: AsyncSession, event: Event) -> list[tuple[int, dict[tuple[int, int], Meeting]]]:
    """Every published version in the order it was published, as (number, talks by pair): what the
    calendars (SEQUENCE, cancellations) and "only the people a re-publish affected" are computed from."""
    versions = (
        await session.execute(
            select(ScheduleVersion.id, ScheduleVersion.number)
            .where(ScheduleVersion.event_id == event.id, ScheduleVersion.status == VersionStatus.PUBLISHED)
            .order_by(ScheduleVersion.published_at, ScheduleVersion.number)
        )
    ).all()
    if not versions:
        return []
    by_version: dict[int, dict[tuple[int, int], Meeting]] = {v.id: {} for v in versions}
    meetings = await session.scalars(
        select(Meeting).where(Meeting.version_id.in_(list(by_version)), Meeting.status != MeetingStatus.CANCELLED)
    )
    for m in meetings:
        by_version[m.version_id][(m.candidate_participation_id, m.employer_participation_id)] = m
    return [(v.number, by_version[v.id]) for v in versions]


async def affected_by_last_publish(session: AsyncSession, event: Event, people: Sequence[Holder]) -> list[Holder]:
    """Of `people`, those whose schedule the newest publish changed against the one before it: both sides
    of every added, removed or moved talk (an employer's contacts for its tables). With only one
    version published, everyone with a talk in it."""
    history = await published_history(session, event)
    if not history:
        return []
    now = history[-1][1]
    before = history[-2][1] if len(history) > 1 else {}
    changed = [
        pair
        for pair in now.keys() | before.keys()
        if (pair in now) != (pair in before)
        or (pair in now and (now[pair].round, now[pair].table) != (before[pair].round, before[pair].table))
    ]
    candidates = {c for c, _ in changed}
    employers = {e for _, e in changed}
    return [
        h
        for h in people
        if (h.kind is HolderKind.CANDIDATE and h.id in candidates)
        or (h.kind is HolderKind.EMPLOYER and h.employer_id in employers)
    ]
