"""Load on the day, two workers on PostgreSQL: a check-in rush of 500 attendees, then a 10x stretch.

A fair of 40 employers (50 contact persons) and 450 candidates over 6 rounds, the regional fair of
`bench_app_build.py` scaled down, is written into a fresh PostgreSQL schema, its programme built and
published, and every attendee given a badge: 500 badges, plus 16 volunteers of the door staff. The app runs
as `meetmatch serve --workers 2` (a master and two worker processes, sessions, throttles and live updates in
Redis), as in production. After a warm-up (the volunteers check in, the organisers open their pages):

- the rush, --minutes long: the 500 attendees arrive (the candidates peaking a fifth of the way in, 70 % of
  them in the first third; the employers' people earlier), each scanned at one of four entrances (door
  accounts; four phones each, a phone being a client of its own with a `device` id). 4 % are scanned twice
  (`already_checked_in`), 2 % of the scans are sent again with the same nonce (a phone that lost its answer:
  the first answer comes back), 1 % of the scans are unknown codes. From two thirds of the way on the first
  round runs: each employer's phone scans the candidates of its round-1 talks. 8 % of the candidates come
  late, during the stretch.
- the stretch: --stretch-rate scans a second for --stretch-seconds on top of the same normal traffic, open
  loop (each scan sent at its planned moment, answered or not): 60 % table scans (the employer of a planned
  talk scans a candidate who is in), 25 % repeats at the door, 5 % retries of a nonce, 10 % unknown codes
  spread over every phone (none comes near its 30 failed scans a minute), and the late candidates'
  check-ins. A stretch lasts until its last scan is answered; then a cool-down of --cool-down seconds with
  the normal traffic only. By default a second stretch and cool-down follow (--stretches): the first burst
  leaves high-water marks (memory, pooled connections) that a process keeps; a leak grows again with the
  second.

All along, the organisers' pages at their own pace: the desk keeps the day dashboard open (its page, then the
live stream of figures, reloaded every five minutes), a second organiser walks the floor with a tablet
(event page, candidates list, a candidate, the dashboard, its figures, every 4-60 s), a coach's desk page
refreshes itself every 30 s (and the candidates list now and then), and a projector asks for the round clock
every 5 s. `/healthz` every 100 ms is the baseline: the same processes at the same time.

Reported per phase: scans and pages (count, rate, p50 / p95 / p99 / max, errors by kind), the baseline's
p50 / p99 and the ratio of the scans' p50 to it; every 10 s the resident memory of the master and the
workers, their PostgreSQL connections (pg_stat_activity, application_name meetmatch:<pid>) and their Redis
connections, with a verdict on whether memory and connections grew; and where the machine's CPU went (the
workers, the master, the app's PostgreSQL backends, this bench, the rest). An error is any answer other than the
expected status and code; the server's log is searched for 5xx answers and tracebacks. Exits 1 on an error.

    python bench/bench_load.py [--minutes 15] [--stretch-rate 50] [--stretch-seconds 60] [--stretches 2]
        [--quick] [--pg postgresql://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379/13]

Target (issue 9): no error in either phase, and memory and connections that do not grow.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from redis.asyncio import Redis
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app_build import (
    MEETMATCH,
    ORGANISER,
    create_account,
    credentials,
    environment,
    fair_today,
    on_postgresql,
    populate,
    serving,
)
from bench_scans import DOORS, PHONES_PER_DOOR

from badges.models import HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from badges.schedules import published_meetings
from events.platform.db import open_session
from events.platform.models import (
    CandidateCoach,
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Organisation,
    Role,
)
from events.platform.settings import Settings

EMPLOYERS, CANDIDATES, ROUNDS = 40, 450, 6
SECOND_CONTACTS = 10  # employers with two people at their tables: 50 contacts, 500 badges with the candidates
VOLUNTEERS = 16
COACHED = 40  # candidates of the bench's coach
FLOOR = "floor@bench.test"
COACH = "coach@bench.test"
LATE = 0.08
ENTRANCES = (0.4, 0.2, 0.2, 0.2)  # share of the people coming in through each entrance
RUSH_REPEATS, RUSH_RETRIES, RUSH_UNKNOWN = 0.04, 0.02, 0.01
STRETCH_MIX = {"table": 0.60, "repeat": 0.25, "retry": 0.05, "unknown": 0.10}
FAILED_PER_MINUTE = 25  # unknown codes a phone may send in a minute here (the app stops a phone at 30)
SAMPLE_SECONDS = 10.0
TICKS = os.sysconf("SC_CLK_TCK")
DASHBOARD_RELOAD = 300.0
STREAM_SILENCE = 30.0  # the stream sends figures at least every 20 s; longer silence is an error
EXPECTED = {
    "first": "checked_in",
    "repeat": "already_checked_in",
    "table": "meeting_logged",
    "unknown": "unknown",
}


# --- the fair ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    token: str
    kind: HolderKind
    participation: int | None  # the candidate's participation id; None for anyone else


@dataclass(frozen=True)
class Talk:
    round: int
    employer: int  # employer participation id
    candidate: int  # candidate participation id


@dataclass
class Fair:
    slug: str
    doors: list[str]
    projector: str
    employers: dict[int, str]  # employer participation id -> the employer's account
    attendees: list[Badge]
    volunteers: list[Badge]
    talks: list[Talk]
    candidate_ids: list[int]
    tokens: dict[int, str] = field(default_factory=dict)  # candidate participation id -> badge token

    def __post_init__(self) -> None:
        self.tokens = {b.participation: b.token for b in self.attendees if b.participation is not None}


async def prepare(settings: Settings) -> Fair:
    """Programme built and published, the accounts (door phones, employers, a second organiser, a coach), the
    employers' contact persons, and every attendee's badge."""
    async with open_session(settings) as session:
        event = await fair_today(session)
        doors = []
        for i in range(DOORS):
            user = await create_account(session, email=f"door{i}@bench.test", role=Role.DOOR.value, name=f"Ingang {i}")
            doors.append(user.email)
        projector = await create_account(session, email="clock@bench.test", role=Role.DOOR.value, name="Beamer")
        for i in range(VOLUNTEERS):
            await create_account(
                session, email=f"volunteer{i}@bench.test", role=Role.DOOR.value, name=f"Vrijwilliger {i}", event=event
            )
        await create_account(session, email=FLOOR, role=Role.ORGANISER.value, name="Vloer")
        coach = await create_account(session, email=COACH, role=Role.COACH.value, name="Coach")
        rows = (
            await session.execute(
                select(EmployerParticipation.id, Organisation.name, EmployerParticipation.tables)
                .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
                .where(EmployerParticipation.event_id == event.id)
                .order_by(EmployerParticipation.id)
            )
        ).all()
        employers = {}
        for j, (participation_id, name, _tables) in enumerate(rows):
            user = await create_account(
                session, email=f"employer{j}@bench.test", role=Role.EMPLOYER.value, name=f"Tafel {j}", organisation=name
            )
            employers[participation_id] = user.email
        busiest = {pid for pid, _name, _tables in sorted(rows, key=lambda r: -r[2])[:SECOND_CONTACTS]}
        contacts = [
            {"employer_participation_id": pid, "name": f"Contact {j}-{n}", "email": f"contact{j}-{n}@bench.test"}
            for j, (pid, _name, _tables) in enumerate(rows)
            for n in range(2 if pid in busiest else 1)
        ]
        await session.execute(insert(EmployerContact), contacts)
        candidate_ids = list(
            await session.scalars(
                select(CandidateParticipation.candidate_id)
                .where(CandidateParticipation.event_id == event.id)
                .order_by(CandidateParticipation.id)
            )
        )
        await session.execute(
            insert(CandidateCoach), [{"candidate_id": c, "coach_id": coach.id} for c in candidate_ids[:COACHED]]
        )
        people = await holders(session, event, (HolderKind.CANDIDATE, HolderKind.EMPLOYER, HolderKind.STAFF))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        _, meetings = await published_meetings(session, event)
        await session.commit()
        badges = [Badge(tokens[h.key][0], h.kind, h.id if h.kind is HolderKind.CANDIDATE else None) for h in people]
        return Fair(
            slug=event.slug,
            doors=doors,
            projector=projector.email,
            employers=employers,
            attendees=[b for b in badges if b.kind is not HolderKind.STAFF],
            volunteers=[b for b in badges if b.kind is HolderKind.STAFF],
            talks=[Talk(m.round, m.employer_participation_id, m.candidate_participation_id) for m in meetings],
            candidate_ids=candidate_ids,
        )


# --- the plan ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A scan at a moment (seconds from the phase's start): `badge` for check-ins and their repeats, `talk`
    for a rush table scan, `door` the entrance; the rest is chosen when it is sent, from what was answered."""

    at: float
    kind: str  # first, repeat, retry, table, unknown
    badge: Badge | None = None
    talk: Talk | None = None
    door: int = 0


def plan_warm_up(fair: Fair, seconds: float, rng: np.random.Generator) -> list[Planned]:
    """The volunteers check in before the doors open; one of them twice, one scan sent again, a few unknown codes."""
    moments = np.sort(rng.uniform(0.1, 0.8, len(fair.volunteers))) * seconds
    plan = [
        Planned(float(t), "first", b, door=i % DOORS)
        for i, (t, b) in enumerate(zip(moments, fair.volunteers, strict=True))
    ]
    plan.append(Planned(0.85 * seconds, "repeat", fair.volunteers[0], door=1))
    plan.append(Planned(0.87 * seconds, "retry"))
    plan += [Planned(float(t), "unknown", door=i) for i, t in enumerate(rng.uniform(0.1, 0.9, 3) * seconds)]
    return sorted(plan, key=lambda p: p.at)


def plan_rush(fair: Fair, seconds: float, rng: np.random.Generator) -> tuple[list[Planned], list[Badge]]:
    """The rush's scans, and the candidates who come late (during the stretch)."""
    candidates = [b for b in fair.attendees if b.kind is HolderKind.CANDIDATE]
    late_at = set(rng.choice(len(candidates), size=round(LATE * len(candidates)), replace=False).tolist())
    late = [b for i, b in enumerate(candidates) if i in late_at]
    coming = [b for b in fair.attendees if b not in late]
    arrival: dict[str, float] = {}
    plan = []
    for badge in coming:
        share = rng.beta(2, 5.5) if badge.kind is HolderKind.CANDIDATE else rng.beta(1.3, 6)
        at = float(share * seconds * 0.98)
        arrival[badge.token] = at
        door = int(rng.choice(DOORS, p=ENTRANCES))
        plan.append(Planned(at, "first", badge, door=door))
        if rng.random() < RUSH_REPEATS:
            plan.append(Planned(min(at + rng.uniform(3, 20), seconds), "repeat", badge, door=door))
        if rng.random() < RUSH_RETRIES:
            plan.append(Planned(min(at + rng.uniform(1, 4), seconds), "retry", badge, door=door))
    for _ in range(max(1, round(RUSH_UNKNOWN * len(coming)))):
        plan.append(Planned(float(rng.beta(2, 5.5) * seconds), "unknown", door=int(rng.choice(DOORS, p=ENTRANCES))))
    tokens = {b.participation: b.token for b in coming if b.participation is not None}
    first_round = 2 / 3 * seconds
    for talk in fair.talks:
        if talk.round != 1 or talk.candidate not in tokens:
            continue
        at = float(rng.uniform(first_round, 0.98 * seconds))
        # Someone who walked in less than half a minute ago is not at a table yet.
        if arrival[tokens[talk.candidate]] < at - 30:
            plan.append(Planned(at, "table", talk=talk))
    return sorted(plan, key=lambda p: p.at), late


def plan_stretch(late: list[Badge], rate: float, seconds: float, rng: np.random.Generator) -> list[Planned]:
    total = round(rate * seconds)
    kinds = rng.choice(list(STRETCH_MIX), size=total, p=list(STRETCH_MIX.values()))
    plan = [Planned(i / rate, str(kind), door=int(rng.choice(DOORS, p=ENTRANCES))) for i, kind in enumerate(kinds)]
    for i, badge in zip(sorted(rng.choice(total, size=min(len(late), total), replace=False)), late, strict=False):
        plan[i] = Planned(plan[i].at, "first", badge, door=plan[i].door)
    return plan


# --- the clients -------------------------------------------------------------------------------------------


@dataclass
class Client:
    """A phone, a browser or a screen: its own connections and session."""

    http: httpx.AsyncClient
    headers: dict[str, str]
    device: str


async def log_in(base: str, email: str | None, device: str, *, waits: httpx.Timeout | None = None) -> Client:
    http = httpx.AsyncClient(
        base_url=base,
        timeout=waits or httpx.Timeout(30.0),
        # Open loop: a phone never holds a scan back for want of a connection. An idle connection is dropped
        # well before uvicorn closes it (after 5 s): reusing one that the server is closing fails the request
        # on the way (a browser would send it again; httpx does not).
        limits=httpx.Limits(max_connections=200, keepalive_expiry=2.0),
    )
    if email is None:
        return Client(http, {}, device)
    response = await http.post("/api/auth/login", json=credentials(email))
    assert response.status_code == 200, f"login of {email}: {response.status_code} {response.text}"
    return Client(http, {"x-csrftoken": http.cookies["csrftoken"]}, device)


# --- the record --------------------------------------------------------------------------------------------


@dataclass
class Record:
    """Latencies and errors by phase; what was answered, for the scans that pick from it."""

    t0: float
    bounds: list[tuple[str, float]]  # (phase, its start in seconds from t0)
    latencies: dict[tuple[str, str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    codes: Counter[tuple[str, str]] = field(default_factory=Counter)
    lags: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sent: Counter[str] = field(default_factory=Counter)
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=300))  # the last scans' latencies
    last_sent: dict[str, float] = field(default_factory=dict)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    repeated: Counter[str] = field(default_factory=Counter)
    started: Counter[tuple[str, str]] = field(default_factory=Counter)  # requests by (phase, group)
    ok: Counter[tuple[str, str]] = field(default_factory=Counter)  # ... answered as expected
    stream: dict[str, Any] = field(default_factory=lambda: {"opened": 0, "messages": 0, "max_gap": 0.0})
    # What was answered, for repeats, retries and table scans.
    checked_in: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    answered: list[tuple[Client, dict[str, Any], str]] = field(default_factory=list)
    door_bodies: dict[str, tuple[Client, dict[str, Any]]] = field(default_factory=dict)
    ready_talks: list[Talk] = field(default_factory=list)
    unscanned_talks: list[Talk] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def phase(self, moment: float | None = None) -> str:
        moment = self.now() if moment is None else moment
        current = self.bounds[0][0] if self.bounds else "warm-up"
        for name, start in self.bounds:
            if moment >= start:
                current = name
        return current

    def error(self, phase: str, kind: str, detail: str) -> None:
        self.errors[(phase, kind)] += 1
        self.examples.setdefault(kind, detail[:300])


async def timed(
    record: Record,
    phase: str,
    group: str,
    kind: str,
    call: Awaitable[httpx.Response],
    check: Callable[[httpx.Response], str | None],
) -> httpx.Response | None:
    """One request: its latency, or an error named by what went wrong (`check` returns None when all is well)."""
    record.started[(phase, group)] += 1
    started = time.perf_counter()
    try:
        reply = await call
    except httpx.HTTPError as exc:
        record.error(phase, f"{group} {kind}: {type(exc).__name__}", repr(exc))
        return None
    latency = time.perf_counter() - started
    record.latencies[(phase, group, kind)].append(latency)
    if group == "scan":
        record.recent.append(latency)
    problem = check(reply)
    if problem is not None:
        record.error(phase, f"{group} {kind}: {problem}", f"{reply.status_code} {reply.text}")
        return None
    record.ok[(phase, group)] += 1
    return reply


# --- scans -------------------------------------------------------------------------------------------------


@dataclass
class Phones:
    doors: list[list[Client]]  # per entrance
    employers: dict[int, Client]  # per employer participation
    turn: Counter[int] = field(default_factory=Counter)
    failed_turn: int = 0

    def at_door(self, door: int) -> Client:
        """The entrance's phones take turns."""
        self.turn[door] += 1
        phones = self.doors[door]
        return phones[self.turn[door] % len(phones)]

    def for_unknown(self) -> tuple[Client, str]:
        """Unknown codes go round every phone, so that none comes near its allowance of failed scans: the phone,
        and the kind of scan it makes (door phones check in, employers' phones log talks)."""
        every = [(p, "checkin") for door in self.doors for p in door]
        every += [(p, "meeting") for p in self.employers.values()]
        self.failed_turn += 1
        return every[self.failed_turn % len(every)]

    def count(self) -> int:
        return sum(len(d) for d in self.doors) + len(self.employers)


def _body(fair: Fair, phone: Client, token: str, kind: str) -> dict[str, Any]:
    body = {"token": token, "nonce": uuid.uuid4().hex, "kind": kind, "device": phone.device}
    if kind == "checkin":
        body["event"] = fair.slug
    return body


def choose(
    item: Planned, fair: Fair, phones: Phones, record: Record, rng: np.random.Generator
) -> tuple[Client, dict[str, Any], str, bool] | None:
    """The phone, the body, the expected code of a planned scan and whether a retry must get the stored answer,
    from what has been sent and answered so far (None: nothing fits yet, e.g. a repeat before anyone is in)."""
    if item.kind == "first":
        assert item.badge is not None
        phone = phones.at_door(item.door)
        body = _body(fair, phone, item.badge.token, "checkin")
        record.door_bodies[item.badge.token] = (phone, body)
        return phone, body, EXPECTED["first"], False
    if item.kind == "repeat":
        token = item.badge.token if item.badge is not None and item.badge.token in record.seen else None
        if token is None and record.checked_in:
            token = record.checked_in[int(rng.integers(len(record.checked_in)))]
        if token is None:
            return None
        phone = phones.at_door(item.door)
        return phone, _body(fair, phone, token, "checkin"), EXPECTED["repeat"], False
    if item.kind == "retry":
        # The same body again, nonce and all: a phone that lost the answer. Answered or not yet.
        if item.badge is not None:
            if item.badge.token not in record.door_bodies:
                return None
            phone, body = record.door_bodies[item.badge.token]
            return phone, body, EXPECTED["first"], item.badge.token in record.seen
        if not record.answered:
            return None
        recent = record.answered[-200:]
        phone, body, code = recent[int(rng.integers(len(recent)))]
        return phone, body, code, True
    if item.kind == "table":
        talk = item.talk
        if talk is not None and fair.tokens[talk.candidate] not in record.seen:
            return None  # the rush's table scan: its candidate is not in yet
        if talk is None and record.unscanned_talks:
            talk = record.unscanned_talks.pop(int(rng.integers(len(record.unscanned_talks))))
        elif talk is None and record.ready_talks:
            talk = record.ready_talks[int(rng.integers(len(record.ready_talks)))]
        if talk is None:
            return None
        phone = phones.employers[talk.employer]
        return phone, _body(fair, phone, fair.tokens[talk.candidate], "meeting"), EXPECTED["table"], False
    phone, kind = phones.for_unknown()
    return phone, _body(fair, phone, uuid.uuid4().hex[:27], kind), EXPECTED["unknown"], False


async def scan(
    record: Record,
    phase: str,
    item: Planned,
    chosen: tuple[Client, dict[str, Any], str, bool],
    waiting: dict[int, list[Talk]],
) -> None:
    phone, body, expected, must_repeat = chosen

    def check(reply: httpx.Response) -> str | None:
        if reply.status_code != 200:
            return str(reply.status_code)
        answer = reply.json()
        code = str(answer.get("code", ""))
        record.codes[(phase, code)] += 1
        if code != expected:
            return code
        if must_repeat and not answer.get("repeated"):
            return "retry not answered as a repeat"
        return None

    reply = await timed(
        record, phase, "scan", item.kind, phone.http.post("/api/scans", json=body, headers=phone.headers), check
    )
    if reply is None:
        return
    if item.kind == "retry":
        record.repeated[phase] += bool(reply.json().get("repeated"))
        return
    record.answered.append((phone, body, expected))
    if item.kind == "first" and item.badge is not None:
        record.checked_in.append(item.badge.token)
        record.seen.add(item.badge.token)
        if item.badge.participation is not None:
            ready = waiting.pop(item.badge.participation, [])
            record.ready_talks += ready
            record.unscanned_talks += ready


async def drive(
    record: Record,
    phase: str,
    start: float,
    plan: list[Planned],
    fair: Fair,
    phones: Phones,
    waiting: dict[int, list[Talk]],
    rng: np.random.Generator,
    tasks: set[asyncio.Task[None]],
) -> None:
    """Send each planned scan at its moment (open loop: earlier ones answered or not)."""
    for item in plan:
        moment = start + item.at
        delay = moment - record.now()
        if delay > 0:
            await asyncio.sleep(delay)
        record.lags[phase].append(max(0.0, record.now() - moment))
        chosen = choose(item, fair, phones, record, rng)
        if chosen is None:
            record.skipped[(phase, item.kind)] += 1
            continue
        record.sent[phase] += 1
        record.last_sent[phase] = record.now()
        task = asyncio.create_task(scan(record, phase, item, chosen, waiting))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


# --- the organisers' pages and the baseline ----------------------------------------------------------------


def page_check(marker: str) -> Callable[[httpx.Response], str | None]:
    def check(reply: httpx.Response) -> str | None:
        if reply.status_code != 200:
            return str(reply.status_code)
        return None if marker in reply.text else "unexpected page"

    return check


async def pause(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))


async def page(record: Record, client: Client, kind: str, path: str, marker: str) -> None:
    await timed(record, record.phase(), "page", kind, client.http.get(path), page_check(marker))


async def baseline(record: Record, client: Client, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await timed(record, record.phase(), "health", "healthz", client.http.get("/healthz"), page_check("ok"))
        await asyncio.sleep(0.1)


async def live_stream(record: Record, client: Client, path: str) -> None:
    """Read the dashboard's live stream until cancelled: the time to its first figures, their count, the
    longest silence."""
    phase = record.phase()
    started = last = time.perf_counter()
    first = True
    record.stream["opened"] += 1
    record.started[(phase, "page")] += 1
    try:
        async with client.http.stream("GET", path) as reply:
            if reply.status_code != 200:
                record.error(phase, f"page stream: {reply.status_code}", "")
                return
            async for line in reply.aiter_lines():
                if line != "event: figures":
                    continue
                now = time.perf_counter()
                if first:
                    record.latencies[(phase, "page", "live stream, first figures")].append(now - started)
                    record.ok[(phase, "page")] += 1
                    first = False
                else:
                    record.stream["max_gap"] = max(record.stream["max_gap"], now - last)
                    if now - last > STREAM_SILENCE:
                        record.error(record.phase(), "page stream: silent", f"{now - last:.1f} s without figures")
                record.stream["messages"] += 1
                last = now
        record.error(record.phase(), "page stream: ended by the server", "")
    except httpx.HTTPError as exc:
        record.error(record.phase(), f"page stream: {type(exc).__name__}", repr(exc))


async def desk(record: Record, client: Client, slug: str, stop: asyncio.Event) -> None:
    """The organiser at the desk: the day dashboard with its live stream, reloaded every five minutes."""
    while not stop.is_set():
        await page(record, client, "day dashboard", f"/events/{slug}/day", 'id="day-figures"')
        reader = asyncio.create_task(live_stream(record, client, f"/events/{slug}/day/stream"))
        await pause(stop, DASHBOARD_RELOAD)
        reader.cancel()
        with suppress(asyncio.CancelledError):
            await reader


async def floor(record: Record, client: Client, fair: Fair, stop: asyncio.Event, rng: np.random.Generator) -> None:
    """An organiser walking the floor with a tablet: a page every 4-60 s."""
    slug = fair.slug
    while not stop.is_set():
        which = rng.choice(["event", "candidates", "candidate", "day", "figures"], p=[0.25, 0.2, 0.15, 0.15, 0.25])
        if which == "event":
            await page(record, client, "event page", f"/events/{slug}", "Regionale banenmarkt")
        elif which == "candidates":
            await page(record, client, "candidates list", "/candidates/", "Achternaam")
        elif which == "candidate":
            candidate = fair.candidate_ids[int(rng.integers(len(fair.candidate_ids)))]
            await page(record, client, "candidate page", f"/candidates/{candidate}", "Achternaam")
        elif which == "day":
            await page(record, client, "day dashboard", f"/events/{slug}/day", 'id="day-figures"')
        else:
            await page(record, client, "day figures", f"/events/{slug}/day/figures", "<")
        await pause(stop, float(np.clip(rng.exponential(15), 4, 60)))


async def coach(record: Record, client: Client, slug: str, stop: asyncio.Event, rng: np.random.Generator) -> None:
    """A coach's desk page, which refreshes itself every half minute; the candidates list now and then."""
    while not stop.is_set():
        await page(record, client, "coach desk", f"/events/{slug}/coach-desk/", "Regionale banenmarkt")
        if rng.random() < 0.15:
            await page(record, client, "candidates list", "/candidates/", "Achternaam")
        await pause(stop, 30)


async def projector(record: Record, client: Client, slug: str, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await page(record, client, "round clock", f"/events/{slug}/clock/state", '"phase"')
        await pause(stop, 5)


# --- memory and connections --------------------------------------------------------------------------------


def _tree(root: int) -> dict[int, str]:
    """The process and its descendants: pid -> role (master, worker, other)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = {root: "master"}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                found[pid] = "worker" if "spawn_main" in command else "other"
                grew = True
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, summed over its cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def _sockets_to(pids: list[int], ports: dict[str, int]) -> dict[int, Counter[str]]:
    """Established TCP connections of each process to each named port (from its socket inodes)."""
    remote: dict[str, str] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            port = int(parts[2].rsplit(":", 1)[1], 16)
            for name, wanted in ports.items():
                if port == wanted and parts[3] == "01":
                    remote[parts[9]] = name
    counts: dict[int, Counter[str]] = {}
    for pid in pids:
        counts[pid] = Counter()
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in descriptors:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:  # closed meanwhile
                continue
            if link.startswith("socket:[") and (service := remote.get(link[8:-1])):
                counts[pid][service] += 1
    return counts


class Watch:
    """Samples the served app's processes: resident memory, PostgreSQL and Redis connections."""

    def __init__(self, master: int, engine: AsyncEngine, redis: Redis, ports: dict[str, int]) -> None:
        self.master = master
        self.engine = engine
        self.redis = redis
        self.ports = ports
        self.samples: list[dict[str, Any]] = []
        self.workers_seen: list[int] = []

    async def sample(self, label: str, moment: float) -> dict[str, Any]:
        tree = _tree(self.master)
        for pid, role in tree.items():
            if role == "worker" and pid not in self.workers_seen:
                self.workers_seen.append(pid)
        names = [f"meetmatch:{pid}" for pid in tree]
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT application_name, pid FROM pg_stat_activity WHERE application_name = ANY(:names)"),
                    {"names": names},
                )
            ).all()
            others = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'meetmatch:%' "
                    "AND NOT application_name = ANY(:names)"
                ),
                {"names": names},
            )
        database = Counter(int(name.split(":")[1]) for name, _backend in rows)
        backends = {int(backend): _cpu_seconds(int(backend)) for _name, backend in rows}
        sockets = _sockets_to(list(tree), self.ports)
        own = await self.redis.client_id()
        db = self.redis.connection_pool.connection_kwargs.get("db", 0)
        ours = [c for c in await self.redis.client_list() if int(c.get("db", -1)) == db and int(c["id"]) != own]
        info = await self.redis.info("clients")
        found = {
            "label": label,
            "at": moment,
            "rss": {pid: _rss_mib(pid) for pid in tree},
            "cpu": {pid: _cpu_seconds(pid) for pid in tree},
            "backends": backends,
            "bench_cpu": time.process_time(),
            "machine": _machine_cpu(),
            "roles": tree,
            "pg": database,
            "pg_others": int(others or 0),
            "sockets": sockets,
            "redis_ours": len(ours),
            "redis_all": int(info["connected_clients"]) - 1,
        }
        self.samples.append(found)
        return found

    def series(self) -> dict[tuple[str, str], list[tuple[str, float, float]]]:
        """(measure, process) -> [(label, moment, value)]; workers named in order of appearance."""
        out: dict[tuple[str, str], list[tuple[str, float, float]]] = defaultdict(list)
        for s in self.samples:
            roles = s["roles"]
            point = (s["label"], s["at"])
            master = [p for p, r in roles.items() if r == "master"]
            for pid in master:
                out[("RSS (MiB)", "master")].append((*point, s["rss"][pid]))
                out[("PostgreSQL connections", "master")].append((*point, s["pg"].get(pid, 0)))
            for pid in (p for p in self.workers_seen if p in roles):
                name = f"worker {self.workers_seen.index(pid) + 1}"
                out[("RSS (MiB)", name)].append((*point, s["rss"][pid]))
                out[("PostgreSQL connections", name)].append((*point, s["pg"].get(pid, 0)))
                out[("Redis connections", name)].append((*point, s["sockets"][pid]["redis"]))
            out[("Redis clients", "the app's db")].append((*point, s["redis_ours"]))
            out[("Redis clients", "whole server")].append((*point, s["redis_all"]))
        return out


async def sampler(watch: Watch, record: Record, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await watch.sample("", record.now())
        await pause(stop, SAMPLE_SECONDS)


async def progress(record: Record, watch: Watch, stop: asyncio.Event, total: float) -> None:
    tty = sys.stderr.isatty()
    while not stop.is_set():
        await pause(stop, 2 if tty else 30)
        phase = record.phase()
        start = dict(record.bounds).get(phase, 0.0)
        answered = sum(len(v) for (p, g, _k), v in record.latencies.items() if p == phase and g == "scan")
        pings = record.latencies.get((phase, "health", "healthz"), [])[-100:]
        line = (
            f"[{phase} {record.now() - start:4.0f} s; {record.now():4.0f}/{total:.0f} s] scans sent "
            f"{record.sent[phase]}, answered {answered}, p50 of the last 300 "
            f"{_ms(statistics.median(record.recent)) if record.recent else '-'}, healthz p50 "
            f"{_ms(statistics.median(pings)) if pings else '-'}, errors {sum(record.errors.values())}"
        )
        if watch.samples:
            last = watch.samples[-1]
            workers = [p for p in watch.workers_seen if p in last["roles"]]
            line += "; workers RSS " + "/".join(f"{last['rss'][p]:.0f}" for p in workers) + " MiB"
            line += ", pg " + "/".join(str(last["pg"].get(p, 0)) for p in workers)
        print(("\r" + line.ljust(140)) if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
    if tty:
        print(file=sys.stderr)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# --- the run -----------------------------------------------------------------------------------------------


def phases(args: argparse.Namespace) -> list[tuple[str, float]]:
    """(name, planned seconds): the warm-up, the rush, then each stretch and its cool-down."""
    found = [("warm-up", float(args.warm_up)), ("rush", args.minutes * 60.0)]
    for k in range(args.stretches):
        suffix = "" if k == 0 else f" {k + 1}"
        found += [(f"stretch{suffix}", float(args.stretch_seconds)), (f"cool-down{suffix}", float(args.cool_down))]
    return found


async def load(
    base: str, server: subprocess.Popen[bytes], settings: Settings, fair: Fair, args: argparse.Namespace
) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    timeline = phases(args)
    warm_plan = plan_warm_up(fair, args.warm_up, rng)
    rush_plan, late = plan_rush(fair, args.minutes * 60, rng)
    plans: dict[str, list[Planned]] = {"warm-up": warm_plan, "rush": rush_plan}
    for name, seconds in timeline:
        if name.startswith("stretch"):
            # The late candidates come during the first stretch.
            plans[name] = plan_stretch(late if name == "stretch" else [], args.stretch_rate, seconds, rng)

    engine = create_async_engine(settings.database_url, pool_size=1, max_overflow=0)
    redis = Redis.from_url(args.redis)
    watch = Watch(server.pid, engine, redis, {"postgresql": 5432, "redis": 6379})
    print("logging the phones and the organisers in...", file=sys.stderr)
    semaphore = asyncio.Semaphore(8)

    async def logged(email: str | None, device: str, waits: httpx.Timeout | None = None) -> Client:
        async with semaphore:
            return await log_in(base, email, device, waits=waits)

    door_phones = await asyncio.gather(
        *(logged(fair.doors[d], f"door-{d}-{p}") for d in range(DOORS) for p in range(PHONES_PER_DOOR))
    )
    table_phones = await asyncio.gather(*(logged(email, f"table-{e}") for e, email in fair.employers.items()))
    phones = Phones(
        doors=[list(door_phones[d * PHONES_PER_DOOR : (d + 1) * PHONES_PER_DOOR]) for d in range(DOORS)],
        employers=dict(zip(fair.employers, table_phones, strict=True)),
    )
    per_minute = STRETCH_MIX["unknown"] * args.stretch_rate * 60 / phones.count()
    if per_minute > FAILED_PER_MINUTE:
        raise SystemExit(f"--stretch-rate: {per_minute:.0f} unknown codes a minute per phone is past the allowance")
    desk_client = await logged(ORGANISER, "desk", httpx.Timeout(30.0, read=60.0))
    floor_client = await logged(FLOOR, "tablet")
    coach_client = await logged(COACH, "coach")
    clock_client = await logged(fair.projector, "projector")
    health_client = await logged(None, "health")
    # Talks become ready to scan when their candidate is in: keyed by the candidates not in yet.
    waiting: dict[int, list[Talk]] = defaultdict(list)
    for talk in fair.talks:
        waiting[talk.candidate].append(talk)

    record = Record(t0=time.perf_counter(), bounds=[])
    await watch.sample("start", 0.0)
    stop = asyncio.Event()
    total = sum(seconds for _name, seconds in timeline)
    background = [
        asyncio.create_task(baseline(record, health_client, stop)),
        asyncio.create_task(desk(record, desk_client, fair.slug, stop)),
        asyncio.create_task(floor(record, floor_client, fair, stop, np.random.default_rng(args.seed + 1))),
        asyncio.create_task(coach(record, coach_client, fair.slug, stop, np.random.default_rng(args.seed + 2))),
        asyncio.create_task(projector(record, clock_client, fair.slug, stop)),
        asyncio.create_task(sampler(watch, record, stop)),
        asyncio.create_task(progress(record, watch, stop, total)),
    ]
    in_flight: set[asyncio.Task[None]] = set()
    drains = {}
    for name, seconds in timeline:
        start = record.now()
        record.bounds.append((name, start))
        await drive(record, name, start, plans.get(name, []), fair, phones, waiting, rng, in_flight)
        await asyncio.sleep(max(0.0, start + seconds - record.now()))
        if name.startswith("stretch"):
            # A stretch lasts until its backlog is answered: what stays after that stays for good.
            await asyncio.gather(*in_flight)
            drains[name] = record.now() - start - seconds
        await watch.sample(f"end of {name}", record.now())
    stop.set()
    await asyncio.gather(*background)
    clients = [*door_phones, *table_phones, desk_client, floor_client, coach_client, clock_client, health_client]
    for client in clients:
        await client.http.aclose()
    await redis.aclose()
    await engine.dispose()
    return {
        "record": record,
        "watch": watch,
        "timeline": timeline,
        "plans": plans,
        "late": len(late),
        "drains": drains,
        "badges": len(fair.attendees),
    }


def run(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    with tempfile.TemporaryDirectory() as tmp, on_postgresql(args.pg, Path(tmp) / "pg") as settings:
        env = {
            **environment(settings),
            "MEETMATCH_REDIS_URL": args.redis,
        }
        subprocess.run([MEETMATCH, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        print(
            f"writing the fair ({EMPLOYERS} employers, {CANDIDATES} candidates) into {settings.database_schema}...",
            file=sys.stderr,
        )
        asyncio.run(populate(settings, args.seed, employers=EMPLOYERS, candidates=CANDIDATES, rounds=ROUNDS))
        fair = asyncio.run(prepare(settings))
        asyncio.run(_flush(args.redis))
        log = Path(args.log) if args.log else Path(tmp) / "serve.log"
        with serving(env, "--workers", str(args.workers), "--no-migrate", log=log) as (base, server):
            _wait_for_workers(log, args.workers)
            figures = asyncio.run(load(base, server, settings, fair, args))
        return figures, log.read_text(errors="replace").splitlines()


async def _flush(url: str) -> None:
    redis = Redis.from_url(url)
    await redis.flushdb()
    await redis.aclose()


def _wait_for_workers(log: Path, workers: int) -> None:
    for _ in range(600):
        if log.read_text(errors="replace").count("Application startup complete") >= workers:
            return
        time.sleep(0.1)
    raise RuntimeError(f"fewer than {workers} workers started: see {log}")


# --- the report --------------------------------------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "count": len(values),
        "p50": statistics.median(values),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "max": values[-1],
    }


def _row(values: list[float]) -> str:
    """p50, p95, p99 and max in ms."""
    if not values:
        return f"{'-':>7} {'-':>7} {'-':>7} {'-':>7}"
    s = _stats(values)
    return f"{s['p50'] * 1000:>7.1f} {s['p95'] * 1000:>7.1f} {s['p99'] * 1000:>7.1f} {s['max'] * 1000:>7.1f}"


ACCESS = re.compile(r'"(GET|POST|PUT|DELETE|PATCH) (\S+) HTTP/[\d.]+" (\d{3})')
RECORD = ("INFO", "ERROR", "WARNING", "CRITICAL", "DEBUG")


def server_problems(lines: list[str]) -> tuple[Counter[str], Counter[str]]:
    """Answers of 400 and more by request; the log's errors by message and the exception that ended their
    traceback."""
    answers: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for n, line in enumerate(lines):
        if (hit := ACCESS.search(line)) and int(hit.group(3)) >= 400:
            path = re.sub(r"/\d+", "/<id>", hit.group(2).split("?")[0])
            answers[f"{hit.group(1)} {path} {hit.group(3)}"] += 1
        if line.startswith(("ERROR", "CRITICAL")):
            exception = ""
            for following in lines[n + 1 : n + 500]:
                if following.startswith(RECORD):
                    break
                if following[:1].strip() and not following.startswith(("Traceback", "The above", "During handling")):
                    exception = following
            message = re.sub(r"\d{4}-\d\d-\d\d [\d:,]+ - ", "", line)
            failures[f"{message} -> {exception[:300]}"] += 1
    return answers, failures


def _names(figures: dict[str, Any]) -> list[str]:
    return [name for name, _seconds in figures["timeline"]]


def _phase_rows(figures: dict[str, Any]) -> None:
    """Per phase, the scans and the pages: sent, answered (the latencies are theirs), answered as expected,
    errors (any other answer, or none within 30 s); the scans' rate and planned peak minute, the baseline,
    and how late the bench sent its scans."""
    record: Record = figures["record"]
    seconds = dict(figures["timeline"])
    starts = dict(record.bounds)
    print(
        f"{'phase':<12} {'':<6} {'sent':>5} {'answ.':>5} {'ok':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'errors':>6} {'rate/s':>6} {'peak/min':>8} {'base p50':>8} {'base p99':>8} {'ratio':>6} {'lag p99':>7}"
    )
    for phase in _names(figures):
        scans = [x for (p, g, _k), v in record.latencies.items() if p == phase and g == "scan" for x in v]
        pages = [x for (p, g, _k), v in record.latencies.items() if p == phase and g == "page" for x in v]
        pings = record.latencies.get((phase, "health", "healthz"), [])
        moments = [i.at for i in figures["plans"].get(phase, [])]
        peak = int(np.histogram(moments, bins=np.arange(0, seconds[phase] + 60, 60))[0].max()) if moments else 0
        span = record.last_sent.get(phase, starts[phase]) - starts[phase]
        rate = record.sent[phase] / span if span > 0 else 0.0
        base = f"{'-':>8} {'-':>8}"
        ratio = "-"
        if pings:
            base = f"{statistics.median(pings) * 1000:>8.1f} {np.percentile(pings, 99) * 1000:>8.1f}"
            if scans:
                ratio = f"{statistics.median(scans) / statistics.median(pings):.2f}"
        lags = record.lags.get(phase, [])
        lag = f"{np.percentile(lags, 99) * 1000:>7.1f}" if lags else f"{'-':>7}"
        rows = (("scans", "scan", scans), ("pages", "page", pages), ("health", "health", pings))
        for label, group, values in rows:
            key = (phase, group)
            errors = sum(n for (p, k), n in record.errors.items() if p == phase and k.startswith(group))
            counts = f"{record.started[key]:>5} {len(values):>5} {record.ok[key]:>5}"
            head = f"{phase if group == 'scan' else '':<12} {label:<6} {counts} {_row(values)} {errors:>6}"
            print(head + (f" {rate:>6.2f} {peak:>8} {base} {ratio:>6} {lag}" if group == "scan" else ""))


def _detail_rows(figures: dict[str, Any]) -> None:
    record: Record = figures["record"]
    print("\nscans by kind (answered, p50, p95, p99, max in ms):")
    for phase in _names(figures):
        for kind in ("first", "repeat", "retry", "table", "unknown"):
            values = record.latencies.get((phase, "scan", kind), [])
            if values:
                print(f"  {phase:<12} {kind:<8} {len(values):>6} {_row(values)}")
        codes = {c: n for (p, c), n in record.codes.items() if p == phase}
        skipped = {k: n for (p, k), n in record.skipped.items() if p == phase}
        if codes:
            line = f"  {phase:<12} answers {codes}; retries answered as repeats: {record.repeated[phase]}"
            print(line + (f"; not sent (nothing to pick from yet): {skipped}" if skipped else ""))
    print("\norganisers' pages by kind (answered, p50, p95, p99, max in ms):")
    kinds = sorted({k for (_p, g, k) in record.latencies if g == "page"})
    for phase in _names(figures):
        for kind in kinds:
            values = record.latencies.get((phase, "page", kind), [])
            if values:
                print(f"  {phase:<12} {kind:<28} {len(values):>6} {_row(values)}")
    stream = record.stream
    print(
        f"live stream: opened {stream['opened']} times, {stream['messages']} sets of figures received, longest "
        f"silence {stream['max_gap']:.1f} s"
    )


def _cpu(figures: dict[str, Any]) -> None:
    """Where the machine's CPU went, phase by phase: the workers, the master, the PostgreSQL backends of the
    app's connections, this bench, and everything else (the database's own background work, Redis, the
    kernel, and any other work on the machine)."""
    record: Record = figures["record"]
    watch: Watch = figures["watch"]
    marks = {s["label"]: s for s in watch.samples if s["label"]}
    ordered = sorted(watch.samples, key=lambda s: s["at"])
    print(f"\nCPU by phase, in cores (CPU seconds a second; the machine has {os.cpu_count()}):")
    print(
        f"  {'phase':<12} {'seconds':>8} {'machine':>8} {'workers':>8} {'master':>7} {'app PG':>7} {'bench':>7} "
        f"{'other':>7} {'requests':>9} {'worker CPU a request':>21}"
    )

    def spent(sample: dict[str, Any], role: str) -> float:
        return float(sum(v for pid, v in sample["cpu"].items() if sample["roles"].get(pid) == role))

    before = marks["start"]
    for phase in _names(figures):
        after = marks[f"end of {phase}"]
        wall = after["at"] - before["at"]
        workers = spent(after, "worker") - spent(before, "worker")
        master = spent(after, "master") - spent(before, "master")
        database = sum(
            b["backends"][k] - a["backends"][k]
            for a, b in pairwise([s for s in ordered if before["at"] <= s["at"] <= after["at"]])
            for k in b["backends"]
            if k in a["backends"]
        )
        bench = after["bench_cpu"] - before["bench_cpu"]
        machine = after["machine"][0] - before["machine"][0]
        other = machine - workers - master - database - bench
        requests = sum(len(v) for (p, _g, _k), v in record.latencies.items() if p == phase)
        per_request = f"{workers / requests * 1000:.1f} ms" if requests else "-"
        print(
            f"  {phase:<12} {wall:>8.0f} {machine / wall:>8.2f} {workers / wall:>8.2f} {master / wall:>7.2f} "
            f"{database / wall:>7.2f} {bench / wall:>7.2f} {other / wall:>7.2f} {requests:>9} {per_request:>21}"
        )
        before = after


def _resources(figures: dict[str, Any]) -> list[str]:
    """The memory and connection table; the verdicts, one per worker and measure. With two stretches or more,
    memory is judged on the second burst: the first one leaves a high-water mark (the buffers of its backlog)
    that a process keeps, a leak grows again with every burst."""
    record: Record = figures["record"]
    watch: Watch = figures["watch"]
    names = _names(figures)
    cool = [f"end of {n}" for n in names if n.startswith("cool-down")]
    labels = ["start", *(f"end of {n}" for n in names)]
    starts = dict(record.bounds)
    print("\nmemory and connections (sampled every 10 s, and at the end of each phase: a stretch's once answered):")
    heads = [label.removeprefix("end of ") for label in labels]
    print(f"  {'measure':<24} {'process':<10} " + " ".join(f"{h:>11}" for h in [*heads, "max"]))
    verdicts = []
    for (measure, process), points in watch.series().items():
        at = {label: value for label, _moment, value in points if label}
        loaded = [value for _label, moment, value in points if moment >= starts["rush"]]
        row = [*(at.get(label) for label in labels), max(loaded, default=None)]
        digits = 1 if measure.startswith("RSS") else 0
        print(
            f"  {measure:<24} {process:<10} " + " ".join(f"{'-' if v is None else f'{v:.{digits}f}':>11}" for v in row)
        )
        warm, peak = at.get("end of warm-up"), row[-1]
        after = [at[label] for label in cool if label in at]
        if not process.startswith("worker") or warm is None or peak is None or not after:
            continue
        if measure.startswith("RSS"):
            if len(after) > 1:
                grew = after[-1] - after[0] > max(8.0, 0.05 * after[0])
                how = f"{after[-1] - after[0]:+.1f} MiB from the first stretch's cool-down to the last"
            else:
                grew = after[-1] - warm > max(16.0, 0.1 * warm)
                how = f"{after[-1] - warm:+.1f} MiB since the warm-up"
            steps = " -> ".join(f"{v:.0f}" for v in after)
            verdicts.append(
                f"{process} RSS {warm:.0f} MiB after the warm-up, {steps} after each cool-down ({how}): "
                + ("GREW" if grew else "steady")
            )
        elif measure.startswith("PostgreSQL"):
            bounded = peak <= 20 and max(after) <= 10
            verdicts.append(
                f"{process} PostgreSQL connections at most {peak:.0f}, {', '.join(f'{v:.0f}' for v in after)} after "
                "each cool-down: " + ("within the pool (10 + 10)" if bounded else "PAST THE POOL")
            )
        else:
            grew = len(after) > 1 and after[-1] > after[0] + 2
            trend = ("GREW" if grew else "steady") if len(after) > 1 else "one burst: no trend"
            verdicts.append(
                f"{process} Redis connections {warm:.0f} after the warm-up, at most {peak:.0f}, "
                f"{', '.join(f'{v:.0f}' for v in after)} after each cool-down: {trend}"
            )
    others = max((s["pg_others"] for s in watch.samples), default=0)
    print(f"  (other processes' meetmatch:<pid> connections on the server, not counted: up to {others})")
    return verdicts


def report(figures: dict[str, Any], log_lines: list[str], args: argparse.Namespace) -> int:
    record: Record = figures["record"]
    watch: Watch = figures["watch"]
    print(
        f"\nload on {args.workers} workers and PostgreSQL: {EMPLOYERS} employers, {CANDIDATES} candidates, "
        f"{figures['badges']} badges + {VOLUNTEERS} volunteers; seed {args.seed}"
    )
    drains = ", ".join(f"{name} {extra:.1f} s" for name, extra in figures["drains"].items())
    print(
        "phases: "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in figures["timeline"])
        + f"; stretches at {args.stretch_rate:g} scans/s; {figures['late']} candidates come late (in the first "
        f"stretch); time to answer a stretch's backlog after its last scan, counted in the stretch: {drains}"
    )
    print("latencies in ms; baseline = /healthz every 100 ms, same processes, same time; lag = scans sent late\n")
    _phase_rows(figures)
    _detail_rows(figures)
    _cpu(figures)
    verdicts = _resources(figures)
    restarts = len(watch.workers_seen) - args.workers
    print("verdict:\n  " + "\n  ".join(verdicts))
    print(f"worker processes seen: {len(watch.workers_seen)}" + (f", {restarts} RESTARTED" if restarts > 0 else ""))
    errors = ", ".join(f"{p} {k}: {n}" for (p, k), n in sorted(record.errors.items()))
    print("\nerrors by phase and kind: " + (errors or "none"))
    for kind, example in record.examples.items():
        print(f"  {kind}: e.g. {example}")
    answers, server_errors = server_problems(log_lines)
    print(
        "server log, answers of 400 and more: " + (", ".join(f"{k} x{n}" for k, n in answers.most_common()) or "none")
    )
    print(f"server log, errors: {sum(server_errors.values())}")
    for line, count in server_errors.most_common(20):
        print(f"  {count} x {line}")
    failed = bool(record.errors) or restarts > 0 or bool(server_errors) or bool(answers)
    grew = any("GREW" in v or "PAST" in v for v in verdicts)
    print("target (no error; memory and connections steady): " + ("NOT met" if failed or grew else "met"))
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=None, help="length of the rush (default 15; --quick 2)")
    parser.add_argument("--stretch-rate", type=float, default=50)
    parser.add_argument("--stretch-seconds", type=float, default=None, help="default 60; --quick 20")
    parser.add_argument("--warm-up", type=float, default=None, help="seconds (default 60; --quick 15)")
    parser.add_argument("--cool-down", type=float, default=None, help="seconds (default 30; --quick 10)")
    parser.add_argument(
        "--stretches", type=int, default=2, help="stretches, each with its cool-down (a second shows growth)"
    )
    parser.add_argument("--quick", action="store_true", help="a 2-minute rush and a 20 s stretch, to try it out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="a Redis database of its own: flushed")
    parser.add_argument("--log", default="", help="keep the server's log in this file")
    args = parser.parse_args()
    quick = args.quick
    args.minutes = args.minutes if args.minutes is not None else (2 if quick else 15)
    args.stretch_seconds = args.stretch_seconds if args.stretch_seconds is not None else (20 if quick else 60)
    args.warm_up = args.warm_up if args.warm_up is not None else (15 if quick else 60)
    args.cool_down = args.cool_down if args.cool_down is not None else (10 if quick else 30)
    load_before = os.getloadavg()
    started = dt.datetime.now().astimezone()
    figures, log_lines = run(args)
    load_after = os.getloadavg()
    status = report(figures, log_lines, args)
    print(
        f"\nrun {started:%Y-%m-%d %H:%M} - {dt.datetime.now().astimezone():%H:%M}; load average before "
        f"{load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, after {load_after[0]:.2f} / "
        f"{load_after[1]:.2f} / {load_after[2]:.2f}; {os.cpu_count()} cores"
    )
    print("command: python bench/bench_load.py " + " ".join(sys.argv[1:]))
    sys.exit(status)


if __name__ == "__main__":
    main()
