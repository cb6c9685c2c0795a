"""The solver on generated fairs and on hand-made corner cases."""

from __future__ import annotations

import dataclasses

import pytest

from schedule.solver._model import State, build_model
from schedule.solver.baselines import full_milp, greedy
from schedule.solver.bound import bound
from schedule.solver.generate import generate
from schedule.solver.quality import quality
from schedule.solver.rules import check
from schedule.solver.solve import _schedule, _silent, _start, solve, solve_keeping
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Problem, Solution

ALL = frozenset({1, 2, 3})


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("short_windows", [False, True])
def test_solve_small_fair_reaches_exact_optimum(seed: int, short_windows: bool) -> None:
    problem = generate("small", seed, short_windows=short_windows)
    exact = full_milp(problem, time_limit=30)

    solution = solve(problem, seed=seed)

    assert check(problem, solution) == []
    assert exact is not None
    assert exact.stats is not None
    assert solution.stats is not None
    assert (solution.stats.fairness, solution.stats.weight) == (exact.stats.fairness, exact.stats.weight)


@pytest.mark.parametrize("seed", [0, 1])
def test_solve_medium_fair_reaches_fairness_bound(seed: int) -> None:
    problem = generate("medium", seed)

    solution = solve(problem, seed=seed)

    assert check(problem, solution) == []
    assert solution.stats is not None
    assert solution.stats.fairness == solution.stats.fairness_bound
    assert solution.stats.weight >= 0.995 * solution.stats.weight_bound


def test_solve_medium_short_windows_keeps_fairness_and_weight_close() -> None:
    problem = generate("medium", 3, short_windows=True)

    solution = solve(problem, seed=3)

    assert check(problem, solution) == []
    assert solution.stats is not None
    assert solution.stats.fairness == solution.stats.fairness_bound
    assert solution.stats.weight >= 0.995 * solution.stats.weight_bound


def test_solve_same_seed_gives_same_meetings() -> None:
    problem = generate("medium", 4)

    assert solve(problem, seed=7).meetings == solve(problem, seed=7).meetings


def test_solve_keeps_locked_meetings() -> None:
    problem = generate("medium", 5)
    assert problem.locked != ()

    solution = solve(problem)

    placed = {(m.candidate, m.employer, m.round) for m in solution.meetings}
    assert {(lock.candidate, lock.employer, lock.round) for lock in problem.locked} <= placed


def test_solve_stats_match_independent_quality() -> None:
    problem = generate("small", 6)

    solution = solve(problem)
    figures = quality(problem, solution)

    assert solution.stats is not None
    assert (figures.fairness, figures.weight, figures.below_min) == (
        solution.stats.fairness,
        solution.stats.weight,
        solution.stats.below_min,
    )
    assert (figures.fairness_bound, figures.weight_bound) == (
        solution.stats.fairness_bound,
        solution.stats.weight_bound,
    )


def test_solve_group_table_seats_several_candidates_in_one_round() -> None:
    problem = Problem(
        rounds=1,
        employers=(Employer("e1", 1, 3, frozenset({1})),),
        candidates=tuple(Candidate(f"c{i}", frozenset({1}), 1, 1) for i in range(4)),
        pairs=tuple(Pair(f"c{i}", "e1", 1 + i) for i in range(4)),
    )

    solution = solve(problem)

    assert solution.meetings == (
        Meeting(1, "e1", 1, "c1"),
        Meeting(1, "e1", 1, "c2"),
        Meeting(1, "e1", 1, "c3"),
    )


def test_solve_prefers_fairness_over_weight() -> None:
    # e1 has one seat per round; c1 likes it most but c2 has no other option, so both must get it once.
    problem = Problem(
        rounds=2,
        employers=(Employer("e1", 1, 1, frozenset({1, 2})), Employer("e2", 1, 1, frozenset({1, 2}))),
        candidates=(Candidate("c1", frozenset({1, 2}), 2, 2), Candidate("c2", frozenset({1, 2}), 1, 2)),
        pairs=(Pair("c1", "e1", 100), Pair("c1", "e2", 1), Pair("c2", "e1", 1)),
    )

    solution = solve(problem)

    assert solution.stats is not None
    assert (solution.stats.fairness, solution.stats.weight) == (3, 102)


def test_solve_caps_minimum_by_maximum_and_presence() -> None:
    problem = Problem(
        rounds=3,
        employers=(Employer("e1", 1, 1, ALL), Employer("e2", 1, 1, ALL)),
        candidates=(Candidate("c1", ALL, 3, 1), Candidate("c2", frozenset({2}), 3, 3)),
        pairs=(Pair("c1", "e1", 1), Pair("c1", "e2", 1), Pair("c2", "e1", 1), Pair("c2", "e2", 1)),
        min_meetings=3,
        max_meetings=3,
    )

    solution = solve(problem)

    assert solution.stats is not None
    assert (solution.stats.fairness, solution.stats.below_min, len(solution.meetings)) == (2, 0, 2)


def test_solve_empty_instance_gives_empty_schedule() -> None:
    problem = Problem(rounds=2, employers=(), candidates=(), pairs=())

    solution = solve(problem)

    assert solution.meetings == ()
    assert check(problem, solution) == []


def test_solve_lock_with_table_stays_at_that_table() -> None:
    problem = Problem(
        rounds=1,
        employers=(Employer("e1", 2, 1, frozenset({1})),),
        candidates=(Candidate("c1", frozenset({1}), 1, 1), Candidate("c2", frozenset({1}), 1, 1)),
        pairs=(Pair("c1", "e1", 1), Pair("c2", "e1", 9)),
        locked=(Locked("c1", "e1", 1, 2),),
    )

    solution = solve(problem)

    assert solution.meetings == (Meeting(1, "e1", 1, "c2"), Meeting(1, "e1", 2, "c1"))


def test_greedy_small_fair_is_valid_and_below_bound() -> None:
    problem = generate("small", 0)

    solution = greedy(problem)

    assert check(problem, solution) == []
    assert solution.stats is not None
    assert (solution.stats.fairness, solution.stats.weight) <= (bound(problem).fairness, bound(problem).weight)


def test_quality_counts_histogram_and_empty_seats() -> None:
    problem = Problem(
        rounds=2,
        employers=(Employer("e1", 1, 2, frozenset({1, 2})),),
        candidates=(Candidate("c1", frozenset({1, 2}), 1, 2), Candidate("c2", frozenset({1, 2}), 1, 2)),
        pairs=(Pair("c1", "e1", 4),),
    )
    solution = Solution((Meeting(1, "e1", 1, "c1"),))

    figures = quality(problem, solution)

    assert dataclasses.astuple(figures) == (1, 1, 4, 4, 0.0, 0, 1, 1, ((0, 1), (1, 1)), (1, 2))


def test_solve_passes_from_one_shared_start_match_fresh_passes() -> None:
    # `solve` runs the first flow once and starts both round orders from it.
    problem = generate("medium", 3, short_windows=True)
    start, state = _start(problem, (), seed=3, model=build_model(problem), fixed=(), report=_silent)

    forward = _schedule(start, state, seed=3, reverse_rounds=False, started=0.0, report=_silent)
    again = State.start(start.model, start.anchors)
    reverse = _schedule(start, again, seed=3, reverse_rounds=True, started=0.0, report=_silent)

    assert forward.meetings == solve_keeping(problem, (), seed=3).meetings
    assert reverse.meetings == solve_keeping(problem, (), seed=3, reverse_rounds=True).meetings
