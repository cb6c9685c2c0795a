"""Several app processes on one database and one Redis: nothing that one process needs lives only in another's
memory. Two `meetmatch serve` processes: a login on one is valid on the other, and a scan answered by one
updates the dashboard stream served by the other."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from events.demo.seed import DEMO_PASSWORD, build_demo_in
from events.platform.db import open_session
from events.platform.migrate import upgrade
from events.platform.settings import Settings
from tests.badges.day.test_day import _watch_a_scan
from tests.conftest import DOOR, ORGANISER, require, run, served_code
from tests.helpers import first_badge_token
from tests.platform.test_redis_sessions import redis_is_up
from tests.served import MEETMATCH, clean_env, served_app


@contextmanager
def served(settings: Settings, workdir: Path, log: Path | None = None) -> Iterator[str]:
    """`meetmatch serve` on ``settings`` in a process of its own (its output to ``log`` when given), with Redis."""
    # One Redis database per pass: the SQLite and PostgreSQL passes of .ci/run run side by side.
    redis = f"redis://127.0.0.1:6379/{15 if settings.is_sqlite else 14}"
    with served_app(settings, workdir, log, MEETMATCH_REDIS_URL=redis) as (base, _):
        yield base


async def _migrated_demo(settings: Settings) -> None:
    """The database as `meetmatch db upgrade` and `meetmatch demo` leave it (serve checks the schema's revision)."""
    await upgrade(settings)
    async with open_session(settings) as session:
        await build_demo_in(session, history=False)
        await session.commit()


@pytest.mark.slow
def test_two_app_processes_share_logins_and_live_updates(settings: Settings, tmp_path: Path) -> None:
    require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    database = settings
    run(_migrated_demo(database))
    token = run(first_badge_token(database))
    with served(database, tmp_path) as first, served(database, tmp_path) as second:
        with httpx.Client(base_url=first, timeout=10) as on_first:
            assert on_first.post(
                "/api/auth/login", json={"email": ORGANISER, "password": DEMO_PASSWORD, "code": served_code(ORGANISER)}
            ).is_success
            cookies = dict(on_first.cookies)
        with httpx.Client(base_url=second, timeout=10, cookies=cookies) as organiser_on_second:
            me = organiser_on_second.get("/api/auth/me")
            assert (me.status_code, me.json()["email"]) == (200, ORGANISER)
            with httpx.Client(base_url=first, timeout=10) as door_on_first:
                door_on_first.post("/api/auth/login", json={"email": DOOR, "password": DEMO_PASSWORD})
                # The dashboard is read from the second process while the first answers the scan.
                _watch_a_scan(organiser_on_second, door_on_first, token)


def test_several_workers_need_postgresql_and_redis(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    sqlite = subprocess.run(
        [MEETMATCH, "serve", "--workers", "2"], env=env, capture_output=True, text=True, check=False
    )
    env["MEETMATCH_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/test"
    no_redis = subprocess.run(
        [MEETMATCH, "serve", "--workers", "2"], env=env, capture_output=True, text=True, check=False
    )

    assert (sqlite.returncode, sqlite.stderr.splitlines()[-1]) == (
        2,
        "error: --workers: several processes need PostgreSQL (MEETMATCH_DATABASE_URL); SQLite serves one",
    )
    assert no_redis.returncode == 2
    assert "MEETMATCH_REDIS_URL" in no_redis.stderr
    assert "Traceback" not in sqlite.stderr + no_redis.stderr
