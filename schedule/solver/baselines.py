"""Reference schedulers for the benchmark: the greedy an organiser would write, and the full MILP."""

from __future__ import annotations

import time

import numpy as np

from schedule.solver._finish import finish
from schedule.solver._model import State, build_model
from schedule.solver.bound import Bound, bound
from schedule.solver.exact import full_milp
from schedule.solver.rules import place_locks
from schedule.solver.types import Problem, Solution

__all__ = ["full_milp", "greedy"]


def greedy(problem: Problem, *, seed: int = 0, ceiling: Bound | None = None) -> Solution:
    """Round by round, candidates with the fewest talks pick their best employer with a free seat."""
    started = time.perf_counter()
    ceiling = ceiling or bound(problem)
    model = build_model(problem)
    state = State.start(model, place_locks(problem))
    rng = np.random.default_rng(seed)
    tiebreak = rng.permutation(len(model.cand_ids))
    by_candidate: list[list[int]] = [[] for _ in model.cand_ids]
    for k in np.argsort(-model.pw, kind="stable"):
        by_candidate[int(model.pc[k])].append(int(k))
    for r in range(1, model.rounds + 1):
        for i in np.lexsort((tiebreak, state.talks)):
            if not model.avail[i, r] or state.at[i, r] != -1 or state.talks[i] >= model.maxm[i]:
                continue
            for k in by_candidate[i]:
                j = int(model.pe[k])
                if state.round_of[k] == 0 and state.used[j, r] < model.cap[j, r]:
                    state.place(k, r)
                    break
    return finish(state, ceiling.fairness, ceiling.weight, started=started, seed=seed, method="greedy")
