"""Re-planning on the day: from a round on, the absent get no more talks, walk-ins get talks, the rounds
before it stay exactly as they were, and every planned talk of people still here stays where it was
(`schedule.solver.replan`). The result is a new draft version: the organiser previews what changes for
whom and publishes it like any other."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, Role
from events.platform.services import audit
from schedule import adapter, services
from schedule.instance import problem_from_json, problem_to_json, quality_to_json, solution_to_json
from schedule.models import ScheduleVersion
from schedule.solver.types import Candidate, Employer, Pair, Problem, Solution


@dataclass(frozen=True, slots=True)
class Replanned:
    version: ScheduleVersion
    based_on: int
    from_round: int
    absent_candidates: int
    absent_employers: int
    walk_ins: int
    moved: int
    seconds: float


def merged_problem(fresh: Problem, published: Problem, solution: Solution) -> Problem:
    """The event as it stands (walk-ins, availability and wishes from the database) with everyone and every pair
    of the published schedule kept, so that its talks stay valid: people who have since left the plan
    come from the published instance, pairs nobody lists any more keep their published weight, and each
    person is present at least in the rounds the published schedule gives them."""
    used: dict[str, set[int]] = {}
    tables: dict[str, int] = {}  # the highest table each employer uses
    for m in solution.meetings:
        used.setdefault(m.candidate, set()).add(m.round)
        used.setdefault(m.employer, set()).add(m.round)
        tables[m.employer] = max(tables.get(m.employer, 1), m.table)
    candidates = {c.id: c for c in fresh.candidates}
    for c in published.candidates:
        if c.id in used and c.id not in candidates:
            candidates[c.id] = c
    employers = {e.id: e for e in fresh.employers}
    for e in published.employers:
        if e.id in used and e.id not in employers:
            employers[e.id] = e
    pairs = {(p.candidate, p.employer): p.weight for p in fresh.pairs}
    old_weights = {(p.candidate, p.employer): p.weight for p in published.pairs}
    for m in solution.meetings:
        pairs.setdefault((m.candidate, m.employer), old_weights.get((m.candidate, m.employer), adapter.HAND_WEIGHT))
    return dataclasses.replace(
        fresh,
        candidates=tuple(
            Candidate(c.id, c.rounds | frozenset(used.get(c.id, ())), c.min_meetings, c.max_meetings)
            for c in candidates.values()
        ),
        employers=tuple(
            Employer(e.id, max(e.tables, tables.get(e.id, 1)), e.seats, e.rounds | frozenset(used.get(e.id, ())))
            for e in employers.values()
        ),
        pairs=tuple(Pair(c, e, w) for (c, e), w in pairs.items()),
        locked=published.locked,
    )


def _replan(
    fresh: Problem, published: Problem, solution: Solution, from_round: int, absent: Collection[str], seed: int
) -> tuple[Problem, Solution, dict[str, Any]]:
    """Worker-thread part: merge, re-plan, check, figures."""
    from schedule.solver.bound import Bound
    from schedule.solver.quality import quality
    from schedule.solver.replan import ReplanError, replan, residual_problem
    from schedule.solver.rules import check

    problem = merged_problem(fresh, published, solution)
    try:
        new = replan(problem, solution, from_round=from_round, absent=absent, seed=seed)
        residual = residual_problem(problem, solution, from_round=from_round, absent=absent)
    except ReplanError as error:
        raise DomainError("replan_failed", _t("The programme cannot be re-planned: %(why)s", why=str(error))) from None
    broken = check(residual, new)
    if broken:  # pragma: no cover - the solver's tests forbid this; never store a broken schedule
        raise DomainError("invalid_schedule", f"the scheduler broke a rule: {broken[0].message}")
    stats = new.stats
    ceiling = Bound(stats.fairness_bound, stats.weight_bound) if stats is not None else None
    figures = quality_to_json(quality(residual, new, ceiling=ceiling))
    return residual, new, {**solution_to_json(new).get("stats", {}), "quality": figures}


async def replan_live(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    *,
    from_round: int,
    absent_candidates: Collection[int],
    absent_employers: Collection[int] = (),
    seed: int = 0,
) -> Replanned:
    """A new draft version re-planned from `from_round` on (participation ids of the absent)."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("programme")
    if not 1 <= from_round <= event.rounds:
        raise DomainError("invalid", _t("Choose a round from 1 to %(count)s.", count=event.rounds), field="from_round")
    published = await services.latest(session, event, published=True)
    if published is None:
        raise DomainError("nothing_published", _t("Publish a programme before re-planning it."))
    started = time.perf_counter()
    solution = Solution(adapter.solver_meetings(published.meetings), None)
    fresh = await adapter.load_problem(session, event, published.meetings)
    old = problem_from_json(published.instance)
    known = {c.id for c in old.candidates}
    walk_ins = sum(1 for c in fresh.candidates if c.id not in known)
    absent = [adapter.candidate_key(i) for i in absent_candidates] + [adapter.employer_key(i) for i in absent_employers]
    present_ids = {c.id for c in fresh.candidates} | {e.id for e in fresh.employers} | known
    present_ids |= {e.id for e in old.employers}
    absent = [a for a in absent if a in present_ids]
    residual, new, stats = await anyio.to_thread.run_sync(_replan, fresh, old, solution, from_round, absent, seed)
    version = ScheduleVersion(
        event_id=event.id,
        number=await services.next_number(session, event),
        seed=seed,
        instance=problem_to_json(residual),
        created_by_id=user.id or None,
        based_on=published.number,
        stats={
            **stats,
            "replan": {
                "from_round": from_round,
                "absent_candidates": len(absent_candidates),
                "absent_employers": len(absent_employers),
                "walk_ins": walk_ins,
            },
        },
    )
    session.add(version)
    await session.flush()
    # History (rounds before from_round) is locked in the residual instance, as are later locks kept.
    lock_keys = {(lk.candidate, lk.employer, lk.round) for lk in residual.locked}
    await services.store_meetings(session, version, new.meetings, lock_keys)
    moved = int((new.stats.moved if new.stats else 0) or 0)
    await audit(
        session,
        user,
        "replan",
        "schedule_version",
        version.id,
        detail={"number": version.number, "from_round": from_round, "absent": len(absent), "walk_ins": walk_ins},
    )
    return Replanned(
        version,
        published.number,
        from_round,
        len(absent_candidates),
        len(absent_employers),
        walk_ins,
        moved,
        time.perf_counter() - started,
    )
