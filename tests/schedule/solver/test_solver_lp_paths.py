"""The LP paths give the same answers: the direct HiGHS call and scipy's linprog, the priced LP and the plain one."""

from __future__ import annotations

import numpy as np
import pytest

import schedule.solver._lp as lp
from schedule.solver.bound import bound
from schedule.solver.generate import generate
from schedule.solver.rules import check
from schedule.solver.solve import solve


@pytest.mark.parametrize("seed", [0, 1])
def test_lp_direct_highs_and_linprog_agree_on_medium_instances(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = generate("medium", seed)
    fast_bound, fast = bound(problem), solve(problem, seed=seed)
    assert lp._highs_dual_simplex is not None

    monkeypatch.setattr(lp, "_highs_dual_simplex", lambda *args: None)
    slow_bound, slow = bound(problem), solve(problem, seed=seed)

    assert fast_bound == slow_bound
    assert fast.meetings == slow.meetings
    assert check(problem, fast) == []


def count_solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the simplex iterations of every HiGHS solve the LP paths make."""
    solves: list[int] = []
    run = lp._run

    def counted(highs: object) -> bool:
        ok = run(highs)
        solves.append(int(highs.getInfo().simplex_iteration_count))  # type: ignore[attr-defined]
        return ok

    monkeypatch.setattr(lp, "_run", counted)
    return solves


@pytest.mark.slow
def test_lp_priced_bound_equals_plain_bound_on_large_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = generate("large", 0)
    assert len(problem.pairs) > lp.PRICED_EDGES
    solves = count_solves(monkeypatch)

    priced = bound(problem)
    priced_solves = len(solves)
    monkeypatch.setattr(lp, "PRICED_EDGES", len(problem.pairs) + 1)
    plain = bound(problem)

    assert priced == plain
    assert priced_solves >= 1
    assert len(solves) == priced_solves + 1  # the plain LP: one solve


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("short_windows", [False, True])
def test_lp_priced_bound_equals_plain_bound_on_medium_instances_forced_to_price(
    seed: int, short_windows: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = generate("medium", seed, short_windows=short_windows)
    plain = bound(problem)

    monkeypatch.setattr(lp, "PRICED_EDGES", 0)
    monkeypatch.setattr(lp, "_PRICED_SPARE", 0)
    priced = bound(problem)

    assert priced == plain


def three_edges() -> tuple[np.ndarray, ...]:
    """Candidates 0 and 1 each need one talk; employers 0 and 1 have one seat each.

    Edges: 0-0 worth 5, 0-1 worth 4, 1-0 worth 3. Both can meet only if candidate 0 takes the lighter edge
    0-1, which a subset of each candidate's heaviest edge leaves out.
    """
    left = np.array([0, 0, 1], dtype=np.int64)
    right = np.array([0, 1, 0], dtype=np.int64)
    value = np.array([5.0, 4.0, 3.0])
    return left, right, value


def test_lp_priced_adds_edge_its_duals_price_in(monkeypatch: pytest.MonkeyPatch) -> None:
    left, right, value = three_edges()
    monkeypatch.setattr(lp, "_PRICED_SPARE", 0)
    solves = count_solves(monkeypatch)
    need = (np.ones(2), np.full(2, 100.0), np.zeros(2))
    seats = (np.zeros(2), np.zeros(2), np.ones(2))

    chosen = lp.bmatch(2, 2, left, right, value, need, seats, method="priced")

    assert chosen.tolist() == [False, True, True]
    assert len(solves) == 2  # the first subset misses edge 0-1; its reduced cost brings it in
    assert chosen.tolist() == lp.bmatch(2, 2, left, right, value, need, seats, method="lp").tolist()


def test_lp_priced_falls_back_to_plain_lp_without_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    left, right, value = three_edges()
    need = (np.ones(2), np.full(2, 100.0), np.zeros(2))
    seats = (np.zeros(2), np.zeros(2), np.ones(2))
    monkeypatch.setattr(lp, "_highs", lambda n_rows: None)

    chosen = lp.bmatch(2, 2, left, right, value, need, seats, method="priced")

    assert chosen.tolist() == [False, True, True]
