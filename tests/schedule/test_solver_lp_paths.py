"""The direct HiGHS call and scipy's linprog give the same b-matching, so the fast path cannot drift."""

from __future__ import annotations

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
