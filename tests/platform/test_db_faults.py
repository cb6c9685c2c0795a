"""The database goes away under load: PostgreSQL connections killed while scans pour in, then the database
refusing every connection for two seconds. Every answer is 200 or a clean 503 (never a 500), the app is back
within seconds, and no scan is lost or counted twice: the scanner sends a scan again after a 503 with the
same nonce, as its offline queue does.

The app runs as `meetmatch serve` on a PostgreSQL role and database of its own, so that its connections (and
only its own: the PostgreSQL pass of .ci/run uses the same server meanwhile) can be ended and refused. It runs once,
in the SQLite pass (marked single_database), against the local PostgreSQL."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from badges.models import CheckIn, HolderKind, Scan, TokenPurpose
from badges.people import holders, live_tokens
from events.demo.seed import DEMO_PASSWORD, DEMO_SLUG, build_demo_in
from events.platform.db import dispose_engine, open_session
from events.platform.migrate import upgrade
from events.platform.models import User
from events.platform.services import find_event
from events.platform.settings import Settings, normalise_database_url
from tests.conftest import DOOR, ORGANISER, TEST_KEY, require, run, served_code
from tests.platform.test_processes import served
from tests.platform.test_redis_sessions import redis_is_up
from tests.waiting import wait_until

pytestmark = pytest.mark.single_database

PG_URL = normalise_database_url(
    os.environ.get("MEETMATCH_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
)
SCANNERS = 6


async def _admin(*statements: str, **params: Any) -> None:
    """Statements as the server's administrator (the test's own role and schema names only)."""
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement), params)
    finally:
        await dispose_engine(engine)


def _pg_is_up() -> bool:
    try:
        run(_admin("SELECT 1"))
    except OSError:
        return False
    return True


@pytest.fixture
def app_role(tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    """A PostgreSQL role owning a database of its own with the migrated demo: the settings the app runs with,
    and the role. A database of its own: the PostgreSQL pass, running meanwhile, erases people and checks
    that VACUUM removed them, which a transaction open in the same database could delay."""
    require(_pg_is_up(), "PostgreSQL is not running on 127.0.0.1:5432")
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    role = f"mm_fault_{uuid.uuid4().hex[:10]}"
    run(_admin(f'CREATE ROLE "{role}" LOGIN', f'CREATE DATABASE "{role}" OWNER "{role}"'))
    url = make_url(PG_URL).set(username=role, database=role).render_as_string(hide_password=False)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings = Settings(data_dir=data_dir, database_url=url, secret_key=TEST_KEY)
    try:
        run(upgrade(settings))
        run(_demo(settings))
        yield settings, role
    finally:
        run(_end_connections(role))
        run(_admin(f'DROP DATABASE IF EXISTS "{role}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{role}"'))


async def _demo(settings: Settings) -> None:
    async with open_session(settings) as session:
        await build_demo_in(session, history=False)
        await session.commit()


async def _end_connections(role: str) -> None:
    await _admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role", role=role)


async def _badges(settings: Settings) -> list[str]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event, (HolderKind.CANDIDATE,))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        return [tokens[person.key][0] for person in people]


async def _stored(settings: Settings) -> tuple[set[str], int, int]:
    async with open_session(settings) as session:
        door = await session.scalar(select(User.id).where(User.email == DOOR))
        nonces = set(await session.scalars(select(Scan.nonce).where(Scan.user_id == door)))
        scans = int(await session.scalar(select(func.count()).select_from(Scan).where(Scan.user_id == door)) or 0)
        checked_in = int(await session.scalar(select(func.count()).select_from(CheckIn)) or 0)
        return nonces, scans, checked_in


class Load:
    """Scanners that scan without pause until stopped; a 503 sends the same scan (same nonce) again."""

    def __init__(self, base: str, badges: list[str]) -> None:
        self.base = base
        self.badges = badges
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.sent: set[str] = set()
        self.answered: dict[str, tuple[str, str]] = {}  # nonce -> (badge, answer code)
        self.failures: list[str] = []
        self.unavailable_during_outage = 0

    def answers_again(self, seconds: float = 10) -> None:
        """Wait until each scanner could have had an answer since now (the load goes on)."""
        with self.lock:
            before = len(self.answered)
        wait_until(lambda: len(self.answered) >= before + SCANNERS, seconds)

    def scanner(self, number: int) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as client:
            assert client.post("/api/auth/login", json={"email": DOOR, "password": DEMO_PASSWORD}).status_code == 200
            headers = {"x-csrftoken": client.cookies["csrftoken"]}
            turn = number
            while not self.stop.is_set():
                badge = self.badges[turn % len(self.badges)]
                turn += SCANNERS
                self._scan_until_answered(client, headers, badge, f"f-{number}-{turn}")

    def _scan_until_answered(self, client: httpx.Client, headers: dict[str, str], badge: str, nonce: str) -> None:
        body = {"token": badge, "nonce": nonce, "kind": "checkin", "device": nonce.rsplit("-", 1)[0]}
        with self.lock:
            self.sent.add(nonce)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = client.post("/api/scans", json=body, headers=headers)
            except httpx.HTTPError as exc:
                with self.lock:
                    self.failures.append(f"{nonce}: {type(exc).__name__}")
                return
            with self.lock:
                self.statuses[response.status_code] += 1
            if response.status_code == 200:
                with self.lock:
                    self.answered[nonce] = (badge, response.json()["code"])
                return
            if response.status_code != 503 or "retry-after" not in response.headers:
                with self.lock:
                    self.failures.append(f"{nonce}: {response.status_code} {response.text[:200]}")
                return
            time.sleep(0.2)  # a scanner's pace between tries of a refused scan: part of the load, not a wait
        with self.lock:
            self.failures.append(f"{nonce}: no answer within 30 s")


@pytest.mark.slow
def test_killed_and_refused_connections_give_503_and_no_scan_is_lost(
    app_role: tuple[Settings, str], tmp_path: Path
) -> None:
    settings, role = app_role
    badges = run(_badges(settings))
    log = tmp_path / "serve.log"
    with served(settings, tmp_path, log) as base, httpx.Client(base_url=base, timeout=10) as organiser:
        login = {"email": ORGANISER, "password": DEMO_PASSWORD, "code": served_code(ORGANISER)}
        assert organiser.post("/api/auth/login", json=login).status_code == 200
        load = Load(base, badges)
        scanners = [threading.Thread(target=load.scanner, args=(n,), daemon=True) for n in range(SCANNERS)]
        for scanner in scanners:
            scanner.start()

        # Connections killed under load, three times, each time once the scanners have had answers again.
        for _ in range(3):
            load.answers_again()
            run(_end_connections(role))

        # Then the database refuses every connection of the app for two seconds (a restart, a failover).
        run(_admin(f'ALTER ROLE "{role}" CONNECTION LIMIT 0'))
        run(_end_connections(role))
        wait_until(lambda: organiser.get("/healthz").status_code == 503, 5)
        during = [organiser.get(path) for path in ("/healthz", f"/events/{DEMO_SLUG}", f"/api/events/{DEMO_SLUG}")]
        time.sleep(1.7)  # the outage lasts two seconds: its length is the scenario, not a wait for something
        run(_admin(f'ALTER ROLE "{role}" CONNECTION LIMIT -1'))
        restored = time.monotonic()
        assert wait_until(lambda: organiser.get("/healthz").status_code == 200, 5), "the app did not recover within 5 s"
        recovered_after = time.monotonic() - restored

        load.answers_again()
        load.stop.set()
        for scanner in scanners:
            scanner.join(timeout=60)
        after = organiser.get(f"/api/events/{DEMO_SLUG}")

    # While the database refused: a clean 503 with Retry-After for the health check, a page and the API.
    assert [r.status_code for r in during] == [503, 503, 503]
    assert all(r.headers.get("retry-after") == "2" for r in during)
    assert "even niet bereikbaar" in during[1].text
    assert during[2].json()["code"] == "unavailable"
    assert recovered_after < 5
    assert after.status_code == 200

    # Under load: 200s and 503s only, some of each; every scan answered in the end, stored once.
    assert load.failures == []
    assert set(load.statuses) == {200, 503}, load.statuses
    assert load.sent == set(load.answered)
    nonces, scans, checked_in = run(_stored(settings))
    assert nonces == load.sent
    assert scans == len(load.sent)
    scanned_badges = {badge for badge, _ in load.answered.values()}
    first_answers = Counter(badge for badge, code in load.answered.values() if code == "checked_in")
    assert checked_in == len(scanned_badges)
    assert set(first_answers.values()) == {1}
    assert set(first_answers) == scanned_badges

    served_log = log.read_text()
    assert "Traceback" not in served_log
    assert "unhandled error" not in served_log
    assert " 500 " not in served_log
