"""Property tests over random instances: validity, determinism, the bound, and the exact MILP."""

from __future__ import annotations

import os
import random

import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedule.solver._lp import bmatch
from schedule.solver.baselines import full_milp
from schedule.solver.bound import Bound, bound
from schedule.solver.replan import replan, residual_problem
from schedule.solver.rules import check, check_meetings, place_locks
from schedule.solver.solve import solve
from schedule.solver.types import Candidate, Employer, Locked, Pair, Problem, Solution, Stats

# SCHEDULE_EXAMPLES=500 runs a deeper search by hand; the suite keeps to a few seconds.
PROFILE = settings(
    max_examples=int(os.environ.get("SCHEDULE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def random_problem(seed: int, employers: int, candidates: int, rounds: int) -> Problem:
    """A small random instance with group seats, short windows, per-person limits and valid locks."""
    rng = random.Random(seed)
    min_default, max_default = rng.randint(1, 3), rng.randint(2, 4)

    def window() -> frozenset[int]:
        if rng.random() < 0.5:  # a short window, as at a fair where half the people stay briefly
            lo = rng.randint(1, rounds)
            return frozenset(range(lo, min(rounds, lo + rng.randint(0, 2)) + 1))
        return frozenset(r for r in range(1, rounds + 1) if rng.random() < 0.8)

    emps = tuple(Employer(f"e{j}", rng.randint(1, 2), rng.choice([1, 1, 2, 3]), window()) for j in range(employers))
    cands = tuple(
        Candidate(
            f"c{i}",
            window(),
            rng.randint(0, 3) if rng.random() < 0.3 else min_default,
            rng.randint(0, 4) if rng.random() < 0.3 else max_default,
        )
        for i in range(candidates)
    )
    pairs = tuple(Pair(c.id, e.id, rng.randint(1, 30)) for c in cands for e in emps if rng.random() < 0.6)
    locks: list[Locked] = []
    for p in pairs:
        if rng.random() < 0.08:
            r = rng.randint(1, rounds)
            table = rng.choice([None, 1])
            trial = Problem(rounds, emps, cands, pairs, (*locks, Locked(p.candidate, p.employer, r, table)))
            if not check_meetings(trial, place_locks(trial)):
                locks.append(Locked(p.candidate, p.employer, r, table))
    return Problem(rounds, emps, cands, pairs, tuple(locks), min_default, max_default)


def sized_problems(
    employers: tuple[int, int], candidates: tuple[int, int], rounds: tuple[int, int]
) -> st.SearchStrategy[Problem]:
    """Random instances (`random_problem`) of any seed, their sizes drawn from these ranges."""
    return st.builds(
        random_problem,
        st.integers(0, 2**32 - 1),
        st.integers(*employers),
        st.integers(*candidates),
        st.integers(*rounds),
    )


problems = sized_problems(employers=(1, 4), candidates=(0, 9), rounds=(1, 5))


@PROFILE
@given(problems, st.integers(0, 3))
def test_solve_random_instance_passes_check(problem: Problem, seed: int) -> None:
    solution = solve(problem, seed=seed)

    assert check(problem, solution) == []


@PROFILE
@given(problems, st.integers(0, 3))
def test_solve_same_seed_gives_same_schedule(problem: Problem, seed: int) -> None:
    first = solve(problem, seed=seed)
    second = solve(problem, seed=seed)

    assert first.meetings == second.meetings


def _exact_milp(problem: Problem) -> tuple[Solution, Stats]:
    """The full MILP's schedule (it must find one within 30 s) and its figures."""
    exact = full_milp(problem, time_limit=30)
    assert exact is not None
    assert exact.stats is not None
    return exact, exact.stats


def _no_better_than(stats: Stats, ceiling: Bound) -> None:
    """A schedule's figures against the bound: fairness no higher, and on equal fairness no more weight."""
    assert stats.fairness <= ceiling.fairness
    assert stats.fairness < ceiling.fairness or stats.weight <= ceiling.weight


@PROFILE
@given(problems)
def test_solve_random_instance_never_exceeds_bound(problem: Problem) -> None:
    solution = solve(problem)
    stats = solution.stats
    ceiling = bound(problem)

    assert stats is not None
    _no_better_than(stats, ceiling)


@PROFILE
@given(problems)
def test_solve_random_instance_matches_exact_milp(problem: Problem) -> None:
    exact, optimum = _exact_milp(problem)
    solution = solve(problem)

    assert solution.stats is not None
    assert check(problem, exact) == []
    assert (solution.stats.fairness, solution.stats.weight) == (optimum.fairness, optimum.weight)


@PROFILE
@given(problems)
def test_bound_random_instance_is_at_least_exact_milp(problem: Problem) -> None:
    _, optimum = _exact_milp(problem)

    _no_better_than(optimum, bound(problem))


@PROFILE
@given(st.integers(0, 2**32 - 1))
def test_bmatch_hungarian_and_lp_reach_same_value(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_left, n_right = int(rng.integers(1, 8)), int(rng.integers(1, 5))
    edges = [(i, j) for i in range(n_left) for j in range(n_right) if rng.random() < 0.6]
    left = np.array([i for i, _ in edges] or [0], dtype=np.int64)
    right = np.array([j for _, j in edges] or [0], dtype=np.int64)
    value = rng.integers(1, 20, size=len(left)).astype(np.float64)
    tight = (rng.random(n_left) < 0.3).astype(np.float64)
    seats = rng.integers(0, 3, size=n_right).astype(np.float64)
    need = np.minimum(seats, rng.integers(0, 2, size=n_right)).astype(np.float64)
    left_tiers = (tight, np.full(n_left, 100.0), 1.0 - tight)
    right_tiers = (need, np.full(n_right, 100.0), seats - need)

    def total(chosen: npt.NDArray[np.bool_]) -> float:
        degree_r = np.bincount(right[chosen], minlength=n_right)
        matched_l = np.bincount(left[chosen], minlength=n_left) > 0
        assert (degree_r <= seats).all()
        assert (np.bincount(left[chosen], minlength=n_left) <= 1).all()
        return float(value[chosen].sum() + 100.0 * (tight * matched_l).sum() + 100.0 * np.minimum(degree_r, need).sum())

    lp = bmatch(n_left, n_right, left, right, value, left_tiers, right_tiers, method="lp")
    hungarian = bmatch(n_left, n_right, left, right, value, left_tiers, right_tiers, method="hungarian")

    assert total(lp) == total(hungarian)


@PROFILE
@given(problems, st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_replan_random_instance_keeps_history_and_rules(problem: Problem, from_round: int, pick: int) -> None:
    rng = random.Random(pick)
    solution = solve(problem)
    people = [c.id for c in problem.candidates] + [e.id for e in problem.employers]
    absent = sorted(p for p in people if rng.random() < 0.2)
    from_round = min(from_round, problem.rounds)

    new = replan(problem, solution, from_round=from_round, absent=absent)

    residual = residual_problem(problem, solution, from_round=from_round, absent=absent)
    assert check(residual, new) == []
    assert [m for m in new.meetings if m.round < from_round] == [m for m in solution.meetings if m.round < from_round]
    assert [m for m in new.meetings if m.round >= from_round and {m.candidate, m.employer} & set(absent)] == []
    assert new.stats is not None
    assert new.stats.fairness <= new.stats.fairness_bound


larger_problems = sized_problems(employers=(3, 10), candidates=(10, 60), rounds=(2, 8))


@settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 4))
@given(larger_problems, st.integers(0, 3))
def test_solve_larger_random_instance_is_valid_and_within_bound(problem: Problem, seed: int) -> None:
    solution = solve(problem, seed=seed)
    stats = solution.stats

    assert check(problem, solution) == []
    assert stats is not None
    assert stats.fairness <= stats.fairness_bound
    assert stats.fairness < stats.fairness_bound or stats.weight <= stats.weight_bound
