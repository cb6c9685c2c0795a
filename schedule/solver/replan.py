"""Re-planning during the event: history stays, absent people leave, every surviving meeting stays."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from operator import attrgetter

from schedule.solver._lp import PRICED_EDGES
from schedule.solver._model import Model, build_model
from schedule.solver.bound import bound
from schedule.solver.rules import check
from schedule.solver.solve import solve_keeping
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Problem, Solution

_FIELDS = attrgetter("round", "employer", "table", "candidate")
# Pairs from which the bound's LP runs in a second thread beside the keep-everything solve. HiGHS releases
# the GIL while it solves: two of the large fair's bound LPs took 0.17 s side by side against 0.30 s one
# after the other with a second core free; with both cores busy with other work the thread gains nothing.
# Below this size the LPs are too short for a thread to pay.
PARALLEL_PAIRS = PRICED_EDGES


class ReplanError(ValueError):
    """The re-plan request does not fit the instance or the solution."""


def replan(
    problem: Problem,
    solution: Solution,
    *,
    from_round: int,
    absent: Collection[str],
    arrived: Collection[str] = (),
    seed: int = 0,
) -> Solution:
    """The complete new schedule: rounds before `from_round` as they were, the rest re-optimised.

    Absent people get no talks from `from_round` on. Every planned meeting of that part whose people
    are still here stays at its round and table (so none is moved); the seats and rounds the absent
    freed are re-optimised for fairness, then weight. `arrived` people (missing at an earlier re-plan)
    are planned again in the rounds the instance lists for them.
    """
    started = time.perf_counter()
    _check_request(problem, from_round=from_round, absent=absent, arrived=arrived)
    residual = _residual(problem, solution, from_round=from_round, absent=absent)
    history = [m for m in solution.meetings if m.round < from_round]
    gone = set(absent)
    survivors = [
        m for m in solution.meetings if m.round >= from_round and m.candidate not in gone and m.employer not in gone
    ]
    model = build_model(residual)
    # The bound and the keep-everything solve are independent (both only read the model): on a large
    # instance the bound runs in a second thread meanwhile, from before the given solution is checked.
    # Building the residual and its model looks up no meeting's people, so it cannot fail on a solution
    # that breaks the rules; such a solution is refused before anything else is used, its bound dropped.
    if _parallel(residual):
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(bound, residual, model=model)
            _check_solution(problem, solution)
            new = _keep_all(residual, history, survivors, model, seed)
            ceiling = pending.result()
    else:
        _check_solution(problem, solution)
        ceiling = bound(residual, model=model)
        new = _keep_all(residual, history, survivors, model, seed)
    moved = _moved(survivors, new)
    # Only if keeping every surviving meeting costs fairness, let meetings move, as few as the keep bonus
    # allows, and take whichever is better by (fairness, fewer moves, weight).
    if _fairness(new) < ceiling.fairness:
        other = solve_keeping(residual, survivors, seed=seed, model=model)
        other_moved = _moved(survivors, other)
        if (_fairness(other), -other_moved, _weight(other)) > (_fairness(new), -moved, _weight(new)):
            new, moved = other, other_moved
    assert new.stats is not None  # noqa: S101 - solve always reports stats
    stats = dataclasses.replace(
        new.stats,
        fairness_bound=ceiling.fairness,
        weight_bound=ceiling.weight,
        solve_seconds=time.perf_counter() - started,
        method="replan",
        moved=moved,
    )
    return Solution(new.meetings, stats)


def _keep_all(residual: Problem, history: list[Meeting], survivors: list[Meeting], model: Model, seed: int) -> Solution:
    """The new schedule that keeps every surviving meeting.

    The kept meetings come from a solution that passed `check`, so they go in as fixed talks, not as locks
    to place again; they include the residual's locks (history, and later locks of people present).
    """
    unlocked = dataclasses.replace(residual, locked=())
    return solve_keeping(unlocked, (), seed=seed, model=model, fixed=(*history, *survivors))


def _parallel(problem: Problem) -> bool:
    """Whether the bound is worth a second thread: a large instance and more than one core to run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores > 1 and len(problem.pairs) >= PARALLEL_PAIRS


def residual_problem(
    problem: Problem,
    solution: Solution,
    *,
    from_round: int,
    absent: Collection[str],
    arrived: Collection[str] = (),
) -> Problem:
    """The instance as it stands at `from_round`: history locked, absent people gone from then on."""
    _check_request(problem, from_round=from_round, absent=absent, arrived=arrived)
    _check_solution(problem, solution)
    return _residual(problem, solution, from_round=from_round, absent=absent)


def _check_request(problem: Problem, *, from_round: int, absent: Collection[str], arrived: Collection[str]) -> None:
    """Refuse a round outside the instance, unknown people, and anyone both absent and arrived."""
    if not 1 <= from_round <= problem.rounds:
        raise ReplanError(f"--from-round {from_round} is not in 1..{problem.rounds}")
    people = {c.id for c in problem.candidates} | {e.id for e in problem.employers}
    for label, names in (("absent", absent), ("arrived", arrived)):
        for name in names:
            if name not in people:
                raise ReplanError(f"{label}: unknown id {name!r}")
    both = sorted(set(absent) & set(arrived))
    if both:
        raise ReplanError(f"{both[0]!r} is both absent and arrived")


def _check_solution(problem: Problem, solution: Solution) -> None:
    """Refuse a solution that breaks the instance's rules."""
    violations = check(problem, solution)
    if violations:
        raise ReplanError(f"the solution breaks the instance's rules: {violations[0].message}")


def _residual(
    problem: Problem,
    solution: Solution,
    *,
    from_round: int,
    absent: Collection[str],
) -> Problem:
    """`residual_problem` without the checks (arrived people need nothing: they get the rounds the instance lists)."""
    gone = set(absent)
    history: list[Meeting] = [m for m in solution.meetings if m.round < from_round]
    # New talks may only land from `from_round` on; earlier rounds stay present only where a talk
    # happened, so that history remains valid and no one is added to it.
    future = frozenset(range(from_round, problem.rounds + 1))
    past: dict[str, set[int]] = {}
    for m in history:
        past.setdefault(m.candidate, set()).add(m.round)
        past.setdefault(m.employer, set()).add(m.round)

    def rounds_of(person: str, rounds: frozenset[int]) -> frozenset[int]:
        return (frozenset() if person in gone else rounds & future) | frozenset(past.get(person, ()))

    # Built directly: dataclasses.replace introspects the fields on every call, which shows at 3,000 people.
    candidates = tuple(
        Candidate(c.id, rounds_of(c.id, c.rounds), c.min_meetings, c.max_meetings) for c in problem.candidates
    )
    employers = tuple(Employer(e.id, e.tables, e.seats, rounds_of(e.id, e.rounds)) for e in problem.employers)
    later_locks = [
        lock
        for lock in problem.locked
        if lock.round >= from_round and lock.candidate not in gone and lock.employer not in gone
    ]
    locked = (*(Locked(m.candidate, m.employer, m.round, m.table) for m in history), *later_locks)
    return dataclasses.replace(
        problem,
        candidates=candidates,
        employers=employers,
        locked=locked,
    )


def _moved(survivors: list[Meeting], solution: Solution) -> int:
    # Field tuples hash in C; hashing the Meetings would call the dataclass's Python-level __hash__.
    placed = set(map(_FIELDS, solution.meetings))
    return sum(1 for m in map(_FIELDS, survivors) if m not in placed)


def _fairness(solution: Solution) -> int:
    return solution.stats.fairness if solution.stats else 0


def _weight(solution: Solution) -> int:
    return solution.stats.weight if solution.stats else 0
