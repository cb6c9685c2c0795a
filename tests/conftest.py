"""Shared fixtures: a database per test (SQLite file, or a PostgreSQL schema), the demo, the app, a client.

``MEETMATCH_TEST_DATABASE_URL`` selects PostgreSQL; ``MEETMATCH_FORBID_SKIPS=1`` (set by .ci/run) turns
every skip for a missing service into a failure.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import create_async_engine

import events.demo.seed
from events.app import create_app, register_personal_data
from events.demo.seed import DEMO_PASSWORD, DemoResult, build_demo_in
from events.platform import dates, twofactor
from events.platform.db import create_engine, dispose_engine, import_models, open_session
from events.platform.models import CandidateCoach, User
from events.platform.settings import Settings, normalise_database_url
from tests.kinds import mark_kinds
from tests.mailserver import mail_server  # noqa: F401 - a fixture for every test module

# The demo accounts' shared password hash, made cheap for the in-process tests: argon2 reads its cost from the
# hash itself, so each login here verifies in well under a millisecond instead of the production cost's
# tens of milliseconds (the suite logs in thousands of times). The algorithm, the code paths and the served
# app of the browser tests (which runs the real `meetmatch serve --demo`) are unchanged;
# tests/accounts/test_auth.py checks the production parameters of new hashes.
_CHEAP_DEMO_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(DEMO_PASSWORD)
events.demo.seed._demo_password_hash = lambda: _CHEAP_DEMO_HASH
# As the app and the command line do: tests that call the export, the erasure or retention directly reach every
# slice's part of a person's data.
register_personal_data()

T = TypeVar("T")

PG_URL = os.environ.get("MEETMATCH_TEST_DATABASE_URL") or None
FORBID_SKIPS = os.environ.get("MEETMATCH_FORBID_SKIPS") == "1"
ARTIFACTS = Path(__file__).parent / "artifacts"
TEST_KEY = "test-secret-key-" + "x" * 40


def require(condition: bool, reason: str) -> None:
    """Skip with a printed reason on a bare machine; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if FORBID_SKIPS:
        pytest.fail(f"required for CI: {reason}")
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> str:
    return f"meetmatch test database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (a file per test)'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test's kind (unit, database, process, browser) as a marker: see tests/kinds.py."""
    mark_kinds(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The modules and what they made at import (a few hundred thousand objects) set aside from the garbage
    collector, and its young generations collected less often: each test builds an app of its own, and the
    collector's passes over the whole heap took about a quarter of the time of four files measured."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if FORBID_SKIPS and skipped:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"FAILED: {skipped} test(s) skipped, and MEETMATCH_FORBID_SKIPS=1 forbids skips")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def _create_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await dispose_engine(engine)


async def _drop_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await dispose_engine(engine)


def make_settings(tmp_path: Path, **changes: Any) -> Iterator[Settings]:
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    if PG_URL:
        url = normalise_database_url(PG_URL)
        schema = f"t_{uuid.uuid4().hex[:16]}"
        run(_create_schema(url, schema))
        try:
            yield Settings(data_dir=data_dir, database_url=url, secret_key=TEST_KEY, database_schema=schema, **changes)
        finally:
            run(_drop_schema(url, schema))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite'}"
        yield Settings(data_dir=data_dir, database_url=url, secret_key=TEST_KEY, **changes)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a database of this test's own: empty, or with the tables in place when the test asks for
    `database` (on PostgreSQL the process's own schema with every row deleted: making and dropping the tables
    for each test took about a second, the deletes a tenth of that)."""
    if PG_URL and "database" in request.fixturenames:
        yield _emptied_shared_schema(tmp_path / "data")
    else:
        yield from make_settings(tmp_path)


async def create_tables(settings: Settings) -> None:
    metadata = import_models()
    engine = create_engine(settings)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await dispose_engine(engine)


# PostgreSQL: one schema per test process whose tables are made once; SQLite: a file with the tables, made
# once per process and copied for each test (before anything has opened the test's database).
_SHARED: dict[str, Any] = {}


def _emptied_shared_schema(data_dir: Path) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    if "schema" not in _SHARED:
        made = make_settings(Path(tempfile.mkdtemp(prefix="meetmatch-shared-")))
        shared = next(made)
        _TEMPLATE_CLEANUPS.append(made)
        run(create_tables(shared))
        _SHARED["schema"] = shared.database_schema
    settings = Settings(
        data_dir=data_dir,
        database_url=normalise_database_url(PG_URL or ""),
        secret_key=TEST_KEY,
        database_schema=_SHARED["schema"],
    )
    run(_delete_every_row(settings))
    return settings


async def _delete_every_row(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            # A connection left over by the previous test would hold its locks: fail loudly, do not hang.
            await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            for table in reversed(import_models().sorted_tables):
                await conn.execute(text(f'DELETE FROM "{table.name}"'))  # noqa: S608 - our own table names
            sequences = await conn.scalars(
                text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
            )
            for sequence in sequences.all():
                await conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    finally:
        await dispose_engine(engine)


def _is_shared(settings: Settings) -> bool:
    return settings.database_schema is not None and settings.database_schema == _SHARED.get("schema")


def _sqlite_tables(target: Path) -> None:
    if "sqlite" not in _SHARED:
        folder = Path(tempfile.mkdtemp(prefix="meetmatch-tables-"))
        template = Settings(
            data_dir=folder, database_url=f"sqlite+aiosqlite:///{folder / 'tables.sqlite'}", secret_key=TEST_KEY
        )
        run(create_tables(template))
        _SHARED["sqlite"] = folder / "tables.sqlite"
    shutil.copyfile(_SHARED["sqlite"], target)


@pytest.fixture
def database(settings: Settings) -> Settings:
    """The schema created from the models (the migration test proves alembic gives the same)."""
    if settings.is_sqlite and not _sqlite_path(settings).exists():
        _sqlite_tables(_sqlite_path(settings))
    elif not _is_shared(settings):
        run(create_tables(settings))
    return settings


async def _demo(settings: Settings, *, history: bool) -> DemoResult:
    async with open_session(settings) as session:
        result = await build_demo_in(session, history=history)
        await session.commit()
        return result


# The demo is built once per test process and day and copied into each test's database (the build takes a
# second or more; a copy, a fraction of that): on SQLite with the online backup API, on PostgreSQL by copying
# the template schema's rows table by table.
_DEMO_TEMPLATES: dict[tuple[bool, str], tuple[Settings, DemoResult]] = {}
_TEMPLATE_CLEANUPS: list[Iterator[Settings]] = []


async def sqlite_checkpoint(settings: Settings) -> None:
    """Move SQLite's write-ahead log into the database file (and empty the log)."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        await dispose_engine(engine)


async def _template_demo(settings: Settings, *, history: bool) -> DemoResult:
    await create_tables(settings)
    result = await _demo(settings, history=history)
    if settings.is_sqlite:
        await sqlite_checkpoint(settings)
    return result


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


async def _copy_schema(template: Settings, target: Settings) -> None:
    """Every row of the template schema into the target one (both made from the same models), then the id
    sequences moved past the copied ids."""
    engine = create_engine(target)
    try:
        async with engine.begin() as conn:
            for table in import_models().sorted_tables:
                # Names from our own metadata and the test's own schema name: nothing from outside.
                source = f'"{template.database_schema}"."{table.name}"'
                await conn.execute(text(f'INSERT INTO "{table.name}" SELECT * FROM {source}'))  # noqa: S608
                if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False:
                    sequence = f"pg_get_serial_sequence('\"{table.name}\"', 'id')"
                    moved = f'SELECT setval({sequence}, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table.name}"'  # noqa: S608
                    await conn.execute(text(moved))
    finally:
        await dispose_engine(engine)


def _drop_templates() -> None:
    for cleanup in _TEMPLATE_CLEANUPS:
        cleanup.close()


atexit.register(_drop_templates)


def demo_in(settings: Settings, *, history: bool) -> DemoResult:
    """The demo in this test's database, copied from this process's first build of it."""
    if settings.secret_key != TEST_KEY:
        return run(_demo(settings, history=history))
    # The demo's upcoming event is dated on the day it is built (Amsterdam's date).
    key = (history, dates.today().isoformat())
    if key not in _DEMO_TEMPLATES:
        made = make_settings(Path(tempfile.mkdtemp(prefix="meetmatch-demo-")))
        template = next(made)
        _TEMPLATE_CLEANUPS.append(made)
        _DEMO_TEMPLATES[key] = (template, run(_template_demo(template, history=history)))
    template, result = _DEMO_TEMPLATES[key]
    if settings.is_sqlite:
        # SQLite's online backup, not a file copy: the app under test may hold the database open already.
        with (
            sqlite3.connect(_sqlite_path(template)) as source,
            sqlite3.connect(_sqlite_path(settings), timeout=10) as to,
        ):
            source.backup(to)
    else:
        run(_copy_schema(template, settings))
    return result


@pytest.fixture
def demo(database: Settings) -> DemoResult:
    """The demo event "Samen Werkt!" with its accounts (without the spring edition: see `demo_history`)."""
    return demo_in(database, history=False)


@pytest.fixture
def demo_history(database: Settings) -> DemoResult:
    """The demo with the spring edition held three months ago: its talks, outcomes and programme."""
    return demo_in(database, history=True)


@pytest.fixture
def organiser(client: TestClient[Litestar], demo: DemoResult) -> TestClient[Litestar]:
    """The test's client, logged in (through the API) as the demo's organiser."""
    login(client, ORGANISER)
    return client


async def _first_id(settings: Settings, query: Select[Any]) -> int:
    async with open_session(settings) as session:
        found = await session.scalar(query)
        assert found is not None
        return int(found)


def first_id(settings: Settings, query: Select[Any]) -> int:
    """The first value (an id) that ``query`` finds in the test's database, which must find one."""
    return run(_first_id(settings, query))


@pytest.fixture
def coach_candidate(demo: DemoResult, database: Settings) -> int:
    """The id of the demo coach's (``COACH``) first candidate."""
    return first_id(
        database,
        select(CandidateCoach.candidate_id)
        .join(User, User.id == CandidateCoach.coach_id)
        .where(User.email == COACH)
        .order_by(CandidateCoach.candidate_id),
    )


@pytest.fixture
def app(database: Settings) -> Litestar:
    return create_app(database)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


class _MovingClock:
    """The two-factor clock of the in-process app: real time, moved a step on before each code is made (a code
    is accepted once, and the tests log the same people in many times a minute)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


TWO_FACTOR_CLOCK = _MovingClock()
twofactor.clock = TWO_FACTOR_CLOCK


def two_factor_code(email: str) -> str:
    """A fresh code of the demo's key for ``email`` (tests enrol their own accounts with it too)."""
    TWO_FACTOR_CLOCK.offset += twofactor.STEP_SECONDS
    return twofactor.code_at(twofactor.demo_secret(email), twofactor.current_step())


def credentials(email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """The API login's body for an in-process app, with a fresh code."""
    return {"email": email, "password": password, "code": two_factor_code(email)}


def served_code(email: str) -> str:
    """A code of the demo's key for ``email`` by the real clock: for an app served in another process."""
    return twofactor.code_at(twofactor.demo_secret(email), int(time.time() // twofactor.STEP_SECONDS))


def login(client: TestClient[Litestar], email: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
    """Log in through the JSON API, replacing any earlier session in the client's cookie jar (with a code for
    an account with two-factor login; one without ignores it)."""
    client.cookies.clear()
    response = client.post(
        "/api/auth/login", json={"email": email, "password": password, "code": two_factor_code(email)}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def form_login(client: TestClient[Litestar], email: str, password: str = DEMO_PASSWORD, next_path: str = "") -> Any:
    """Log in through the pages, as a browser does: the login form, then the code (when asked); the last
    response (not followed)."""
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "next": next_path, "_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    if response.headers.get("location") == "/login/code":
        response = client.post(
            "/login/code",
            data={"code": two_factor_code(email), "_csrf_token": client.cookies.get("csrftoken")},
            follow_redirects=False,
        )
    return response


def csrf_headers(client: TestClient[Litestar]) -> dict[str, str]:
    token = client.cookies.get("csrftoken")
    return {"x-csrftoken": token} if token else {}


ORGANISER = "organisator@demo.meetmatch.nl"
COACH = "coach@demo.meetmatch.nl"
OTHER_COACH = "consulent@demo.meetmatch.nl"
EMPLOYER = "groen@demo.meetmatch.nl"
DOOR = "ingang@demo.meetmatch.nl"
