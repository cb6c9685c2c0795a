"""Building and publishing an event's programme. The solver runs off the event loop; every schedule is
checked against the same rules as the solver before it is stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import anyio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.auth import CurrentUser
from events.errors import DomainError, NotFoundError
from events.models import Event, EventStatus, Role
from events.services import audit
from schedule import adapter
from schedule.instance import problem_from_json, problem_to_json, solution_to_json
from schedule.models import Meeting, ScheduleVersion, VersionStatus
from schedule.solver.types import Problem, Solution

Progress = Callable[[str, float], None]


def _organiser(user: CurrentUser) -> None:
    if user.role is not Role.ORGANISER:
        raise NotFoundError("programme")


async def versions(session: AsyncSession, event: Event) -> list[ScheduleVersion]:
    rows = await session.scalars(
        select(ScheduleVersion).where(ScheduleVersion.event_id == event.id).order_by(ScheduleVersion.number.desc())
    )
    return list(rows.all())


async def latest(session: AsyncSession, event: Event, *, published: bool = False) -> ScheduleVersion | None:
    """The newest version (the newest published one with ``published``), with its meetings."""
    query = select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
    if published:
        query = query.where(ScheduleVersion.status == VersionStatus.PUBLISHED)
    found: ScheduleVersion | None = await session.scalar(
        query.options(selectinload(ScheduleVersion.meetings)).order_by(ScheduleVersion.number.desc()).limit(1)
    )
    return found


def _solve(problem: Problem, seed: int, progress: Progress | None) -> Solution:
    # Imported here: the solver pulls in numpy and scipy, which only building needs.
    from schedule.solver.rules import check
    from schedule.solver.solve import solve

    solution = solve(problem, seed=seed, progress=progress)
    problems = check(problem, solution)
    if problems:  # pragma: no cover - the solver's own tests forbid this; never store a broken programme
        raise DomainError("invalid_schedule", f"the scheduler broke a rule: {problems[0].message}", None)
    return solution


async def build_version(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> ScheduleVersion:
    """A new draft version from the event's people, availability and wishes; locked meetings of the newest
    version are kept."""
    _organiser(user)
    previous = await latest(session, event)
    locked = [m for m in previous.meetings if m.locked] if previous else []
    problem = await adapter.load_problem(session, event, locked)
    if not problem.candidates or not problem.employers:
        raise DomainError("nothing_to_plan", "the event needs employers and candidates before it can be planned", None)
    solution = await anyio.to_thread.run_sync(_solve, problem, seed, progress)
    number = (
        int(
            await session.scalar(select(func.max(ScheduleVersion.number)).where(ScheduleVersion.event_id == event.id))
            or 0
        )
        + 1
    )
    document = solution_to_json(solution)
    version = ScheduleVersion(
        event_id=event.id,
        number=number,
        seed=seed,
        instance=problem_to_json(problem),
        stats=document.get("stats", {}),
        created_by_id=user.id or None,
    )
    session.add(version)
    await session.flush()
    lock_keys = {(lk.candidate, lk.employer, lk.round) for lk in problem.locked}
    for row in adapter.meeting_rows(solution.meetings, lock_keys):
        row.version_id = version.id
        session.add(row)
    await session.flush()
    await audit(
        session,
        user,
        "build",
        "schedule_version",
        version.id,
        detail={"number": number, "meetings": len(solution.meetings)},
    )
    return version


async def count_meetings(session: AsyncSession, version: ScheduleVersion) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Meeting).where(Meeting.version_id == version.id)) or 0
    )


async def publish(session: AsyncSession, user: CurrentUser, event: Event, number: int | None = None) -> ScheduleVersion:
    """Freeze a version (the newest when no number is given); attendees see the newest published one."""
    _organiser(user)
    query = select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
    query = query.where(ScheduleVersion.number == number) if number else query.order_by(ScheduleVersion.number.desc())
    version: ScheduleVersion | None = await session.scalar(query.limit(1))
    if version is None:
        raise NotFoundError("schedule version")
    version.status = VersionStatus.PUBLISHED
    version.published_at = dt.datetime.now(dt.UTC)
    if event.status is EventStatus.DRAFT:
        event.status = EventStatus.PUBLISHED
    await session.flush()
    await audit(session, user, "publish", "schedule_version", version.id, detail={"number": version.number})
    return version


async def export_published(session: AsyncSession, event: Event) -> tuple[dict[str, Any], dict[str, Any]]:
    """The instance the newest published version was solved for (history and locks included) and its solution."""
    version = await latest(session, event, published=True)
    if version is None:
        raise NotFoundError(f"a published programme of {event.slug}")
    problem = problem_from_json(version.instance)
    solution = Solution(adapter.solver_meetings(version.meetings), None)
    document = solution_to_json(solution)
    document["stats"] = version.stats
    return problem_to_json(problem), document


__all__ = ["Meeting", "build_version", "export_published", "latest", "publish", "versions"]
