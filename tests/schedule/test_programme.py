"""The programme in the database: the demo's published version, building, locks, export and check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import Event, Role
from events.platform.settings import Settings
from schedule import services
from schedule.adapter import solver_meetings
from schedule.instance import problem_from_json
from schedule.models import Meeting
from schedule.solver.quality import quality
from schedule.solver.rules import check
from schedule.solver.types import Solution
from tests.cli import cli
from tests.conftest import run


async def _published(settings: Settings) -> tuple[dict[str, object], Solution, dict[str, object], int]:
    async with open_session(settings) as session:
        event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))
        assert event is not None
        version = await services.latest(session, event, published=True)
        assert version is not None
        return version.instance, Solution(solver_meetings(version.meetings)), version.stats, version.number


def test_demo_ends_with_a_published_programme_that_passes_check(demo: DemoResult, database: Settings) -> None:
    instance, solution, stats, number = run(_published(database))

    problem = problem_from_json(instance)
    figures = quality(problem, solution)
    assert number == 1
    assert check(problem, solution) == []
    assert len(solution.meetings) >= 100
    assert (figures.fairness, figures.weight) == (stats["fairness"], stats["weight"])
    assert (figures.fairness_bound, figures.weight_bound) == (stats["fairness_bound"], stats["weight_bound"])


def test_build_keeps_locked_meetings_of_the_previous_version(demo: DemoResult, database: Settings) -> None:
    async def lock_one_and_rebuild() -> tuple[tuple[int, int, int, int], list[tuple[int, int, int, int]]]:
        async with open_session(database) as session:
            event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))
            assert event is not None
            first = await services.latest(session, event)
            assert first is not None
            chosen = first.meetings[len(first.meetings) // 2]
            await session.execute(update(Meeting).where(Meeting.id == chosen.id).values(locked=True))
            await session.commit()
            key = (chosen.round, chosen.table, chosen.employer_participation_id, chosen.candidate_participation_id)
            user = await services_user(session)
            second = await services.build_version(session, user, event, seed=7)
            await session.commit()
            rows = (
                await session.scalars(select(Meeting).where(Meeting.version_id == second.id, Meeting.locked.is_(True)))
            ).all()
            return key, [(m.round, m.table, m.employer_participation_id, m.candidate_participation_id) for m in rows]

    key, locked = run(lock_one_and_rebuild())

    assert locked == [key]


async def services_user(session: object) -> CurrentUser:
    from events.platform.services import system_user

    return await system_user(session)  # type: ignore[arg-type]


def test_build_is_for_organisers_only(demo: DemoResult, database: Settings) -> None:
    coach = CurrentUser(
        id=2, email="c@example.org", name="c", role=Role.COACH, organisation_id=None, event_id=None, locale="nl"
    )

    async def attempt() -> None:
        async with open_session(database) as session:
            event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))
            assert event is not None
            await services.build_version(session, coach, event)

    with pytest.raises(NotFoundError):
        run(attempt())


def test_cli_build_publish_export_and_check_agree(demo: DemoResult, database: Settings, tmp_path: Path) -> None:
    built = cli(database, "schedule", "build", "samen-werkt", "--publish")
    exported = cli(database, "schedule", "export", "samen-werkt", "-o", str(tmp_path / "out"))
    checked = cli(
        database,
        "schedule",
        "check",
        str(tmp_path / "out/instance.json"),
        str(tmp_path / "out/solution.json"),
        "--json",
    )
    _, _, stats, number = run(_published(database))

    figures = json.loads(checked.stdout)
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip().splitlines()[-1].startswith("version 2 (published): ")
    assert exported.returncode == 0, exported.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert number == 2
    assert figures["violations"] == []
    quality_figures = figures["quality"]
    assert (quality_figures["fairness"], quality_figures["weight"]) == (stats["fairness"], stats["weight"])
    assert (quality_figures["fairness_bound"], quality_figures["weight_bound"]) == (
        stats["fairness_bound"],
        stats["weight_bound"],
    )


def test_cli_export_without_published_programme_is_a_clear_error(database: Settings, tmp_path: Path) -> None:
    from tests.cli import cli as run_cli

    run_cli(database, "db", "upgrade")
    result = run_cli(database, "schedule", "export", "nowhere", "-o", str(tmp_path / "x"))

    assert result.returncode == 2
    assert result.stderr.strip() == "error: event 'nowhere': not found"
    assert not (tmp_path / "x").exists()
