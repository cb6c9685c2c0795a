"""Calendars (.ics): each person's talks, and the whole programme for organisers.

One VEVENT per talk. A talk is named across versions by its pair (candidate and employer participation),
so its UID stays the same however often it moves; its SEQUENCE counts how often its round or table changed
over the published versions, and a talk that an earlier published version had and the newest one lacks is
sent as STATUS:CANCELLED, one step of SEQUENCE higher. Times are in Europe/Amsterdam with its VTIMEZONE.

The building is pure (`build_calendar`, `talk_states`); `calendar_data` reads the published history once, so
that the CLI cuts every person's calendar from one read. The text is in the reader's language: a person's
own language for their calendar, the current one (the organiser's) for the whole programme.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from icalendar import Calendar, Timezone, vDuration
from icalendar import Event as VEvent
from sqlalchemy import false, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import HolderKind
from badges.people import Holder, holders
from badges.schedules import talk_names
from events.platform import i18n
from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import EVENT_TZ, Event, Role
from events.platform.services import EventService
from schedule.models import Meeting, MeetingStatus, ScheduleVersion, VersionStatus

PRODID = "-//meetmatch//meetmatch calendars//NL"
Pair = tuple[int, int]
Placement = tuple[int, int]  # (round, table)
Audience = Literal["candidate", "employer", "organiser"]
# Calendar apps that subscribe to a feed look again after this long (a hint; some apps pick their own pace).
REFRESH = dt.timedelta(hours=1)


def talk_uid(event_id: int, pair: Pair) -> str:
    """The UID of a talk: the same in every version, in the candidate's, the employer's and the organiser's
    calendar. Participation ids only, nothing personal."""
    return f"talk-{event_id}-{pair[0]}-{pair[1]}@meetmatch"


@dataclass(frozen=True, slots=True)
class TalkState:
    """A pair's talk over the published history: where it is now (or was last), how often it changed."""

    placement: Placement
    sequence: int
    cancelled: bool


def talk_states(history: Sequence[Mapping[Pair, Placement]]) -> dict[Pair, TalkState]:
    """Each pair that any published version had, from the versions' placements in publish order.

    SEQUENCE starts at 0 when a talk first appears and rises by one at every later version where its
    placement differs from the one before: moved to another round or table, dropped (cancelled), or back.
    A cancelled talk keeps the last placement it had, so the calendar can cancel the right slot.
    """
    pairs: set[Pair] = set()
    for placements in history:
        pairs.update(placements)
    states: dict[Pair, TalkState] = {}
    for pair in pairs:
        seen = False
        previous: Placement | None = None
        last: Placement | None = None
        changes = 0
        for placements in history:
            now = placements.get(pair)
            if seen and now != previous:
                changes += 1
            if now is not None:
                seen = True
                last = now
            previous = now
        assert last is not None  # noqa: S101 - the pair came from one of the versions
        states[pair] = TalkState(last, changes, history[-1].get(pair) is None)
    return states


@dataclass(frozen=True, slots=True)
class TalkEntry:
    """One VEVENT: a talk of the newest published version, or a cancelled one at its last placement."""

    pair: Pair
    round: int
    table: int
    sequence: int
    cancelled: bool
    candidate: str  # first name and initial
    employer: str  # the organisation

    @property
    def candidate_id(self) -> int:
        return self.pair[0]

    @property
    def employer_id(self) -> int:
        return self.pair[1]


@dataclass(frozen=True, slots=True)
class CalendarData:
    """Everything the calendars of one event are cut from. `version` is None when nothing is published."""

    event: Event
    version: int | None
    entries: tuple[TalkEntry, ...]
    stamp: dt.datetime

    def of(self, holder: Holder) -> list[TalkEntry]:
        """A candidate's own talks; an employer contact's, those at its organisation's tables; staff none."""
        if holder.kind is HolderKind.CANDIDATE:
            return [e for e in self.entries if e.candidate_id == holder.id]
        if holder.kind is HolderKind.EMPLOYER and holder.employer_id is not None:
            return [e for e in self.entries if e.employer_id == holder.employer_id]
        return []


async def published_placements(
    session: AsyncSession, event: Event, holder: Holder | None = None
) -> tuple[list[tuple[int, dt.datetime | None, dict[Pair, Placement]]], int | None]:
    """Every published version in publish order as (number, published at, placements by pair), and the newest
    number. With `holder`, only the pairs of that person's talks (a feed request reads one person's rows, not
    the event's): the same order and the same talks as badges.schedules.published_history, columns only."""
    versions = (
        await session.execute(
            select(ScheduleVersion.id, ScheduleVersion.number, ScheduleVersion.published_at)
            .where(ScheduleVersion.event_id == event.id, ScheduleVersion.status == VersionStatus.PUBLISHED)
            .order_by(ScheduleVersion.published_at, ScheduleVersion.number)
        )
    ).all()
    if not versions:
        return [], None
    by_version: dict[int, dict[Pair, Placement]] = {v.id: {} for v in versions}
    query = select(
        Meeting.version_id,
        Meeting.candidate_participation_id,
        Meeting.employer_participation_id,
        Meeting.round,
        Meeting.table,
    ).where(Meeting.version_id.in_(list(by_version)), Meeting.status != MeetingStatus.CANCELLED)
    if holder is not None:
        if holder.kind is HolderKind.CANDIDATE:
            query = query.where(Meeting.candidate_participation_id == holder.id)
        elif holder.kind is HolderKind.EMPLOYER and holder.employer_id is not None:
            query = query.where(Meeting.employer_participation_id == holder.employer_id)
        else:
            query = query.where(false())
    for version_id, candidate, employer, rnd, table in (await session.execute(query)).tuples():
        by_version[version_id][(candidate, employer)] = (rnd, table)
    return [(v.number, v.published_at, by_version[v.id]) for v in versions], versions[-1].number


async def calendar_data(session: AsyncSession, event: Event, holder: Holder | None = None) -> CalendarData:
    """Read the event's published history once (only `holder`'s talks, when given) and turn every talk it ever
    had into an entry."""
    history, newest = await published_placements(session, event, holder)
    states = talk_states([placements for _, _, placements in history]) if history else {}
    candidates, employers = await talk_names(session, event)
    entries = sorted(
        (
            TalkEntry(
                pair,
                state.placement[0],
                state.placement[1],
                state.sequence,
                state.cancelled,
                candidates.get(pair[0], "-"),
                employers.get(pair[1], "-"),
            )
            for pair, state in states.items()
        ),
        key=lambda e: (e.round, e.table, e.cancelled, e.pair),
    )
    # DTSTAMP: when this content came about (the newest publish, or a later change of the event's times), so
    # the same programme gives the same bytes, and a feed can answer "not modified".
    stamps = [s for s in (*(published for _, published, _ in history), event.updated_at) if s is not None]
    stamp = max(stamps) if stamps else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return CalendarData(event, newest, tuple(entries), stamp.astimezone(dt.UTC).replace(microsecond=0))


# -- building -------------------------------------------------------------------------------------------


def _timezone(event: Event) -> Timezone:
    """Europe/Amsterdam's VTIMEZONE for the event's year (and the next, for events around New Year)."""
    year = event.date.year
    return Timezone.from_tzinfo(
        EVENT_TZ, EVENT_TZ.key, first_date=dt.date(year - 1, 12, 1), last_date=dt.date(year + 1, 12, 31)
    )


def location(event: Event, table: int) -> str:
    place = ", ".join(part for part in (event.venue.strip(), event.address.strip()) if part)
    at_table = i18n.gettext("Table %(table)s", table=table)
    return f"{place} · {at_table}" if place else at_table


def summary(entry: TalkEntry, audience: Audience) -> str:
    if audience == "candidate":
        text = i18n.gettext("Talk with %(name)s · table %(table)s", name=entry.employer, table=entry.table)
    elif audience == "employer":
        text = i18n.gettext("Talk with %(name)s · table %(table)s", name=entry.candidate, table=entry.table)
    else:
        text = i18n.gettext(
            "%(employer)s with %(candidate)s · table %(table)s",
            employer=entry.employer,
            candidate=entry.candidate,
            table=entry.table,
        )
    return i18n.gettext("Cancelled: %(talk)s", talk=text) if entry.cancelled else text


def description(event: Event, entry: TalkEntry) -> str:
    where = i18n.gettext(
        "%(event)s, round %(round)s of %(rounds)s.", event=event.name, round=entry.round, rounds=event.rounds
    )
    if entry.cancelled:
        cancelled = i18n.gettext("This talk is cancelled.")
        return f"{cancelled}\n{where}"
    return where


def calendar_name(event: Event, audience: Audience) -> str:
    if audience == "organiser":
        return i18n.gettext("%(event)s · programme", event=event.name)
    return i18n.gettext("%(event)s · my talks", event=event.name)


def build_calendar(event: Event, entries: Sequence[TalkEntry], audience: Audience, stamp: dt.datetime) -> bytes:
    """The .ics text of `entries` in the current language, for a candidate, an employer contact or organisers."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name(event, audience))
    calendar.add("x-wr-timezone", EVENT_TZ.key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(_timezone(event))
    for entry in entries:
        talk = VEvent()
        talk.add("uid", talk_uid(event.id, entry.pair))
        talk.add("dtstamp", stamp)
        talk.add("dtstart", event.round_start(entry.round))
        talk.add("dtend", event.round_end(entry.round))
        # A talk the clock moved on the day counts as changed too, so calendars take the new time.
        talk.add("sequence", entry.sequence + event.clock_changes(entry.round))
        talk.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        talk.add("summary", summary(entry, audience))
        talk.add("location", location(event, entry.table))
        talk.add("description", description(event, entry))
        talk.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
        calendar.add_component(talk)
    return bytes(calendar.to_ical())


def audience_of(holder: Holder) -> Audience:
    return "candidate" if holder.kind is HolderKind.CANDIDATE else "employer"


def person_ics(data: CalendarData, holder: Holder) -> bytes:
    """A person's calendar in their own language."""
    with i18n.language(holder.locale):
        return build_calendar(data.event, data.of(holder), audience_of(holder), data.stamp)


def calendar_filename(holder: Holder) -> str:
    """A stable file name without personal data: `candidate-<participation id>.ics`, `employer-<contact id>.ics`."""
    return f"{holder.kind.value}-{holder.id}.ics"


async def person_calendar(session: AsyncSession, event: Event, holder: Holder) -> bytes:
    """The .ics of one person's talks at `event` (with the cancelled ones), in the person's language."""
    return person_ics(await calendar_data(session, event, holder), holder)


async def event_calendar(session: AsyncSession, event: Event) -> bytes:
    """The whole published programme as one calendar (for organisers), in the current language."""
    data = await calendar_data(session, event)
    return build_calendar(event, data.entries, "organiser", data.stamp)


# -- who may have which calendar --------------------------------------------------------------------------


async def calendar_people(session: AsyncSession, user: CurrentUser, event: Event) -> list[Holder]:
    """The people whose calendars `user` may have: every candidate and employer contact for organisers, a
    coach's own candidates for a coach; nobody for other roles."""
    if user.role is Role.ORGANISER:
        return await holders(session, event, (HolderKind.CANDIDATE, HolderKind.EMPLOYER))
    if user.role is Role.COACH:
        own = [p.id for p in await EventService(session, user).candidates(event)]
        return await holders(session, event, (HolderKind.CANDIDATE,), only=own)
    raise NotFoundError("calendars")


async def reachable_holder(session: AsyncSession, user: CurrentUser, event: Event, kind: str, holder_id: int) -> Holder:
    """One person whose calendar `user` may have; anything else (another coach's candidate, an employer contact
    for a coach, someone who no longer takes part, a kind that has no calendar) is not found."""
    if kind not in (HolderKind.CANDIDATE.value, HolderKind.EMPLOYER.value):
        raise NotFoundError("calendar")
    holder_kind = HolderKind(kind)
    if user.role is Role.COACH:
        if holder_kind is not HolderKind.CANDIDATE:
            raise NotFoundError("calendar")
        own = {p.id for p in await EventService(session, user).candidates(event)}
        if holder_id not in own:
            raise NotFoundError("calendar")
    elif user.role is not Role.ORGANISER:
        raise NotFoundError("calendar")
    found = await holders(session, event, (holder_kind,), only=(holder_id,))
    if not found:
        raise NotFoundError("calendar")
    return found[0]
