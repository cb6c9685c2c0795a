"""Building the large event's programme through the app, on SQLite and on PostgreSQL.

A fair of 200 employers and 3,000 candidates over 12 rounds is written into a fresh database the way the
app stores it (organisations with sectors and openings, candidates with sectors, availability windows,
both sides' wishes), so the adapter's weight function makes the realistic number of pairs. Then the
organiser's build runs through the HTTP API exactly as the page starts it: POST a build, poll its progress
until the draft version is stored. Meanwhile a second client asks the server for a light page every 50 ms;
its latencies show whether the server stays responsive.

Figures per database: the end-to-end build time (median of --runs), the pure solver on the same instance
in the bench's process (the baseline: the app's overhead is the ratio), the median, 95th-percentile and
worst latency of the light requests during the builds, the pairs and talks, and the time to fetch the
version's grid page. The app runs as `meetmatch serve` in its own process, as in production.

    python bench/bench_app_build.py [--runs 3] [--seed 1] [--pg postgresql://postgres@127.0.0.1:5432/test]

Target (issue 5): under 10 s end to end on both databases, with the pages answering meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import httpx
import numpy as np
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events.platform import dates, twofactor
from events.platform.db import import_models, open_session
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Opening,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    PathwayKind,
    Preference,
    PreferenceSide,
    User,
)
from events.platform.organisations import create_user
from events.platform.services import system_user
from events.platform.settings import Settings, normalise_database_url

PASSWORD = "bench-password-1234"  # noqa: S105 - a throwaway account in a throwaway database
ORGANISER = "bench@meetmatch.test"
EMPLOYERS, CANDIDATES, ROUNDS, SECTORS = 200, 3000, 12, 30
KEY = "b" * 64
MEETMATCH = str(Path(sys.executable).parent / "meetmatch")
# Every slice's models, so that the foreign keys between them resolve when the bench writes rows itself.
import_models()


async def create_account(session: AsyncSession, *, email: str, role: str, **fields: Any) -> User:
    """An account with the bench's password. Organisers and coaches must log in with a code: theirs get
    two-factor login on the demo's fixed key for the address, so that `credentials` can give the code."""
    user = await create_user(session, email=email, role=role, password=PASSWORD, **fields)
    if twofactor.required_for(user.role):
        await twofactor.enrol(session, user, twofactor.demo_secret(email), twofactor.current_step() - 3)
    return user


async def fair_today(session: AsyncSession) -> Event:
    """The bench's event, held today (scans are taken on the event's day only), its schedule built and
    published."""
    from schedule import services

    event = await session.scalar(select(Event))
    assert event is not None
    event.date = dates.today()
    system = await system_user(session)
    await services.build_version(session, system, event)
    await services.publish(session, system, event)
    return event


def credentials(email: str) -> dict[str, str]:
    """The body of `POST /api/auth/login`: the password and the code of the current 30-s step (an account
    without two-factor login ignores it). A code is accepted once per account and step: log an account in
    once and share its cookies."""
    code = twofactor.code_at(twofactor.demo_secret(email), int(time.time() // twofactor.STEP_SECONDS))
    return {"email": email, "password": PASSWORD, "code": code}


async def populate(
    settings: Settings, seed: int, *, employers: int = EMPLOYERS, candidates: int = CANDIDATES, rounds: int = ROUNDS
) -> None:
    """The fair, written with bulk inserts (setting up is not what is measured); smaller fairs scale it down."""
    rng = np.random.default_rng(seed)
    async with open_session(settings) as session:
        await create_account(session, email=ORGANISER, role="organiser", name="Bench")
        event = Event(
            slug="regiobanenmarkt",
            name="Regionale banenmarkt",
            date=dt.date(2027, 3, 18),
            venue="Expo",
            first_round_start=dt.time(10, 0),
            rounds=rounds,
            default_min_meetings=2,
            default_max_meetings=5,
            max_seats=3,
        )
        session.add(event)
        await session.flush()
        popularity = 1.0 / np.arange(1, employers + 1) ** 0.9
        share = popularity[rng.permutation(employers)]
        share = share / share.sum()
        seats_per_round = 2.5 * candidates / rounds
        organisations = [
            {"name": f"Werkgever {j + 1:03d}", "kind": OrganisationKind.EMPLOYER, "sector": f"s{rng.integers(SECTORS)}"}
            for j in range(employers)
        ]
        org_ids = list((await session.scalars(insert(Organisation).returning(Organisation.id), organisations)).all())
        employer_rows = []
        for j, org_id in enumerate(org_ids):
            seats = int(rng.choice([1, 2, 3], p=[0.6, 0.25, 0.15]))
            tables = int(np.clip(round(share[j] * seats_per_round / seats), 1, 5))
            open_rounds: list[int] | None = None
            draw = rng.random()
            if draw < 0.10:
                gap = int(rng.integers(2, rounds))
                open_rounds = [r for r in range(1, rounds + 1) if r != gap]
            elif draw < 0.15:
                open_rounds = list(range(1, rounds - 1))
            employer_rows.append(
                {
                    "event_id": event.id,
                    "organisation_id": org_id,
                    "tables": tables,
                    "seats": seats,
                    "rounds": open_rounds,
                }
            )
        employer_ids = list(
            (
                await session.scalars(insert(EmployerParticipation).returning(EmployerParticipation.id), employer_rows)
            ).all()
        )
        # A second sector for a third of the employers, through an opening.
        await session.execute(
            insert(Opening),
            [
                {
                    "employer_participation_id": eid,
                    "title": "Medewerker",
                    "kind": PathwayKind.PAID_JOB,
                    "sector": f"s{rng.integers(SECTORS)}",
                }
                for eid in employer_ids
                if rng.random() < 0.35
            ],
        )
        people = [
            {
                "first_name": f"Kandidaat{i + 1}",
                "last_name": f"Achternaam{i + 1}",
                "sectors": [f"s{s}" for s in rng.choice(SECTORS, size=1 if rng.random() < 0.8 else 2, replace=False)],
            }
            for i in range(candidates)
        ]
        candidate_ids = list((await session.scalars(insert(Candidate).returning(Candidate.id), people)).all())
        participations = []
        for cid in candidate_ids:
            lo, hi = 1, rounds
            draw = rng.random()
            if draw < 0.08:
                lo = int(rng.integers(2, rounds // 2 + 1))
            elif draw < 0.16:
                hi = int(rng.integers(rounds // 2 + 1, rounds))
            elif draw < 0.20:
                lo, hi = 2, rounds - 1
            participations.append(
                {
                    "event_id": event.id,
                    "candidate_id": cid,
                    "status": ParticipationStatus.CONFIRMED,
                    "rounds": None if (lo, hi) == (1, rounds) else list(range(lo, hi + 1)),
                }
            )
        participation_ids = list(
            (
                await session.scalars(
                    insert(CandidateParticipation).returning(CandidateParticipation.id), participations
                )
            ).all()
        )
        wishes: dict[tuple[int, int], dict[PreferenceSide, int]] = {}
        for pid in participation_ids:
            for j in rng.choice(employers, size=int(rng.integers(6, 16)), replace=False, p=share):
                wishes[(pid, employer_ids[int(j)])] = {
                    PreferenceSide.CANDIDATE: int(rng.choice([1, 2, 3], p=[0.25, 0.4, 0.35]))
                }
            if rng.random() < 0.3:
                wishes.setdefault((pid, employer_ids[int(rng.integers(employers))]), {})[PreferenceSide.CANDIDATE] = 0
        for levels in wishes.values():
            answer = [None, 0, 1, 2, 3][int(rng.choice(5, p=[0.45, 0.05, 0.15, 0.2, 0.15]))]
            if answer is not None:
                levels[PreferenceSide.EMPLOYER] = answer
        for eid in employer_ids:
            for i in rng.choice(candidates, size=2 + candidates // 600, replace=False):
                wishes.setdefault((participation_ids[int(i)], eid), {PreferenceSide.EMPLOYER: int(rng.integers(2, 4))})
        rows = [
            {"candidate_participation_id": c, "employer_participation_id": e, "side": side, "level": level}
            for (c, e), levels in wishes.items()
            for side, level in levels.items()
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Preference), rows[start : start + 5000])
        await session.commit()


async def baseline(settings: Settings, runs: int) -> tuple[float, int]:
    """The pure solver on the instance the app builds, in this process: the floor the app stands on."""
    from schedule import adapter
    from schedule.solver.solve import solve

    async with open_session(settings) as session:
        event = await session.scalar(select(Event))
        assert event is not None
        problem, _dropped = adapter.assemble(await adapter.fetch(session, event))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        solve(problem, seed=0)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(problem.pairs)


def environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETMATCH_")}
    env.update(
        MEETMATCH_DATA_DIR=str(settings.data_dir),
        MEETMATCH_DATABASE_URL=settings.database_url,
        MEETMATCH_SECRET_KEY=settings.secret_key,
    )
    if settings.database_schema:
        env["MEETMATCH_DATABASE_SCHEMA"] = settings.database_schema
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure(base: str, runs: int) -> dict[str, Any]:
    """Builds through the served app's API while a second client keeps asking for a light page."""
    builds: list[float] = []
    latencies: list[float] = []
    talks = 0
    pages: list[float] = []
    stages: list[dict[str, float]] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client, httpx.AsyncClient(base_url=base) as other:
        login = await client.post("/api/auth/login", json=credentials(ORGANISER))
        assert login.status_code == 200, login.text
        # The same session: a second login within the code's 30 s would be refused as a replay.
        other.cookies = client.cookies
        headers = {"x-csrftoken": client.cookies.get("csrftoken") or ""}
        for _ in range(runs):
            done = asyncio.Event()

            async def ping(done: asyncio.Event = done) -> None:
                while not done.is_set():
                    started = time.perf_counter()
                    answer = await other.get("/api/auth/me")
                    assert answer.status_code == 200
                    latencies.append(time.perf_counter() - started)
                    await asyncio.sleep(0.05)

            pinger = asyncio.create_task(ping())
            started = time.perf_counter()
            job = (await client.post("/api/events/regiobanenmarkt/programme/builds", json={}, headers=headers)).json()
            last = -1
            while job["status"] == "running":
                await asyncio.sleep(0.1)
                job = (await client.get(f"/api/events/regiobanenmarkt/programme/builds/{job['id']}")).json()
                percent = int(job["progress"] * 100)
                if percent != last:
                    print(f"\r  building: {percent:3d} % {job['stage']:<10}", end="", file=sys.stderr, flush=True)
                    last = percent
            builds.append(time.perf_counter() - started)
            print(file=sys.stderr)
            done.set()
            await pinger
            assert job["status"] == "done", job
            version = (await client.get(f"/api/events/regiobanenmarkt/programme/versions/{job['version']}")).json()
            talks = len(version["meetings"])
            stages.append(version["stats"]["seconds"])
            started = time.perf_counter()
            page = await client.get(f"/events/regiobanenmarkt/programme/{job['version']}")
            pages.append(time.perf_counter() - started)
            assert page.status_code == 200
    latencies.sort()
    return {
        "build": statistics.median(builds),
        "builds": builds,
        "talks": talks,
        "latency_max": latencies[-1],
        "latency_p95": latencies[int(0.95 * (len(latencies) - 1))],
        "latency_median": statistics.median(latencies),
        "pings": len(latencies),
        "page": statistics.median(pages),
        "stages": {k: statistics.median(s[k] for s in stages) for k in stages[0]},
    }


async def with_pg_schema(url: str, schema: str, *, drop: bool) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE' if drop else f'CREATE SCHEMA "{schema}"'))
    await engine.dispose()


def run_one(label: str, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    env = environment(settings)
    subprocess.run([MEETMATCH, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
    print(f"{label}: writing the fair ({EMPLOYERS} employers, {CANDIDATES} candidates)...", file=sys.stderr)
    asyncio.run(populate(settings, args.seed))
    solver, pairs = asyncio.run(baseline(settings, args.runs))
    with served(env) as base:
        figures = asyncio.run(measure(base, args.runs))
    return {"label": label, "solver": solver, "pairs": pairs, **figures}


@contextmanager
def serving(
    env: dict[str, str], *options: str, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`meetmatch serve` with `options` (e.g. --workers 2) in its own process, as in production, its output
    written to `log` (else dropped): its base URL once it answers, and the process."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ExitStack() as stack:
        output: IO[bytes] | int = stack.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        server = subprocess.Popen(  # noqa: S603
            [MEETMATCH, "serve", "--port", str(port), *options], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            for _ in range(300):
                with suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                if server.poll() is not None:
                    raise RuntimeError(f"meetmatch serve stopped (exit code {server.returncode})")
                time.sleep(0.1)
            else:
                raise RuntimeError("meetmatch serve did not answer within 30 s")
            yield base, server
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """`meetmatch serve` in its own process, as in production; yields its base URL once it answers."""
    with serving(env) as (base, _server):
        yield base


@contextmanager
def on_postgresql(url: str, data: Path) -> Iterator[Settings]:
    """Settings for a fresh PostgreSQL schema at `url` (data files under `data`); the schema is dropped after."""
    url = normalise_database_url(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(with_pg_schema(url, schema, drop=False))
    try:
        data.mkdir(exist_ok=True)
        yield Settings(data_dir=data, database_url=url, secret_key=KEY, database_schema=schema)
    finally:
        asyncio.run(with_pg_schema(url, schema, drop=True))


def on_each_database(
    run: Callable[[str, Settings, argparse.Namespace], dict[str, Any]], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """`run` on a fresh SQLite file, then (unless --pg is empty) in a fresh PostgreSQL schema, dropped after."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        sqlite = Settings(data_dir=data, database_url=f"sqlite+aiosqlite:///{data / 'bench.sqlite'}", secret_key=KEY)
        results.append(run("SQLite", sqlite, args))
        if args.pg:
            with on_postgresql(args.pg, data / "pg") as pg:
                results.append(run("PostgreSQL", pg, args))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    args = parser.parse_args()
    results = on_each_database(run_one, args)
    print(f"\nlarge event through the app: {EMPLOYERS} employers x {CANDIDATES} candidates x {ROUNDS} rounds")
    print(f"runs per database: {args.runs}, seed {args.seed}; medians; baseline = the pure solver in this process\n")
    head = (
        f"{'database':<11} {'pairs':>7} {'talks':>6} {'build s':>8} {'solver s':>9} {'ratio':>6} "
        f"{'ping p50 ms':>12} {'p95 ms':>7} {'max ms':>7} {'grid page s':>12}"
    )
    print(head)
    for r in results:
        print(
            f"{r['label']:<11} {r['pairs']:>7} {r['talks']:>6} {r['build']:>8.2f} {r['solver']:>9.2f} "
            f"{r['build'] / r['solver']:>6.2f} {r['latency_median'] * 1000:>12.1f} {r['latency_p95'] * 1000:>7.1f} "
            f"{r['latency_max'] * 1000:>7.1f} {r['page']:>12.2f}"
        )
    print("\nwhere a build's time goes (s, medians; the rest is the job's start, its progress writes and polling):")
    for r in results:
        print(f"  {r['label']:<11} " + ", ".join(f"{k} {v:.2f}" for k, v in r["stages"].items()))
    every = "; ".join(f"{r['label']} " + ", ".join(f"{b:.2f}" for b in r["builds"]) for r in results)
    print(f"every build (s): {every}")
    slow = [r["label"] for r in results if r["build"] >= 10]
    print("target (< 10 s end to end on each database): " + ("met" if not slow else f"NOT met on {', '.join(slow)}"))


if __name__ == "__main__":
    main()
