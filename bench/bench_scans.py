"""Scans on the day against a served app: 50 scans a second for a minute, on SQLite and on PostgreSQL.

The regional fair of `bench_app_build.py` (200 employers, 3,000 candidates, 12 rounds) is written into a fresh
database, its programme built and published, and every candidate given a badge. The app then runs as
`meetmatch serve` in its own process. An open-loop load (each scan sent at its planned moment, whether or
not earlier ones have been answered) posts `/api/scans` at --rate per second for --seconds:

- 60 % first check-ins (each of the 3,000 badges at most once), from four entrances (door clients) with
  four phones each;
- 15 % repeats (a badge already checked in, scanned again with a new nonce: `already_checked_in`);
- 15 % meeting scans (an employer's phone scans a candidate's badge: planned or not, `meeting_logged`);
- 10 % unknown tokens (`unknown`, counted against each phone's allowance of failed scans).

Meanwhile the organiser's dashboard figures are fetched every two seconds, and a light request
(`/healthz`) every 100 ms: its latency under the same load is the baseline the scans are compared with.
An error is any answer that is not 200 with the expected code. Reported per database: the rate reached,
p50 / p95 / p99 / max latency of the scans, errors, and the baseline's p50 / p99.

    python bench/bench_scans.py [--rate 50] [--seconds 60] [--pg postgresql://postgres@127.0.0.1:5432/test]

Target (issue 7): p99 under 300 ms and no error, on both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app_build import (
    MEETMATCH,
    ORGANISER,
    PASSWORD,
    credentials,
    environment,
    fair_today,
    on_each_database,
    populate,
    served,
)

from badges.models import HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from events.platform.db import open_session
from events.platform.models import EmployerParticipation, Organisation, Role
from events.platform.organisations import create_user
from events.platform.settings import Settings

DOORS = 4
PHONES_PER_DOOR = 4
EMPLOYER_PHONES = 20


async def prepare(settings: Settings) -> tuple[str, list[str], list[str], list[str]]:
    """Programme built and published, a door account per entrance, employer accounts, every badge token."""
    async with open_session(settings) as session:
        event = await fair_today(session)
        doors = []
        for i in range(DOORS):
            user = await create_user(
                session, email=f"door{i}@bench.test", role=Role.DOOR.value, name=f"Ingang {i}", password=PASSWORD
            )
            doors.append(user.email)
        employers = []
        first_employers = (
            select(Organisation.name)
            .join(EmployerParticipation, EmployerParticipation.organisation_id == Organisation.id)
            .order_by(EmployerParticipation.id)
            .limit(EMPLOYER_PHONES)
        )
        for i, name in enumerate(list(await session.scalars(first_employers))):
            user = await create_user(
                session,
                email=f"employer{i}@bench.test",
                role=Role.EMPLOYER.value,
                name=f"Contact {i}",
                password=PASSWORD,
                organisation=name,
            )
            employers.append(user.email)
        people = await holders(session, event, (HolderKind.CANDIDATE,))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        return event.slug, doors, employers, [tokens[h.key][0] for h in people]


async def _client(base: str, email: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    client = httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=200))
    response = await client.post("/api/auth/login", json=credentials(email))
    assert response.status_code == 200, response.text
    return client, {"x-csrftoken": client.cookies["csrftoken"]}


async def load(
    base: str, slug: str, doors: list[str], employers: list[str], tokens: list[str], args: Any
) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    door_clients = [await _client(base, email) for email in doors]
    employer_clients = [await _client(base, email) for email in employers]
    organiser, _ = await _client(base, ORGANISER)
    total = int(args.rate * args.seconds)
    kinds = rng.choice(["first", "repeat", "meeting", "unknown"], size=total, p=[0.6, 0.15, 0.15, 0.1])
    order = list(rng.permutation(len(tokens)))
    used: list[str] = []  # badges whose first check-in has been sent
    answered: list[str] = []  # ... and answered: repeats and table scans pick from these
    latencies: dict[str, list[float]] = {k: [] for k in ("first", "repeat", "meeting", "unknown")}
    errors: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    expected = {
        "first": {"checked_in"},
        "repeat": {"already_checked_in"},
        "meeting": {"meeting_logged"},
        "unknown": {"unknown"},
    }
    pings: list[float] = []
    done = asyncio.Event()

    async def one(kind: str, client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            reply = await client.post("/api/scans", json=body, headers=headers)
        except httpx.HTTPError as exc:
            errors[f"{kind}: {type(exc).__name__}"] += 1
            return
        latencies[kind].append(time.perf_counter() - started)
        if kind == "first":
            answered.append(body["token"])
        code = reply.json().get("code", "") if reply.status_code == 200 else str(reply.status_code)
        codes[code] += 1
        if reply.status_code != 200 or code not in expected[kind]:
            errors[f"{kind}: {code}"] += 1

    async def background() -> None:
        last_figures = 0.0
        while not done.is_set():
            started = time.perf_counter()
            try:
                await organiser.get("/healthz")
                pings.append(time.perf_counter() - started)
                if args.dashboard and started - last_figures > args.dashboard:
                    last_figures = started
                    await organiser.get(f"/events/{slug}/day/figures")
            except httpx.HTTPError:
                errors["baseline"] += 1
            await asyncio.sleep(0.1)

    watcher = asyncio.create_task(background())
    tasks = []
    first_index = 0
    start = time.perf_counter()
    for i, kind in enumerate(kinds):
        moment = start + i / args.rate
        delay = moment - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        nonce = uuid.uuid4().hex
        if kind == "first" and first_index < len(order):
            token = tokens[order[first_index]]
            first_index += 1
            used.append(token)
        elif kind == "repeat" and answered:
            token = answered[int(rng.integers(len(answered)))]
        elif kind == "meeting" and answered:
            # Someone at a table has come in through the door.
            token = answered[int(rng.integers(len(answered)))]
        elif kind == "unknown":
            token = uuid.uuid4().hex[:27]
        else:  # nothing answered yet to repeat, or every badge used: a new badge, or a repeat instead
            kind = "repeat" if answered and first_index >= len(order) else "first"
            if kind == "repeat":
                token = answered[0]
            else:
                token = tokens[order[first_index]]
                first_index += 1
                used.append(token)
        if kind == "meeting":
            client, headers = employer_clients[i % len(employer_clients)]
            body = {
                "token": token,
                "nonce": nonce,
                "kind": "meeting",
                "device": f"employer-{i % len(employer_clients)}",
            }
        else:
            door = i % len(door_clients)
            client, headers = door_clients[door]
            phone = f"door-{door}-{(i // len(door_clients)) % PHONES_PER_DOOR}"
            body = {"token": token, "nonce": nonce, "kind": "checkin", "event": slug, "device": phone}
        tasks.append(asyncio.create_task(one(str(kind), client, headers, body)))
    sent_for = time.perf_counter() - start
    await asyncio.gather(*tasks)
    done.set()
    await watcher
    for client, _ in (*door_clients, *employer_clients):
        await client.aclose()
    await organiser.aclose()
    every = sorted(x for values in latencies.values() for x in values)
    return {
        "requests": total,
        "rate": total / sent_for,
        "p50": statistics.median(every),
        "p95": float(np.percentile(every, 95)),
        "p99": float(np.percentile(every, 99)),
        "max": every[-1],
        "per_kind_p99": {k: float(np.percentile(v, 99)) for k, v in latencies.items() if v},
        "errors": dict(errors),
        "codes": dict(codes),
        "ping_p50": statistics.median(pings),
        "ping_p99": float(np.percentile(pings, 99)),
    }


def run_one(label: str, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    env = environment(settings)
    subprocess.run([MEETMATCH, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
    print(f"{label}: writing the fair, building and publishing its programme...", file=sys.stderr)
    asyncio.run(populate(settings, args.seed))
    slug, doors, employers, tokens = asyncio.run(prepare(settings))
    with served(env) as base:
        print(f"{label}: {args.rate:g} scans/s for {args.seconds:g} s...", file=sys.stderr)
        figures = asyncio.run(load(base, slug, doors, employers, tokens, args))
    return {"label": label, **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dashboard", type=float, default=2.0, help="seconds between dashboard fetches (0: none)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="'' to skip PostgreSQL")
    args = parser.parse_args()
    results = on_each_database(run_one, args)
    print(f"\nscans against a served app: {args.rate:g}/s for {args.seconds:g} s, 3,000 badges, open loop")
    print("latencies in ms; baseline = /healthz every 100 ms under the same load\n")
    print(
        f"{'database':<11} {'scans':>6} {'rate/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'errors':>7} {'base p50':>9} {'base p99':>9} {'p50 ratio':>10}"
    )
    for r in results:
        print(
            f"{r['label']:<11} {r['requests']:>6} {r['rate']:>7.1f} {r['p50'] * 1000:>7.1f} {r['p95'] * 1000:>7.1f} "
            f"{r['p99'] * 1000:>7.1f} {r['max'] * 1000:>7.1f} {sum(r['errors'].values()):>7} "
            f"{r['ping_p50'] * 1000:>9.1f} {r['ping_p99'] * 1000:>9.1f} {r['p50'] / r['ping_p50']:>10.2f}"
        )
    for r in results:
        kinds = ", ".join(f"{k} {v * 1000:.0f}" for k, v in r["per_kind_p99"].items())
        print(f"  {r['label']}: p99 per kind (ms): {kinds}; codes: {r['codes']}; errors: {r['errors'] or 'none'}")
    bad = [r["label"] for r in results if r["p99"] >= 0.3 or r["errors"]]
    print(
        "target (p99 < 300 ms and no error on each database): " + ("met" if not bad else f"NOT met on {', '.join(bad)}")
    )


if __name__ == "__main__":
    main()
