"""The day: the round clock (start, pause, resume, shift), the organiser's live dashboard, marking people by
hand, the door instruction, and times on personal pages and in calendars following the clock."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from badges.day import clock
from badges.day import services as day
from badges.models import HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from events.demo.seed import DEMO_PASSWORD, DEMO_SLUG, DemoResult
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.errors import DomainError
from events.platform.jobs import run_jobs
from events.platform.models import EVENT_TZ, Event, EventStatus, OutboxMessage
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, csrf_headers, login, run, served_code
from tests.helpers import first_badge_token
from tests.served import clean_env, free_port, serving
from tests.waiting import wait_until


def _event(**changes: Any) -> Event:
    values: dict[str, Any] = {
        "slug": "x",
        "name": "X",
        "date": dt.date(2026, 12, 1),
        "first_round_start": dt.time(14, 0),
        "round_minutes": 10,
        "changeover_minutes": 5,
        "rounds": 4,
        "breaks": [],
        "clock_state": "idle",
        "clock_shifts": [],
        "clock_paused_at": None,
        "status": EventStatus.PUBLISHED,
    }
    values.update(changes)
    return Event(**values)


def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, second, tzinfo=EVENT_TZ)


def test_a_late_start_moves_every_round_and_the_event_goes_live() -> None:
    event = _event()
    clock.start(event, at(14, 3))
    assert event.clock_state == "running"
    assert event.status is EventStatus.LIVE
    assert [event.round_start(n).time() for n in (1, 2, 4)] == [dt.time(14, 3), dt.time(14, 18), dt.time(14, 48)]
    assert event.planned_round_start(2).time() == dt.time(14, 15)
    view = clock.view(event, at(14, 10))
    assert (view.phase, view.round, view.remaining, view.next_round) == ("round", 1, 180, 2)
    assert view.shifted_minutes == 3
    with pytest.raises(DomainError):
        clock.start(event, at(14, 4))


def test_a_pause_during_a_round_lengthens_it_and_moves_what_follows() -> None:
    event = _event()
    clock.start(event, at(14, 0))
    clock.pause(event, at(14, 4))
    frozen = clock.view(event, at(14, 30))
    assert (frozen.state, frozen.phase, frozen.round, frozen.remaining) == ("paused", "round", 1, 360)
    clock.resume(event, at(14, 6))
    assert event.round_start(1).time() == dt.time(14, 0)
    assert event.round_end(1).time() == dt.time(14, 12)
    assert event.round_start(2).time() == dt.time(14, 17)
    assert clock.view(event, at(14, 11)).remaining == 60


def test_a_pause_between_rounds_moves_the_next_start_and_a_shift_wins_time_back() -> None:
    event = _event()
    clock.start(event, at(14, 0))
    clock.pause(event, at(14, 11))  # changeover before round 2
    clock.resume(event, at(14, 21))
    assert event.round_end(1).time() == dt.time(14, 10)
    assert event.round_start(2).time() == dt.time(14, 25)
    view = clock.view(event, at(14, 22))
    assert (view.phase, view.round, view.remaining) == ("changeover", 2, 180)
    clock.shift(event, at(14, 30), -5)  # during round 2: it ends five minutes early
    assert event.round_end(2).time() == dt.time(14, 30)
    assert event.round_start(3).time() == dt.time(14, 35)
    with pytest.raises(DomainError) as refused:
        clock.shift(event, at(14, 29), -10)
    assert refused.value.field == "minutes"
    with pytest.raises(DomainError):
        clock.shift(event, at(14, 29), 500)
    assert event.clock_changes(1) == 0
    # Started on time (no shift), then a pause between rounds 1 and 2 and a shift in round 2.
    assert event.clock_changes(3) == 2


def test_the_clock_starts_only_on_the_day() -> None:
    event = _event()
    with pytest.raises(DomainError) as refused:
        clock.start(event, at(14, 0) - dt.timedelta(days=1))
    assert refused.value.code == "not_today"


async def _make_today(settings: Settings) -> None:
    """The demo event takes place today, with round 1 starting an hour ago (round 4 runs now), or at midnight
    when that is less than an hour ago: the event stays today's, the only day its door takes scans."""
    now = dt.datetime.now(EVENT_TZ)
    start = (now - dt.timedelta(minutes=61)).replace(second=0, microsecond=0)
    start = max(start, now.replace(hour=0, minute=0, second=0, microsecond=0))
    async with open_session(settings) as session:
        await session.execute(
            update(Event).where(Event.slug == DEMO_SLUG).values(date=start.date(), first_round_start=start.time())
        )
        await session.commit()


def test_the_dashboard_counts_present_late_and_absent_and_empty_seats(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_make_today(database))

    async def look() -> tuple[day.DayPicture, list[Any]]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            people = await holders(session, event, (HolderKind.CANDIDATE,))
            tokens = await live_tokens(session, database, event, TokenPurpose.BADGE, people)
            await session.commit()
            return await day.picture(session, event), [tokens[h.key][0] for h in people]

    before, tokens = run(look())
    candidates = next(g for g in before.groups if g.kind is HolderKind.CANDIDATE)
    assert candidates.present == 0
    assert candidates.late + candidates.absent + candidates.expected == candidates.total
    assert candidates.late > 0  # round 1 started an hour ago
    assert before.seats
    assert all(r.missing == r.planned for r in before.seats)

    login(client, DOOR)
    for token in tokens[:3]:
        body = {"token": token, "nonce": uuid.uuid4().hex, "kind": "checkin"}
        assert client.post("/api/scans", json=body, headers=csrf_headers(client)).json()["code"] == "checked_in"
    after, _ = run(look())
    assert next(g for g in after.groups if g.kind is HolderKind.CANDIDATE).present == 3
    assert sum(c for _, c in after.arrivals) == 3
    assert sum(r.missing for r in after.seats) <= sum(r.missing for r in before.seats)

    login(client, ORGANISER)
    page = client.get(f"/events/{DEMO_SLUG}/day")
    assert page.status_code == 200
    assert 'data-stream="/events/samen-werkt/day/stream"' in page.text
    figures = client.get(f"/events/{DEMO_SLUG}/day/figures").text
    present = re.search(r'<tr data-group="candidate">.*?data-figure="present">(\d+)<', figures, re.S)
    assert present
    assert present.group(1) == "3"
    assert '<svg class="arrivals"' in figures


def test_the_organiser_marks_people_by_hand_and_leaves_an_instruction_for_the_door(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_make_today(database))

    async def first_two() -> tuple[list[int], list[str]]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            people = await holders(session, event, (HolderKind.CANDIDATE,))
            tokens = await live_tokens(session, database, event, TokenPurpose.BADGE, people[:2])
            await session.commit()
            return [p.id for p in people[:2]], [tokens[p.key][0] for p in people[:2]]

    (present_id, other_id), (_, other_token) = run(first_two())

    async def third() -> tuple[int, str]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            person = (await holders(session, event, (HolderKind.CANDIDATE,)))[2]
            tokens = await live_tokens(session, database, event, TokenPurpose.BADGE, [person])
            await session.commit()
            return person.id, tokens[person.key][0]

    login(client, ORGANISER)
    form = {"_csrf_token": client.cookies.get("csrftoken")}
    base = f"/events/{DEMO_SLUG}/day/candidates"
    assert client.post(f"{base}/{present_id}/present", data=form, follow_redirects=False).status_code == 303
    long = client.post(f"{base}/{other_id}/instruction", data={**form, "instruction": "x" * 201})
    assert long.status_code == 422
    said = client.post(f"{base}/{other_id}/instruction", data={**form, "instruction": "Naar de coachtafel"})
    assert said.status_code == 200 or said.status_code == 303
    assert client.post(f"{base}/999999/present", data=form).status_code == 404

    login(client, DOOR)
    answer = client.post(
        "/api/scans", json={"token": other_token, "nonce": "i-1", "kind": "checkin"}, headers=csrf_headers(client)
    ).json()
    assert answer["person"]["instruction"] == "Naar de coachtafel"

    async def states() -> dict[int, str]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            seen = await day.picture(session, event)
            return {p.holder.id: p.state for p in seen.people if p.holder.kind is HolderKind.CANDIDATE}

    assert run(states())[present_id] == "present"
    login(client, ORGANISER)
    # Marking someone absent who has arrived changes nothing.
    client.post(f"{base}/{present_id}/absent", data={"_csrf_token": client.cookies.get("csrftoken")})
    assert run(states())[present_id] == "present"
    # Someone marked absent counts as absent, and checks in after all when they turn up.
    third_id, third_token = run(third())
    client.post(f"{base}/{third_id}/absent", data={"_csrf_token": client.cookies.get("csrftoken")})
    assert run(states())[third_id] == "absent"
    login(client, DOOR)
    late = client.post(
        "/api/scans", json={"token": third_token, "nonce": "i-2", "kind": "checkin"}, headers=csrf_headers(client)
    )
    assert late.json()["code"] == "checked_in"
    assert run(states())[third_id] == "present"


def test_the_clock_moves_times_on_personal_pages_and_in_calendars(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    now = dt.datetime.now(EVENT_TZ)

    async def today_in_ten_minutes() -> str:
        start = (now + dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
        async with open_session(database) as session:
            await session.execute(
                update(Event).where(Event.slug == DEMO_SLUG).values(date=start.date(), first_round_start=start.time())
            )
            event = await find_event(session, DEMO_SLUG)
            people = await holders(session, event, (HolderKind.CANDIDATE,))
            tokens = await live_tokens(session, database, event, TokenPurpose.CALENDAR, people[:1])
            await session.commit()
            return tokens[people[0].key][0]

    calendar_token = run(today_in_ten_minutes())
    before = client.get(f"/c/{calendar_token}.ics").text
    login(client, ORGANISER)
    form = {"_csrf_token": client.cookies.get("csrftoken")}
    started = client.post(f"/events/{DEMO_SLUG}/clock", data={**form, "action": "start"}, follow_redirects=False)
    assert started.status_code == 303
    assert (
        client.post(f"/events/{DEMO_SLUG}/clock", data={**form, "action": "shift", "minutes": "x"}).status_code == 422
    )
    client.post(f"/events/{DEMO_SLUG}/clock", data={**form, "action": "shift", "minutes": "15"})
    state = client.get(f"/events/{DEMO_SLUG}/clock/state").json()
    assert state["state"] == "running"
    # Round 1 began when the clock started, and the shift lengthened it.
    assert state["phase"] == "round"
    assert state["round"] == 1
    # Started about ten minutes early, then shifted by 15: about five minutes behind the plan.
    assert 4 <= state["shifted_minutes"] <= 6
    client.cookies.clear()
    after = client.get(f"/c/{calendar_token}.ics").text

    def starts(text: str) -> list[str]:
        return re.findall(r"DTSTART;TZID=Europe/Amsterdam:(\d{8}T\d{6})", text)

    def sequences(text: str) -> list[int]:
        return [int(s) for s in re.findall(r"SEQUENCE:(\d+)", text)]

    assert starts(before)
    assert starts(before) != starts(after)
    assert all(b > a for a, b in zip(sequences(before), sequences(after), strict=True))

    login(client, DOOR)
    assert client.get(f"/events/{DEMO_SLUG}/clock").status_code == 200
    assert (
        client.post(
            f"/events/{DEMO_SLUG}/clock", data={"_csrf_token": client.cookies.get("csrftoken"), "action": "pause"}
        ).status_code
        == 403
    )


@pytest.mark.slow
@pytest.mark.single_database
def test_the_dashboard_stream_sends_new_figures_when_a_badge_is_scanned(tmp_path: Path) -> None:
    """Served as in production: the stream's first message, then a scan, then the next message shows it."""
    port = free_port()
    env = clean_env(tmp_path / "data", MEETMATCH_BASE_URL=f"http://127.0.0.1:{port}")
    with serving(port, ["--demo"], env=env, cwd=tmp_path, log=tmp_path / "serve.log") as (base, _):
        settings = Settings.from_env({"MEETMATCH_DATA_DIR": str(tmp_path / "data"), "MEETMATCH_BASE_URL": base})
        token = run(first_badge_token(settings))
        with httpx.Client(base_url=base, timeout=10) as organiser, httpx.Client(base_url=base, timeout=10) as door:
            login = {"email": ORGANISER, "password": DEMO_PASSWORD, "code": served_code(ORGANISER)}
            assert organiser.post("/api/auth/login", json=login).status_code == 200
            door.post("/api/auth/login", json={"email": DOOR, "password": DEMO_PASSWORD})
            _watch_a_scan(organiser, door, token)


def test_the_coach_desk_shows_a_coach_only_their_own_candidates(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_make_today(database))

    async def names() -> tuple[set[str], set[str]]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            people = await holders(session, event, (HolderKind.CANDIDATE,))
            mine = {p.full_name for p in people if any(email == COACH for _, email in p.coaches)}
            return mine, {p.full_name for p in people} - mine

    mine, others = run(names())
    login(client, COACH)
    page = client.get(f"/events/{DEMO_SLUG}/coach-desk")
    assert page.status_code == 200
    assert all(name in page.text for name in mine)
    assert not any(name in page.text for name in others if name not in mine)
    assert 'data-state="late"' in page.text
    login(client, ORGANISER)
    everyone = client.get(f"/events/{DEMO_SLUG}/coach-desk").text
    assert all(name in everyone for name in mine | others if name)
    for account in (DOOR, EMPLOYER):
        login(client, account)
        assert client.get(f"/events/{DEMO_SLUG}/coach-desk").status_code == 403


def test_coaches_get_one_same_day_alert_per_candidate_who_has_not_arrived(demo: DemoResult, database: Settings) -> None:
    run(_make_today(database))

    async def alerts() -> tuple[list[str], list[OutboxMessage]]:
        engine = create_engine(database)
        sessions = session_maker(engine)
        try:
            lines = await run_jobs(sessions, database, ("arrivals",))
            lines += await run_jobs(sessions, database, ("arrivals",))
            async with sessions() as session:
                rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "arrival_alert")))
            return lines, rows
        finally:
            await dispose_engine(engine)

    lines, rows = run(alerts())
    assert lines[0].startswith("arrival alerts: ")
    assert int(lines[0].split(": ")[1].split()[0]) == len(rows) > 0
    assert lines[1] == "arrival alerts: 0 queued"
    coaches = {r.to_address for r in rows}
    assert COACH in coaches
    assert all("is niet aangekomen" in r.subject or "has not arrived" in r.subject for r in rows)
    assert len({r.dedupe_key for r in rows}) == len(rows)


def _watch_a_scan(organiser: httpx.Client, door: httpx.Client, token: str) -> None:
    messages: list[str] = []

    def listen() -> None:
        with organiser.stream("GET", f"/events/{DEMO_SLUG}/day/stream", timeout=15) as stream:
            data: list[str] = []
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:
                    messages.append("\n".join(data))
                    data = []
                    if len(messages) == 2:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    wait_until(lambda: messages, 5)
    assert messages, "the stream sent no first message"
    first = re.search(r'<tr data-group="candidate">.*?data-figure="present">(\d+)<', messages[0], re.S)
    assert first
    assert first.group(1) == "0"
    scanned = time.monotonic()
    answer = door.post(
        "/api/scans",
        json={"token": token, "nonce": "s-1", "kind": "checkin"},
        headers={"x-csrftoken": door.cookies["csrftoken"]},
    )
    assert answer.json()["code"] == "checked_in", answer.text
    listener.join(timeout=10)
    assert len(messages) == 2, "no update after the scan"
    assert time.monotonic() - scanned < 5
    second = re.search(r'<tr data-group="candidate">.*?data-figure="present">(\d+)<', messages[1], re.S)
    assert second
    assert second.group(1) == "1"
    assert json.dumps(messages)  # plain text, nothing binary
