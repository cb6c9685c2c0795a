"""Re-planning during the event."""

from __future__ import annotations

import dataclasses
import threading

import pytest

import schedule.solver.replan as replan_module
from schedule.solver.generate import generate
from schedule.solver.replan import ReplanError, replan, residual_problem
from schedule.solver.rules import check
from schedule.solver.solve import solve, solve_keeping
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Problem, Solution


@pytest.fixture(scope="module")
def fair() -> tuple[Problem, Solution]:
    problem = generate("medium", 11)
    return problem, solve(problem)


def absentees(problem: Problem) -> list[str]:
    return [c.id for c in problem.candidates[::10]] + [problem.employers[3].id]


def test_replan_keeps_history_exactly(fair: tuple[Problem, Solution]) -> None:
    problem, solution = fair

    new = replan(problem, solution, from_round=3, absent=absentees(problem))

    assert [m for m in new.meetings if m.round < 3] == [m for m in solution.meetings if m.round < 3]


def test_replan_absent_people_get_no_later_talks(fair: tuple[Problem, Solution]) -> None:
    problem, solution = fair
    gone = set(absentees(problem))

    new = replan(problem, solution, from_round=3, absent=sorted(gone))

    assert [m for m in new.meetings if m.round >= 3 and (m.candidate in gone or m.employer in gone)] == []


def test_replan_moves_no_surviving_meeting(fair: tuple[Problem, Solution]) -> None:
    problem, solution = fair
    gone = set(absentees(problem))
    surviving = {m for m in solution.meetings if m.round >= 3 and not {m.candidate, m.employer} & gone}

    new = replan(problem, solution, from_round=3, absent=sorted(gone))

    assert new.stats is not None
    assert new.stats.moved == 0
    assert surviving <= set(new.meetings)


def test_replan_result_passes_check_on_residual_instance(fair: tuple[Problem, Solution]) -> None:
    problem, solution = fair
    gone = absentees(problem)

    new = replan(problem, solution, from_round=3, absent=gone)

    assert check(residual_problem(problem, solution, from_round=3, absent=gone), new) == []


def test_replan_refills_freed_seats_to_fairness_bound(fair: tuple[Problem, Solution]) -> None:
    problem, solution = fair

    new = replan(problem, solution, from_round=3, absent=absentees(problem))

    assert new.stats is not None
    assert new.stats.fairness == new.stats.fairness_bound
    assert new.stats.weight >= 0.995 * new.stats.weight_bound


def test_replan_same_seed_gives_same_schedule(fair: tuple[Problem, Solution]) -> None:
    problem, solution = fair

    first = replan(problem, solution, from_round=4, absent=absentees(problem), seed=3)
    second = replan(problem, solution, from_round=4, absent=absentees(problem), seed=3)

    assert first.meetings == second.meetings


def test_replan_moves_a_meeting_when_fairness_needs_it() -> None:
    # c2's only employer left; c3 holds e2's single seat in round 2, where c2 is also free. Fairness
    # wants c2 at e2 too, which needs c3's meeting with e2 moved to round 3.
    every = frozenset({1, 2, 3})
    problem = Problem(
        rounds=3,
        employers=(Employer("e1", 1, 1, every), Employer("e2", 1, 1, every)),
        candidates=(
            Candidate("c2", frozenset({2}), 1, 1),
            Candidate("c3", frozenset({2, 3}), 1, 1),
        ),
        pairs=(Pair("c2", "e1", 5), Pair("c2", "e2", 1), Pair("c3", "e2", 5)),
    )
    planned = Solution((Meeting(2, "e1", 1, "c2"), Meeting(2, "e2", 1, "c3")))

    new = replan(problem, planned, from_round=2, absent=["e1"])

    assert new.stats is not None
    assert set(new.meetings) == {Meeting(2, "e2", 1, "c2"), Meeting(3, "e2", 1, "c3")}
    assert (new.stats.fairness, new.stats.moved) == (2, 1)


def test_replan_arrived_person_is_planned_again() -> None:
    problem = generate("small", 2)
    solution = solve(problem)
    late = problem.candidates[0].id
    without = replan(problem, solution, from_round=2, absent=[late])

    new = replan(problem, without, from_round=3, absent=[], arrived=[late])

    assert [m for m in without.meetings if m.candidate == late and m.round >= 2] == []
    assert [m for m in new.meetings if m.candidate == late and m.round >= 3] != []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"from_round": 0, "absent": []}, "--from-round 0 is not in 1..6"),
        ({"from_round": 2, "absent": ["nobody"]}, "absent: unknown id 'nobody'"),
        ({"from_round": 2, "absent": ["c1"], "arrived": ["c1"]}, "'c1' is both absent and arrived"),
    ],
)
def test_replan_bad_request_is_refused(kwargs: dict[str, object], message: str) -> None:
    problem = generate("small", 2)
    solution = solve(problem)

    with pytest.raises(ReplanError) as info:
        replan(problem, solution, **kwargs)  # type: ignore[arg-type]

    assert str(info.value) == message


@pytest.mark.parametrize("bound_in_thread", [False, True])
@pytest.mark.parametrize(
    "meetings",
    [
        (Meeting(1, "e1", 1, "c1"), Meeting(1, "e2", 1, "c1")),
        (Meeting(1, "e1", 1, "nobody"),),  # the bound of its residual fails on the unknown candidate
    ],
)
def test_replan_invalid_solution_is_refused(
    meetings: tuple[Meeting, ...], bound_in_thread: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = generate("small", 2)
    if bound_in_thread:
        monkeypatch.setattr(replan_module, "PARALLEL_PAIRS", 0)
        monkeypatch.setattr(replan_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    with pytest.raises(ReplanError, match="the solution breaks the instance's rules"):
        replan(problem, Solution(meetings), from_round=2, absent=[])


def test_solve_keeping_fixed_meetings_give_same_schedule_as_same_meetings_locked(
    fair: tuple[Problem, Solution],
) -> None:
    problem, solution = fair
    gone = set(absentees(problem))
    residual = residual_problem(problem, solution, from_round=3, absent=sorted(gone))
    kept = [m for m in solution.meetings if m.round < 3 or not {m.candidate, m.employer} & gone]
    locks = tuple(Locked(m.candidate, m.employer, m.round, m.table) for m in kept)

    fixed = solve_keeping(dataclasses.replace(residual, locked=()), (), seed=2, fixed=kept)
    locked = solve_keeping(dataclasses.replace(residual, locked=locks), (), seed=2)

    assert fixed.meetings == locked.meetings
    assert fixed.stats is not None
    assert locked.stats is not None
    assert (fixed.stats.fairness_bound, fixed.stats.weight_bound) == (
        locked.stats.fairness_bound,
        locked.stats.weight_bound,
    )


@pytest.mark.parametrize("seed", [0, 3])
def test_replan_with_bound_in_second_thread_equals_replan_in_one_thread(
    fair: tuple[Problem, Solution], seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, solution = fair
    absent = absentees(problem)
    monkeypatch.setattr(replan_module, "PARALLEL_PAIRS", len(problem.pairs) + 1)
    alone = replan(problem, solution, from_round=3, absent=absent, seed=seed)

    threads: list[str] = []
    bound = replan_module.bound

    def recorded(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return bound(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(replan_module, "bound", recorded)
    monkeypatch.setattr(replan_module, "PARALLEL_PAIRS", 0)
    monkeypatch.setattr(replan_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    paired = replan(problem, solution, from_round=3, absent=absent, seed=seed)

    assert len(threads) == 1
    assert threads[0] != threading.main_thread().name
    assert paired.meetings == alone.meetings
    assert paired.stats is not None
    assert alone.stats is not None
    assert dataclasses.replace(paired.stats, solve_seconds=0.0) == dataclasses.replace(alone.stats, solve_seconds=0.0)
