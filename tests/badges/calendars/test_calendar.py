"""Calendars (.ics): read back with parsers that did not write them (vobject, and a strict reader written here),
they agree with the published programme; a re-publish raises SEQUENCE for what changed only and cancels what
went, under the same UIDs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from sqlalchemy import select, update

from badges.calendars.services import (
    TalkEntry,
    TalkState,
    calendar_data,
    calendar_filename,
    event_calendar,
    person_calendar,
    talk_states,
    talk_uid,
)
from badges.models import HolderKind
from badges.people import Holder, holders
from badges.schedules import published_history, schedules
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.errors import DomainError
from events.platform.models import Candidate, CandidateParticipation, Event
from events.platform.services import find_event, system_user
from events.platform.settings import Settings
from schedule import services
from schedule.edits import Edit, edit_version
from tests.conftest import run

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# -- a strict reader, independent of any iCalendar library -------------------------------------------------


@dataclass
class Component:
    name: str
    props: dict[str, list[tuple[dict[str, str], str]]] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> tuple[dict[str, str], str]:
        values = self.props.get(name, [])
        assert len(values) == 1, f"{self.name} must have exactly one {name}, has {len(values)}"
        return values[0]

    def value(self, name: str) -> str:
        return self.one(name)[1]

    def walk(self, name: str) -> Iterator[Component]:
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.walk(name)


def unfold(data: bytes) -> list[str]:
    """RFC 5545 3.1: CRLF line ends, physical lines of at most 75 octets, a continuation starts with one space
    or tab; each physical line is valid UTF-8 on its own (no character split across a fold)."""
    assert data.endswith(b"\r\n"), "the text ends with CRLF"
    logical: list[str] = []
    for line in data[:-2].split(b"\r\n"):
        assert b"\n" not in line, f"bare line break in {line!r}"
        assert b"\r" not in line, f"bare line break in {line!r}"
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
        text = line.decode("utf-8")
        if text[:1] in (" ", "\t"):
            assert logical, "a continuation line cannot come first"
            logical[-1] += text[1:]
        else:
            assert text, "no empty lines"
            logical.append(text)
    return logical


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"n": "\n", "N": "\n"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _content_line(line: str) -> tuple[str, dict[str, str], str]:
    quoted, split = False, None
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            split = i
            break
    assert split is not None, f"no value in {line!r}"
    head, value = line[:split], line[split + 1 :]
    name, *params = head.split(";")
    assert name, f"no property name in {line!r}"
    assert all(c.isalnum() or c == "-" for c in name), f"bad property name {name!r}"
    parameters = {}
    for param in params:
        key, _, val = param.partition("=")
        parameters[key.upper()] = val.strip('"')
    return name.upper(), parameters, value


def read_strictly(data: bytes) -> Component:
    """The VCALENDAR as a tree, TEXT values unescaped; BEGIN and END must nest."""
    stack: list[Component] = []
    root: Component | None = None
    for line in unfold(data):
        name, params, value = _content_line(line)
        if name == "BEGIN":
            component = Component(value)
            if stack:
                stack[-1].children.append(component)
            else:
                assert root is None, "one VCALENDAR only"
                root = component
            stack.append(component)
        elif name == "END":
            assert stack, f"END:{value} outside any component"
            assert stack[-1].name == value, f"END:{value} does not close {stack[-1].name}"
            stack.pop()
        else:
            assert stack, f"{name} outside any component"
            stack[-1].props.setdefault(name, []).append((params, _unescape(value)))
    assert root is not None, "no VCALENDAR"
    assert not stack, "unbalanced BEGIN/END"
    assert root.name == "VCALENDAR"
    return root


def local_time(params: dict[str, str], value: str) -> dt.datetime:
    """A DATE-TIME with its TZID read without any iCalendar library."""
    assert params.get("TZID") == "Europe/Amsterdam", params
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(params["TZID"]))


def check_calendar(data: bytes) -> tuple[Component, Any]:
    """Both readers agree that this is a well-formed calendar; returns both trees."""
    tree = read_strictly(data)
    assert tree.value("VERSION") == "2.0"
    assert tree.value("METHOD") == "PUBLISH"
    assert tree.value("PRODID")
    assert tree.value("X-WR-CALNAME")
    zones = {z.value("TZID") for z in tree.walk("VTIMEZONE")}
    assert zones == {"Europe/Amsterdam"}
    for talk in tree.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"):
            talk.one(name)
        assert talk.value("DTSTAMP").endswith("Z")
        assert local_time(*talk.one("DTSTART")) < local_time(*talk.one("DTEND"))
    parsed = vobject.readOne(data.decode("utf-8"))
    return tree, parsed


def vevents(parsed: Any) -> dict[str, Any]:
    return {e.uid.value: e for e in getattr(parsed, "vevent_list", [])}


# -- the pure part ---------------------------------------------------------------------------------------


@pytest.mark.single_database
def test_sequence_counts_changes_of_placement_from_first_appearance() -> None:
    a, b, c, d, e = (1, 10), (2, 10), (3, 11), (4, 11), (5, 12)
    history = [
        {a: (1, 1), b: (2, 1), c: (3, 2)},
        {a: (1, 1), b: (2, 2), c: (3, 2), d: (4, 1)},  # b moves table, d is new
        {a: (1, 1), b: (3, 2), d: (4, 1), e: (5, 1)},  # b moves round, c goes, e is new
        {a: (1, 1), b: (3, 2), c: (3, 2), d: (4, 1)},  # c is back where it was, e goes
    ]

    states = talk_states(history)

    assert states == {
        a: TalkState((1, 1), 0, cancelled=False),
        b: TalkState((3, 2), 2, cancelled=False),
        c: TalkState((3, 2), 2, cancelled=False),
        d: TalkState((4, 1), 0, cancelled=False),
        e: TalkState((5, 1), 1, cancelled=True),
    }
    assert talk_states([]) == {}
    assert talk_uid(7, (12, 3)) == "talk-7-12-3@meetmatch"


@pytest.mark.single_database
def test_strict_reader_refuses_what_calendar_apps_would_choke_on() -> None:
    good = b"BEGIN:VCALENDAR\r\nX-A:1\r\n  2\r\nEND:VCALENDAR\r\n"
    assert read_strictly(good).value("X-A") == "1 2"
    for bad in (
        b"BEGIN:VCALENDAR\nEND:VCALENDAR\n",  # LF only
        b"BEGIN:VCALENDAR\r\nX-A:" + b"x" * 80 + b"\r\nEND:VCALENDAR\r\n",  # too long
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",  # unbalanced
        b"BEGIN:VCALENDAR\r\nX-A:\xc3\r\n \xa9\r\nEND:VCALENDAR\r\n",  # a character split by a fold
    ):
        with pytest.raises((AssertionError, UnicodeDecodeError)):
            read_strictly(bad)


# -- against the demo's published programme ---------------------------------------------------------------


@dataclass
class Seen:
    event: Event
    people: list[Holder]
    talks: dict[tuple[HolderKind, int], list[Any]]
    files: dict[tuple[HolderKind, int], bytes]
    whole: bytes
    full_names: list[str]
    emails: list[str]


async def _read_all(settings: Settings) -> Seen:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        shown = await schedules(session, event, people)
        files = {h.key: await person_calendar(session, event, h) for h in people}
        whole = await event_calendar(session, event)
        rows = (await session.execute(select(Candidate.first_name, Candidate.last_name, Candidate.email))).all()
        return Seen(
            event,
            people,
            {k: list(p.talks) for k, p in shown.people.items()},
            files,
            whole,
            [f"{first} {last}" for first, last, _ in rows if last],
            [h.email for h in people if h.email] + [email for _, _, email in rows if email],
        )


def test_every_persons_calendar_agrees_with_the_published_programme(demo: DemoResult, database: Settings) -> None:
    seen = run(_read_all(database))
    event = seen.event

    assert seen.people
    assert sum(len(t) for t in seen.talks.values()) > 0
    for holder in seen.people:
        talks = seen.talks[holder.key]
        tree, parsed = check_calendar(seen.files[holder.key])
        events = {e.value("UID"): e for e in tree.walk("VEVENT")}
        by_vobject = vevents(parsed)
        assert set(events) == set(by_vobject) == {talk_uid(event.id, t.pair) for t in talks}
        for talk in talks:
            uid = talk_uid(event.id, talk.pair)
            mine, theirs = events[uid], by_vobject[uid]
            # The strict reader takes the local time with the TZID; vobject applies the file's own VTIMEZONE.
            assert local_time(*mine.one("DTSTART")) == talk.starts == theirs.dtstart.value
            assert local_time(*mine.one("DTEND")) == talk.ends == theirs.dtend.value
            assert theirs.dtstart.value.utcoffset() == talk.starts.utcoffset()
            assert mine.value("SEQUENCE") == "0"
            assert mine.value("STATUS") == "CONFIRMED"
            assert mine.value("LOCATION") == f"{event.venue}, {event.address} · Tafel {talk.table}"
            other = talk.employer if holder.kind is HolderKind.CANDIDATE else talk.candidate
            assert mine.value("SUMMARY") == f"Gesprek met {other} · tafel {talk.table}"
            assert theirs.summary.value == mine.value("SUMMARY")
            assert mine.value("DESCRIPTION") == f"{event.name}, ronde {talk.round} van {event.rounds}."
        text = seen.files[holder.key].decode("utf-8")
        # An employer's calendar names candidates by first name and initial; no calendar carries an address.
        assert not [name for name in seen.full_names if name in text]
        assert not [email for email in seen.emails if email in text]

    tree, parsed = check_calendar(seen.whole)
    every_talk = {t.pair: t for k, talks in seen.talks.items() if k[0] is HolderKind.CANDIDATE for t in talks}
    assert {e.value("UID") for e in tree.walk("VEVENT")} == {talk_uid(event.id, p) for p in every_talk}
    assert len(vevents(parsed)) == len(every_talk)


def test_file_names_are_stable_and_hold_no_personal_data(demo: DemoResult, database: Settings) -> None:
    seen = run(_read_all(database))

    names = {calendar_filename(h) for h in seen.people}

    assert len(names) == len(seen.people)
    assert all(n.startswith(("candidate-", "employer-")) and n.endswith(".ics") for n in names)
    assert all(n.removesuffix(".ics").split("-")[1].isdigit() for n in names)


async def _in_language_and_season(settings: Settings) -> tuple[int, bytes, bytes, Any]:
    """One candidate reads English; the event moves to a summer day (CEST)."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event, (HolderKind.CANDIDATE,))
        shown = await schedules(session, event, people)
        holder = next(h for h in people if shown.of(h).talks)
        candidate_id = await session.scalar(
            select(CandidateParticipation.candidate_id).where(CandidateParticipation.id == holder.id)
        )
        await session.execute(update(Candidate).where(Candidate.id == candidate_id).values(locale="en"))
        event.date = dt.date(event.date.year + 1, 7, 1)
        await session.commit()
        english = (await holders(session, event, (HolderKind.CANDIDATE,), only=(holder.id,)))[0]
        talks = (await schedules(session, event, [english])).of(english).talks
        return event.id, await person_calendar(session, event, english), await event_calendar(session, event), talks


def test_summary_in_the_persons_language_and_summer_time_from_the_vtimezone(
    demo: DemoResult, database: Settings
) -> None:
    event_id, mine, whole, talks = run(_in_language_and_season(database))

    tree, parsed = check_calendar(mine)
    by_uid = {e.value("UID"): e for e in tree.walk("VEVENT")}
    for talk in talks:
        event = by_uid[talk_uid(event_id, talk.pair)]
        assert event.value("SUMMARY") == f"Talk with {talk.employer} · table {talk.table}"
        assert event.value("LOCATION").endswith(f" · Table {talk.table}")
        assert talk.starts.utcoffset() == dt.timedelta(hours=2)
        assert vevents(parsed)[talk_uid(event_id, talk.pair)].dtstart.value == talk.starts
    assert "my talks" in tree.value("X-WR-CALNAME")
    # The organisers' calendar follows the current language (Dutch by default).
    assert "programma" in read_strictly(whole).value("X-WR-CALNAME")


# -- changing a talk and publishing again ------------------------------------------------------------------


@dataclass
class Republished:
    event_id: int
    moved: tuple[int, int]
    moved_to: tuple[int, int]
    removed: tuple[int, int]
    removed_from: tuple[int, int]
    moved_starts: dt.datetime
    calendars: dict[str, bytes]  # "candidate" / "employer" of the moved and removed talks, "whole"
    before: bytes
    history: int


async def _move_one(session: Any, user: Any, event: Event, number: int, skip: set[tuple[int, int]]) -> Any:
    """Move some unlocked talk to another table in its round (or another round), as an organiser would."""
    version = await services.get_version(session, user, event, number)
    for meeting in sorted(version.meetings, key=lambda m: m.id):
        pair = (meeting.candidate_participation_id, meeting.employer_participation_id)
        if pair in skip:
            continue
        for rnd, table in [(meeting.round, t) for t in (1, 2, 3)] + [(r, 1) for r in range(1, event.rounds + 1)]:
            if (rnd, table) == (meeting.round, meeting.table):
                continue
            try:
                await edit_version(
                    session, user, event, number, Edit("move", meeting=meeting.id, round=rnd, table=table)
                )
            except DomainError:
                continue
            return pair, (rnd, table)
    raise AssertionError("no talk of the demo could be moved")


async def _remove_one(session: Any, user: Any, event: Event, number: int, skip: set[tuple[int, int]]) -> Any:
    version = await services.get_version(session, user, event, number)
    for meeting in sorted(version.meetings, key=lambda m: -m.id):
        pair = (meeting.candidate_participation_id, meeting.employer_participation_id)
        if pair in skip:
            continue
        try:
            await edit_version(session, user, event, number, Edit("remove", meeting=meeting.id))
        except DomainError:
            continue
        return pair, (meeting.round, meeting.table)
    raise AssertionError("no talk of the demo could be removed")


async def _republish(settings: Settings) -> Republished:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        before = await event_calendar(session, event)
        user = await system_user(session)
        draft = await services.copy_version(session, user, event, 1)
        moved, moved_to = await _move_one(session, user, event, draft.number, set())
        removed, removed_from = await _remove_one(session, user, event, draft.number, {moved})
        await services.publish(session, user, event, draft.number)
        await session.commit()
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        calendars = {"whole": await event_calendar(session, event)}
        for label, pair in (("moved", moved), ("removed", removed)):
            candidate = next(h for h in people if h.kind is HolderKind.CANDIDATE and h.id == pair[0])
            contact = next(h for h in people if h.kind is HolderKind.EMPLOYER and h.employer_id == pair[1])
            calendars[f"{label}-candidate"] = await person_calendar(session, event, candidate)
            calendars[f"{label}-employer"] = await person_calendar(session, event, contact)
        history = len(await published_history(session, event))
        starts = event.round_start(moved_to[0])
        return Republished(event.id, moved, moved_to, removed, removed_from, starts, calendars, before, history)


async def _both_ways(settings: Settings) -> tuple[dict[str, list[TalkEntry]], dict[str, list[TalkEntry]], Any, Any]:
    """Each person's entries cut from the whole event's read and read for them alone; the states computed from
    badges.schedules.published_history and the ones in the calendars."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        whole = await calendar_data(session, event)
        people = await holders(session, event)
        cut = {calendar_filename(h): whole.of(h) for h in people}
        alone = {calendar_filename(h): (await calendar_data(session, event, h)).of(h) for h in people}
        history = await published_history(session, event)
        shared = talk_states([{p: (m.round, m.table) for p, m in talks.items()} for _, talks in history])
        mine = {e.pair: TalkState((e.round, e.table), e.sequence, e.cancelled) for e in whole.entries}
        return cut, alone, shared, mine


def test_republish_raises_sequence_of_the_moved_talk_only_and_cancels_the_removed_one(
    demo: DemoResult, database: Settings
) -> None:
    result = run(_republish(database))
    cut, alone, shared, mine = run(_both_ways(database))
    assert cut == alone
    assert shared == mine
    moved_uid, removed_uid = talk_uid(result.event_id, result.moved), talk_uid(result.event_id, result.removed)

    assert result.history == 2
    before = {e.value("UID"): e for e in read_strictly(result.before).walk("VEVENT")}
    whole, parsed = check_calendar(result.calendars["whole"])
    after = {e.value("UID"): e for e in whole.walk("VEVENT")}
    # Same UIDs: every talk of version 1 is still there (one of them as cancelled), none is new.
    assert set(after) == set(before)
    assert set(vevents(parsed)) == set(before)
    changed = {uid for uid, e in after.items() if e.value("SEQUENCE") != "0"}
    assert changed == {moved_uid, removed_uid}
    assert {uid for uid, e in after.items() if e.value("STATUS") == "CANCELLED"} == {removed_uid}

    for who in ("moved-candidate", "moved-employer", "whole"):
        talk = {e.value("UID"): e for e in read_strictly(result.calendars[who]).walk("VEVENT")}[moved_uid]
        assert talk.value("SEQUENCE") == "1"
        assert talk.value("STATUS") == "CONFIRMED"
        assert talk.value("LOCATION").endswith(f"Tafel {result.moved_to[1]}")
        assert f"tafel {result.moved_to[1]}" in talk.value("SUMMARY")
        assert local_time(*talk.one("DTSTART")) == result.moved_starts
        assert (talk.value("DTSTART"), talk.value("LOCATION")) != (
            before[moved_uid].value("DTSTART"),
            before[moved_uid].value("LOCATION"),
        )

    for who in ("removed-candidate", "removed-employer"):
        tree, parsed_one = check_calendar(result.calendars[who])
        talk = {e.value("UID"): e for e in tree.walk("VEVENT")}[removed_uid]
        assert talk.value("STATUS") == "CANCELLED"
        assert talk.value("SEQUENCE") == "1"
        assert talk.value("SUMMARY").startswith("Geannuleerd: ")
        assert talk.value("LOCATION").endswith(f"Tafel {result.removed_from[1]}")
        assert local_time(*talk.one("DTSTART")) == local_time(*before[removed_uid].one("DTSTART"))
        assert vevents(parsed_one)[removed_uid].status.value == "CANCELLED"


def test_an_unpublished_event_has_empty_calendars(database: Settings) -> None:
    async def empty() -> tuple[bytes, int | None]:
        from events.platform.models import Event as EventRow
        from events.platform.models import Organisation, OrganisationKind

        async with open_session(database) as session:
            owner = Organisation(name="Werkse!", kind=OrganisationKind.ORGANISER)
            session.add(owner)
            await session.flush()
            event = EventRow(
                organisation_id=owner.id,
                slug="leeg",
                name="Leeg",
                date=dt.date(2030, 3, 1),
                first_round_start=dt.time(14),
                venue="",
                address="",
            )
            session.add(event)
            await session.flush()
            data = await calendar_data(session, event)
            return await event_calendar(session, event), data.version

    body, version = run(empty())

    tree, parsed = check_calendar(body)
    assert version is None
    assert list(tree.walk("VEVENT")) == []
    assert vevents(parsed) == {}
