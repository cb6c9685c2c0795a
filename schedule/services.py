"""Building and publishing an event's schedule. The solver runs off the event loop; every schedule is
checked against the same rules as the solver before it is stored."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only, selectinload

from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, EventStatus, Role
from events.platform.services import audit
from schedule import adapter
from schedule.diff import Diff, diff
from schedule.instance import problem_from_json, problem_to_json, quality_to_json, solution_to_json
from schedule.models import Meeting, ScheduleVersion, VersionStatus
from schedule.solver.types import Meeting as SolverMeeting
from schedule.solver.types import Problem, Solution
from schedule.versions import load_names

Progress = Callable[[str, float], None]


def _organiser(user: CurrentUser) -> None:
    if user.role is not Role.ORGANISER:
        raise NotFoundError("programme")


def refuse_plenary(event: Event) -> None:
    """A plenary gathering has no rounds, so the scheduler has nothing to do there: a build or publish is
    refused with a message that says so (409), never attempted."""
    if event.plenary:
        raise ConflictError(
            "plenary_event",
            _t(
                "%(name)s is a plenary gathering: it has no rounds, so there is no programme of talks to build.",
                name=event.name,
            ),
        )


# A version's columns without its instance and figures (a large fair's instance is megabytes of JSON).
_HEADER = load_only(
    ScheduleVersion.id,
    ScheduleVersion.event_id,
    ScheduleVersion.number,
    ScheduleVersion.status,
    ScheduleVersion.seed,
    ScheduleVersion.based_on,
    ScheduleVersion.created_at,
    ScheduleVersion.published_at,
)


async def versions(session: AsyncSession, event: Event) -> list[ScheduleVersion]:
    """Every version of the event, newest first, without their instances."""
    rows = await session.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id)
        .options(_HEADER)
        .order_by(ScheduleVersion.number.desc())
    )
    return list(rows.all())


async def latest(session: AsyncSession, event: Event, *, published: bool = False) -> ScheduleVersion | None:
    """The newest version (with ``published``: the most recently published one), with its meetings."""
    query = select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
    if published:
        query = query.where(ScheduleVersion.status == VersionStatus.PUBLISHED).order_by(
            ScheduleVersion.published_at.desc()
        )
    found: ScheduleVersion | None = await session.scalar(
        query.options(selectinload(ScheduleVersion.meetings)).order_by(ScheduleVersion.number.desc()).limit(1)
    )
    return found


@dataclass(frozen=True, slots=True)
class Built:
    problem: Problem
    solution: Solution
    quality: dict[str, Any]
    dropped_locks: int
    seconds: dict[str, float]
    instance: dict[str, Any]
    stats: dict[str, Any]


def _build(data: adapter.EventData, seed: int, progress: Progress | None) -> Built:
    """Worker-thread part of a build: instance, solve, check, quality figures."""
    # Imported here: the solver pulls in numpy and scipy, which only building needs.
    from schedule.solver.bound import Bound
    from schedule.solver.quality import quality
    from schedule.solver.rules import check
    from schedule.solver.solve import solve

    report = progress or (lambda _stage, _fraction: None)
    report("instance", 0.05)
    clock = time.perf_counter()
    problem, dropped = adapter.assemble(data)
    seconds = {"instance": time.perf_counter() - clock}
    clock = time.perf_counter()

    def solving(stage: str, fraction: float) -> None:
        report(stage, 0.1 + 0.75 * max(0.0, min(1.0, fraction)))

    solution = solve(problem, seed=seed, progress=solving)
    seconds["solve"] = time.perf_counter() - clock
    report("checking", 0.87)
    clock = time.perf_counter()
    problems = check(problem, solution)
    if problems:  # pragma: no cover - the solver's own tests forbid this; never store a broken schedule
        raise DomainError("invalid_schedule", f"the scheduler broke a rule: {problems[0].message}", None)
    # The solver's bound is the flow ceiling of this very instance (tests hold it equal to `bound()`), so it
    # is not computed a second time.
    stats = solution.stats
    ceiling = Bound(stats.fairness_bound, stats.weight_bound) if stats is not None else None
    figures = quality_to_json(quality(problem, solution, ceiling=ceiling))
    seconds["check"] = time.perf_counter() - clock
    # The JSON documents too: 60,000 pairs are worth keeping off the event loop.
    return Built(
        problem,
        solution,
        figures,
        dropped,
        seconds,
        problem_to_json(problem),
        solution_to_json(solution).get("stats", {}),
    )


async def next_number(session: AsyncSession, event: Event) -> int:
    """The next version number, safe against a build and a copy finishing at once: the no-op update locks
    the event's row on PostgreSQL and takes SQLite's write lock, until this transaction ends."""
    await session.execute(update(Event).where(Event.id == event.id).values(updated_at=Event.updated_at))
    found = await session.scalar(select(func.max(ScheduleVersion.number)).where(ScheduleVersion.event_id == event.id))
    return int(found or 0) + 1


async def store_rows(session: AsyncSession, version: ScheduleVersion, rows: list[dict[str, Any]]) -> None:
    """Insert a version's meetings in batches (executemany): thousands of rows in a fraction of a second, in
    slices small enough that the server answers other requests between them."""
    for start in range(0, len(rows), 1000):
        await session.execute(insert(Meeting), [{**r, "version_id": version.id} for r in rows[start : start + 1000]])


async def store_meetings(
    session: AsyncSession,
    version: ScheduleVersion,
    meetings: Iterable[SolverMeeting],
    locked: Collection[tuple[str, str, int]],
) -> None:
    """Store a solver's meetings as the version's rows; those named in `locked` (candidate, employer, round)
    are marked locked."""
    await store_rows(
        session,
        version,
        [
            {
                "round": m.round,
                "table": m.table,
                "employer_participation_id": adapter.row_id(m.employer),
                "candidate_participation_id": adapter.row_id(m.candidate),
                "locked": (m.candidate, m.employer, m.round) in locked,
            }
            for m in meetings
        ],
    )


async def build_version(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> ScheduleVersion:
    """A new draft version from the event's people, availability and wishes; locked meetings of the newest
    version are kept (as long as both people are still planned then and nobody said no since)."""
    _organiser(user)
    refuse_plenary(event)
    report = progress or (lambda _stage, _fraction: None)
    report("loading", 0.01)
    clock = time.perf_counter()
    previous = await latest(session, event)
    data = await adapter.fetch(session, event, previous.meetings if previous else ())
    loaded = time.perf_counter() - clock
    if not data.candidates or not data.employers:
        raise DomainError(
            "nothing_to_plan", _t("The event needs employers and candidates before it can be planned."), None
        )
    built = await anyio.to_thread.run_sync(_build, data, seed, progress)
    report("saving", 0.9)
    clock = time.perf_counter()
    version = ScheduleVersion(
        event_id=event.id,
        number=await next_number(session, event),
        seed=seed,
        instance=built.instance,
        created_by_id=user.id or None,
    )
    session.add(version)
    await session.flush()
    lock_keys = {(lk.candidate, lk.employer, lk.round) for lk in built.problem.locked}
    await store_meetings(session, version, built.solution.meetings, lock_keys)
    # Where a build's time went: for the benchmark, and for anyone wondering why a build was slow.
    seconds = {"load": loaded, **built.seconds, "store": time.perf_counter() - clock}
    version.stats = {
        **built.stats,
        "quality": built.quality,
        "dropped_locks": built.dropped_locks,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }
    await audit(
        session,
        user,
        "build",
        "schedule_version",
        version.id,
        detail={"number": version.number, "meetings": len(built.solution.meetings)},
    )
    report("done", 1.0)
    return version


async def get_version(session: AsyncSession, user: CurrentUser, event: Event, number: int) -> ScheduleVersion:
    _organiser(user)
    found: ScheduleVersion | None = await session.scalar(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.number == number)
        .options(selectinload(ScheduleVersion.meetings))
    )
    if found is None:
        raise NotFoundError("schedule version")
    return found


async def previous_published(session: AsyncSession, event: Event, version: ScheduleVersion) -> ScheduleVersion | None:
    """The version a publish of ``version`` is compared with: the newest published one before it (for a
    draft: the newest published one)."""
    query = select(ScheduleVersion).where(
        ScheduleVersion.event_id == event.id,
        ScheduleVersion.status == VersionStatus.PUBLISHED,
        ScheduleVersion.id != version.id,
    )
    if version.status is VersionStatus.PUBLISHED and version.published_at is not None:
        query = query.where(ScheduleVersion.published_at < version.published_at)
    found: ScheduleVersion | None = await session.scalar(
        query.options(selectinload(ScheduleVersion.meetings))
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
        .limit(1)
    )
    return found


async def version_diff(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    version: ScheduleVersion,
    against: int | None = None,
) -> Diff:
    """Who is affected, talk by talk, going from ``against`` (default: the previously published version) to
    ``version``. With nothing published before, every talk is new."""
    _organiser(user)
    base = (
        await get_version(session, user, event, against)
        if against is not None
        else await previous_published(session, event, version)
    )
    names = await load_names(session, event)
    return diff(base.number if base else None, base.meetings if base else [], version.meetings, names)


async def copy_version(session: AsyncSession, user: CurrentUser, event: Event, number: int) -> ScheduleVersion:
    """A new draft with the same talks (and locks) as version ``number``, to adjust a frozen version."""
    source = await get_version(session, user, event, number)
    copy = ScheduleVersion(
        event_id=event.id,
        number=await next_number(session, event),
        seed=source.seed,
        instance=source.instance,
        stats=source.stats,
        created_by_id=user.id or None,
        based_on=source.number,
    )
    session.add(copy)
    await session.flush()
    await store_rows(
        session,
        copy,
        [
            {
                "round": m.round,
                "table": m.table,
                "employer_participation_id": m.employer_participation_id,
                "candidate_participation_id": m.candidate_participation_id,
                "locked": m.locked,
            }
            for m in source.meetings
        ],
    )
    await audit(session, user, "copy", "schedule_version", copy.id, detail={"number": copy.number, "from": number})
    return copy


async def count_meetings(session: AsyncSession, version: ScheduleVersion) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Meeting).where(Meeting.version_id == version.id)) or 0
    )


async def current(session: AsyncSession, event: Event) -> ScheduleVersion | None:
    """The version attendees see: the most recently published one (its header only)."""
    found: ScheduleVersion | None = await session.scalar(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.status == VersionStatus.PUBLISHED)
        .options(_HEADER)
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
        .limit(1)
    )
    return found


async def publish(session: AsyncSession, user: CurrentUser, event: Event, number: int | None = None) -> ScheduleVersion:
    """Freeze a version (the newest when no number is given) and make it the one attendees see. Publishing an
    older published version again brings it back."""
    _organiser(user)
    refuse_plenary(event)
    query = select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
    query = query.where(ScheduleVersion.number == number) if number else query.order_by(ScheduleVersion.number.desc())
    version: ScheduleVersion | None = await session.scalar(query.limit(1))
    if version is None:
        raise NotFoundError("schedule version")
    shown = await current(session, event)
    if shown is not None and shown.id == version.id:
        raise ConflictError(
            "already_published",
            _t("Version {n} is already the published programme.").format(n=version.number),
        )
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


__all__ = [
    "Meeting",
    "build_version",
    "copy_version",
    "export_published",
    "get_version",
    "latest",
    "publish",
    "version_diff",
    "versions",
]
