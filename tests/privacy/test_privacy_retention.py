"""Retention with a frozen clock: a day before a person's date nothing happens, a day after exactly the people
whose date has passed are anonymised; the pages say when; the job and the command do it, also twice at once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.jobs import run_jobs
from events.platform.models import Candidate, CandidateParticipation, Event, ParticipationStatus
from events.platform.settings import Settings
from events.privacy.erasure import read_ledger
from events.privacy.models import Erasure
from events.privacy.retention import RetentionReport, add_months, erasure_dates, run_retention
from tests.cli import cli
from tests.conftest import COACH, ORGANISER, login, run
from tests.helpers import organising_id

# Kept until 2021-09-15: an event of 2020-03-15 with 12 months' retention (+ 6 months of follow-up).
LIMIT = dt.date(2021, 9, 15)


async def _people(settings: Settings) -> dict[str, int]:
    """Three people besides the demo: one whose only event is long past, one who came again to a later event
    (kept longer), one who never came to an event (kept 12 months after registering)."""
    async with open_session(settings) as session:
        owner = await organising_id(session)
        old, later = (
            Event(
                slug=slug,
                organisation_id=owner,
                name=name,
                date=date,
                first_round_start=dt.time(10),
                retention_months=months,
            )
            for slug, name, date, months in (
                ("voorjaar-2020", "Voorjaar 2020", dt.date(2020, 3, 15), 12),
                ("winter-2021", "Winter 2021", dt.date(2021, 1, 10), 6),
            )
        )
        session.add_all([old, later])
        registered = dt.datetime(2020, 9, 15, 9, tzinfo=dt.UTC)
        people = {
            name: Candidate(
                first_name=name,
                last_name="Retentie",
                email=f"{name.lower()}@example.org",
                organisation_id=owner,
                created_at=registered,
            )
            for name in ("Once", "Twice", "Never")
        }
        session.add_all(people.values())
        await session.flush()
        for name, events in (("Once", [old]), ("Twice", [old, later])):
            for event in events:
                session.add(
                    CandidateParticipation(
                        event_id=event.id, candidate_id=people[name].id, status=ParticipationStatus.CHECKED_IN
                    )
                )
        await session.commit()
        return {name: c.id for name, c in people.items()}


async def _retain(settings: Settings, today: dt.date, *, dry_run: bool = False) -> RetentionReport:
    engine = create_engine(settings)
    try:
        return await run_retention(session_maker(engine), settings, today, dry_run=dry_run)
    finally:
        await dispose_engine(engine)


async def _erased(settings: Settings) -> set[int]:
    async with open_session(settings) as session:
        return set(await session.scalars(select(Candidate.id).where(Candidate.erased_at.is_not(None))))


@pytest.fixture
def people(demo: DemoResult, database: Settings) -> dict[str, int]:
    """The three people of `_people`, besides the demo."""
    return run(_people(database))


def test_retention_dates_follow_the_last_event_or_the_registration(people: dict[str, int], database: Settings) -> None:
    async def dates() -> dict[int, dt.date]:
        async with open_session(database) as session:
            return await erasure_dates(session, people.values())

    assert run(dates()) == {
        people["Once"]: LIMIT,
        people["Twice"]: dt.date(2022, 1, 10),
        people["Never"]: LIMIT,
    }
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)


def test_retention_a_day_before_does_nothing_and_a_day_after_erases_exactly_the_expired(
    people: dict[str, int], database: Settings
) -> None:
    before = run(_retain(database, LIMIT - dt.timedelta(days=1)))
    assert (before.erased, run(_erased(database))) == ([], set())

    after = run(_retain(database, LIMIT + dt.timedelta(days=1)))

    expired = {people["Once"], people["Never"]}
    assert set(after.erased) == expired
    assert run(_erased(database)) == expired
    assert {e["candidate_id"] for e in read_ledger(database)} == expired
    assert str(after) == "retention: 2 person(s) anonymised on 2021-09-16"
    # The next day finds nothing new; the one who came again goes on their own date.
    assert run(_retain(database, LIMIT + dt.timedelta(days=2))).erased == []
    assert run(_retain(database, dt.date(2022, 1, 10))).erased == [people["Twice"]]


def test_retention_dry_run_counts_and_erases_nothing(people: dict[str, int], database: Settings) -> None:
    report = run(_retain(database, LIMIT, dry_run=True))

    assert (len(report.due), report.erased, run(_erased(database))) == (2, [], set())
    assert str(report) == "retention: 2 person(s) due on 2021-09-15 (dry run: nothing erased)"


async def _two_at_once(settings: Settings, today: dt.date) -> list[RetentionReport]:
    return list(await asyncio.gather(_retain(settings, today), _retain(settings, today)))


def test_retention_from_two_processes_at_once_erases_each_person_once(
    people: dict[str, int], database: Settings
) -> None:
    reports = run(_two_at_once(database, LIMIT))

    erased = [i for r in reports for i in r.erased]
    assert sorted(erased) == sorted([people["Once"], people["Never"]])

    async def ledger() -> list[int]:
        async with open_session(database) as session:
            return sorted(await session.scalars(select(Erasure.candidate_id)))

    assert run(ledger()) == sorted(erased)
    assert sorted(e["candidate_id"] for e in read_ledger(database)) == sorted(erased)


def test_retention_job_runs_with_the_jobs(people: dict[str, int], database: Settings) -> None:
    moment = dt.datetime.combine(LIMIT, dt.time(3), tzinfo=dt.UTC)

    async def jobs() -> list[str]:
        engine = create_engine(database)
        try:
            return await run_jobs(session_maker(engine), database, ("retention",), now=moment)
        finally:
            await dispose_engine(engine)

    assert run(jobs()) == ["retention: 2 person(s) anonymised on 2021-09-15"]
    assert run(_erased(database)) == {people["Once"], people["Never"]}


def test_retention_command_with_today_and_dry_run(settings: Settings) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0
    people = run(_people(settings))

    dry = cli(settings, "retention", "run", "--today", "2021-09-16", "--dry-run")
    done = cli(settings, "retention", "run", "--today", "2021-09-16")
    bad = cli(settings, "retention", "run", "--today", "16-09-2021")

    assert (dry.returncode, dry.stdout) == (0, "retention: 2 person(s) due on 2021-09-16 (dry run: nothing erased)\n")
    assert (done.returncode, done.stdout) == (0, "retention: 2 person(s) anonymised on 2021-09-16\n")
    assert run(_erased(settings)) == {people["Once"], people["Never"]}
    assert bad.returncode == 2
    assert "'16-09-2021' is not a date; write it as YYYY-MM-DD" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_candidate_and_event_pages_say_when_data_is_anonymised(
    client: TestClient[Litestar], demo: DemoResult, people: dict[str, int], database: Settings
) -> None:
    login(client, ORGANISER)

    candidate = client.get(f"/candidates/{people['Twice']}")
    event = client.get("/events/voorjaar-2020")

    assert "Persoonsgegevens worden geanonimiseerd op maandag 10 januari 2022." in candidate.text
    assert "Persoonsgegevens worden geanonimiseerd op woensdag 15 september 2021." in event.text
    login(client, COACH)
    assert "geanonimiseerd" in client.get(f"/events/{demo.event_id}").text
