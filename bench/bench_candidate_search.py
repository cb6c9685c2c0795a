"""Candidate search among 100,000 candidates of 50 organisations, on SQLite and on PostgreSQL (issue 19).

A fresh database (migrated with `meetmatch db upgrade`) gets 50 organising organisations and 10 partner
organisations; each organiser organisation has an organiser, 8 coaches of its own and 2 events, each partner 4
coaches; 2,000 candidates an organisation (100,000 in all), each with a coach (one in five a partner's coach), three
in five signed up for one of their organisation's events with a status. Written with bulk inserts; setting up is not
what is measured.

Measured: `search_candidates` (events.registration.candidate_search), through the service on a session of its own,
for a mix of searches by organisers and coaches of random organisations: the first page, a name word, part of an
e-mail address, phone digits typed with separators, an event, an event with a status, a programme-less coach filter,
the coach's organisation, page 20, newest first, and a coach searching their own. Every search counts and reads one
page (50). Then the same searches as HTTP requests (`GET /api/candidates`) through the app in-process (Litestar's
test client, an organiser logged in). Reported: median and p95 per kind and over all, in milliseconds.

    python bench/bench_candidate_search.py [--rounds 20] [--pg postgresql://postgres@127.0.0.1:5432/test]

Target (issue 19): p95 under 200 ms on both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app_build import MEETMATCH, PASSWORD, create_account, credentials, environment, on_each_database

from events.platform.db import open_session
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Event,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    Role,
    User,
)
from events.platform.security import hash_password
from events.platform.services import to_current_user
from events.platform.settings import Settings
from events.registration.candidate_search import CandidateSearch, search_candidates

ORGANISATIONS, PARTNERS, PER_ORGANISATION = 50, 10, 2_000
COACHES, PARTNER_COACHES, EVENTS = 8, 4, 2
FIRST = ["Anna", "Mohamed", "Fatima", "Kees", "Sanne", "Ahmet", "Çiğdem", "Priya", "Daan", "Lotte", "Youssef", "Emma"]
LAST = ["de Vries", "Jansen", "El Amrani", "Bakker", "Yılmaz", "Visser", "Smit", "Öztürk", "Meijer", "de Boer"]
LOGIN = "zoek-organisator-1@meetmatch.test"
KINDS = (
    "first page",
    "name word",
    "e-mail part",
    "phone digits",
    "event",
    "event+status",
    "coach",
    "coach's organisation",
    "page 20",
    "newest",
    "coach's own",
)


async def populate(settings: Settings, seed: int) -> None:
    """The organisations, accounts, events and 100,000 candidates, in bulk."""
    rng = random.Random(seed)
    password_hash = hash_password(PASSWORD)
    async with open_session(settings) as session:
        organisations = [
            {"name": f"Organisatie {i}", "kind": OrganisationKind.ORGANISER} for i in range(1, ORGANISATIONS + 1)
        ]
        partners = [{"name": f"Partner {i}", "kind": OrganisationKind.PARTNER} for i in range(1, PARTNERS + 1)]
        await session.execute(insert(Organisation), organisations + partners)
        ids = dict((await session.execute(select(Organisation.name, Organisation.id))).tuples().all())
        users: list[dict[str, Any]] = []
        for i in range(1, ORGANISATIONS + 1):
            org = ids[f"Organisatie {i}"]
            if i > 1:  # the first one's organiser logs in over HTTP: made below, with two-factor login
                users.append(_user(f"zoek-organisator-{i}@meetmatch.test", Role.ORGANISER, org, password_hash))
            users += [_user(f"coach-{i}-{c}@meetmatch.test", Role.COACH, org, password_hash) for c in range(COACHES)]
        for p in range(1, PARTNERS + 1):
            org = ids[f"Partner {p}"]
            users += [
                _user(f"partner-{p}-{c}@meetmatch.test", Role.COACH, org, password_hash) for c in range(PARTNER_COACHES)
            ]
        await session.execute(insert(User), users)
        await create_account(session, email=LOGIN, role="organiser", name="Zoeker", organisation="Organisatie 1")
        coaches: dict[int, list[int]] = {}
        for user_id, org in (
            await session.execute(select(User.id, User.organisation_id).where(User.role == Role.COACH))
        ).tuples():
            coaches.setdefault(int(org or 0), []).append(int(user_id))
        today = dt.date.today()
        events = [
            {
                "slug": f"event-{i}-{e}",
                "organisation_id": ids[f"Organisatie {i}"],
                "name": f"Meet & Match {i}.{e}",
                "date": today + dt.timedelta(days=7 * e),
                "first_round_start": dt.time(13, 30),
            }
            for i in range(1, ORGANISATIONS + 1)
            for e in range(EVENTS)
        ]
        await session.execute(insert(Event), events)
        event_ids: dict[int, list[int]] = {}
        for event_id, org in (await session.execute(select(Event.id, Event.organisation_id))).tuples():
            event_ids.setdefault(int(org), []).append(int(event_id))
        partner_coaches = [c for p in range(1, PARTNERS + 1) for c in coaches[ids[f"Partner {p}"]]]
        start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        number = 0
        for i in range(1, ORGANISATIONS + 1):
            org = ids[f"Organisatie {i}"]
            rows = []
            for _ in range(PER_ORGANISATION):
                number += 1
                first, last = rng.choice(FIRST), rng.choice(LAST)
                rows.append(
                    {
                        "id": number,  # given, so that the insert is one executemany (no RETURNING row by row)
                        "organisation_id": org,
                        "first_name": first,
                        "last_name": f"{last} {number}",
                        "email": f"{first.lower()}.{number}@voorbeeld.nl" if number % 5 else None,
                        "phone": f"06-{number // 10_000:04d} {number % 10_000:04d}",
                        "created_at": start + dt.timedelta(minutes=number),
                    }
                )
            await session.execute(Candidate.__table__.insert(), rows)  # Core: one executemany
            links, taking_part = [], []
            for candidate_id in (row["id"] for row in rows):
                coach = rng.choice(partner_coaches) if rng.random() < 0.2 else rng.choice(coaches[org])
                links.append({"candidate_id": candidate_id, "coach_id": coach})
                if rng.random() < 0.6:
                    status = rng.choice(list(ParticipationStatus))
                    taking_part.append(
                        {"event_id": rng.choice(event_ids[org]), "candidate_id": candidate_id, "status": status}
                    )
            await session.execute(CandidateCoach.__table__.insert(), links)
            await session.execute(CandidateParticipation.__table__.insert(), taking_part)
        await session.commit()
        if session.get_bind().dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load; the planner otherwise guesses at empty tables.
            await session.execute(text("ANALYZE"))
            await session.commit()


def _user(email: str, role: Role, organisation: int, password_hash: str) -> dict[str, Any]:
    return {"email": email, "name": email.split("@")[0], "role": role, "organisation_id": organisation,
            "password_hash": password_hash}  # fmt: skip


async def _people(settings: Settings) -> tuple[list[CurrentUser], list[CurrentUser], dict[int, list[int]]]:
    async with open_session(settings) as session:
        users = (await session.scalars(select(User).where(User.role.in_([Role.ORGANISER, Role.COACH])))).all()
        events: dict[int, list[int]] = {}
        for event_id, org in (await session.execute(select(Event.id, Event.organisation_id))).tuples():
            events.setdefault(int(org), []).append(int(event_id))
    organisers = [to_current_user(u) for u in users if u.role is Role.ORGANISER]
    coaches = [to_current_user(u) for u in users if u.role is Role.COACH]
    return organisers, coaches, events


def searches(
    rng: random.Random, organiser: CurrentUser, coaches: list[CurrentUser], events: list[int]
) -> list[tuple[str, CurrentUser, CandidateSearch]]:
    """One search of each kind, for this organiser (and a random coach)."""
    number = rng.randrange(1, ORGANISATIONS * PER_ORGANISATION)
    own = [c for c in coaches if c.organisation_id == organisation_of(organiser)]
    coach = rng.choice(own)
    return [
        ("first page", organiser, CandidateSearch()),
        ("name word", organiser, CandidateSearch(q=rng.choice(LAST).split()[-1].upper())),
        ("e-mail part", organiser, CandidateSearch(q=f"{number}@voorbeeld")),
        ("phone digits", organiser, CandidateSearch(q=f"06 {number // 10_000:04d}{number % 10_000:04d}")),
        ("event", organiser, CandidateSearch(event=rng.choice(events))),
        ("event+status", organiser, CandidateSearch(event=rng.choice(events), status=ParticipationStatus.CONFIRMED)),
        ("coach", organiser, CandidateSearch(coach=coach.id)),
        ("coach's organisation", organiser, CandidateSearch(organisation=organisation_of(organiser))),
        ("page 20", organiser, CandidateSearch(page=20)),
        ("newest", organiser, CandidateSearch(sort="newest", q="anna")),
        ("coach's own", coach, CandidateSearch(q="de")),
    ]


def organisation_of(user: CurrentUser) -> int:
    return int(user.organisation_id or 0)


async def through_service(settings: Settings, rounds: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    organisers, coaches, events = await _people(settings)
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    async with open_session(settings) as session:
        for round_ in range(rounds + 1):
            organiser = rng.choice(organisers)
            for kind, user, search in searches(rng, organiser, coaches, events[organisation_of(organiser)]):
                started = time.perf_counter()
                found = await search_candidates(session, user, search)
                elapsed = (time.perf_counter() - started) * 1000
                assert found.total >= len(found.items)
                session.expunge_all()
                if round_:  # the first round warms the caches
                    timings[kind].append(elapsed)
            await session.rollback()
    return timings


def through_http(settings: Settings, rounds: int, seed: int) -> dict[str, list[float]]:
    from litestar.testing import TestClient

    from events.app import create_app

    rng = random.Random(seed)
    organisers, coaches, events = asyncio.run(_people(settings))
    organiser = next(o for o in organisers if o.email == LOGIN)
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS if kind != "coach's own"}
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        response = client.post("/api/auth/login", json=credentials(LOGIN))
        assert response.status_code == 200, response.text
        for round_ in range(rounds + 1):
            for kind, _user, search in searches(rng, organiser, coaches, events[organisation_of(organiser)]):
                if kind not in timings:
                    continue
                params = search.parameters()
                started = time.perf_counter()
                response = client.get("/api/candidates", params=params)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                if round_:
                    timings[kind].append(elapsed)
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(label: str, how: str, timings: dict[str, list[float]]) -> dict[str, float]:
    every = [v for values in timings.values() for v in values]
    print(f"\n{label}, {how}: {len(every)} searches, median {statistics.median(every):.1f} ms, p95 {p95(every):.1f} ms")
    for kind, values in timings.items():
        print(f"  {kind:22s} median {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms")
    return {"median": statistics.median(every), "p95": p95(every)}


def run_one(label: str, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    env = environment(settings)
    subprocess.run([MEETMATCH, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
    started = time.perf_counter()
    asyncio.run(populate(settings, args.seed))
    print(f"{label}: wrote {ORGANISATIONS * PER_ORGANISATION:,} candidates in {time.perf_counter() - started:.0f} s")
    service = report(label, "through the service", asyncio.run(through_service(settings, args.rounds, args.seed)))
    http = report(label, "GET /api/candidates in-process", through_http(settings, max(3, args.rounds // 4), args.seed))
    return {"label": label, "service": service, "http": http}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="searches of each kind, through the service")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line a request otherwise
    results = on_each_database(run_one, args)
    print("\n| database | service median | service p95 | HTTP median | HTTP p95 |\n|---|---:|---:|---:|---:|")
    for r in results:
        s, h = r["service"], r["http"]
        print(f"| {r['label']} | {s['median']:.1f} ms | {s['p95']:.1f} ms | {h['median']:.1f} ms | {h['p95']:.1f} ms |")
    print("\ncommand: python bench/bench_candidate_search.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
