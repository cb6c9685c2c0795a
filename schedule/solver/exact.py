"""The full time-indexed model, solved exactly (or until a time limit) by HiGHS' MIP through scipy."""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import csr_array

from schedule.solver._finish import finish
from schedule.solver._model import State, build_model
from schedule.solver.bound import Bound, bound
from schedule.solver.rules import place_locks
from schedule.solver.types import Problem, Solution


def full_milp(
    problem: Problem, *, time_limit: float = 10.0, seed: int = 0, ceiling: Bound | None = None
) -> Solution | None:
    """The time-indexed model solved by HiGHS' MIP under a time limit; None when it finds no schedule."""
    started = time.perf_counter()
    ceiling = ceiling or bound(problem)
    model = build_model(problem)
    anchors = place_locks(problem)
    state = State.start(model, anchors)
    n_c, n_p = len(model.cand_ids), len(model.pc)
    n_r1 = model.rounds + 1
    # One column per (pair, round) with both sides present; fixed meetings become lower bounds.
    both = model.avail[model.pc] & (model.cap[model.pe] > 0)
    pk, pr = np.nonzero(both)
    n_x = len(pk)
    if n_x + n_c == 0:
        return finish(state, ceiling.fairness, ceiling.weight, started=started, seed=seed, method="milp")
    lower = np.zeros(n_x + n_c)
    lower[:n_x] = (state.round_of[pk] == pr) & state.fixed[pk]
    need = model.need.astype(np.float64)
    upper = np.concatenate([np.ones(n_x), need])
    big = float(model.pw.sum() + 1)
    cost = -np.concatenate([model.pw[pk].astype(np.float64), np.full(n_c, big)])
    i_x, j_x = model.pc[pk], model.pe[pk]
    cols = np.arange(n_x)
    blocks = [
        (pk, cols, np.ones(n_x), np.ones(n_p)),  # a pair meets once
        (i_x * n_r1 + pr, cols, np.ones(n_x), np.ones(n_c * n_r1)),  # one talk per round
        (j_x * n_r1 + pr, cols, np.ones(n_x), model.cap.ravel().astype(np.float64)),  # seats
        (i_x, cols, np.ones(n_x), model.maxm.astype(np.float64)),  # max meetings
    ]
    rows: list[npt.NDArray[np.int64]] = []
    columns: list[npt.NDArray[np.int64]] = []
    data: list[npt.NDArray[np.float64]] = []
    ubs: list[npt.NDArray[np.float64]] = []
    offset = 0
    for r_idx, c_idx, vals, ub in blocks:
        rows.append(r_idx + offset)
        columns.append(c_idx)
        data.append(vals)
        ubs.append(ub)
        offset += len(ub)
    # y_c <= talks_c, written as y_c - sum x <= 0.
    rows += [i_x + offset, np.arange(n_c) + offset]
    columns += [cols, n_x + np.arange(n_c)]
    data += [-np.ones(n_x), np.ones(n_c)]
    ubs.append(np.zeros(n_c))
    offset += n_c
    matrix = csr_array(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(columns))), shape=(offset, n_x + n_c)
    )
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_c)])
    res = milp(
        cost,
        constraints=LinearConstraint(matrix, -np.inf, np.concatenate(ubs)),
        integrality=integrality,
        bounds=(lower, upper),
        options={"time_limit": time_limit, "disp": False},
    )
    if res.x is None:
        return None
    chosen = np.flatnonzero(res.x[:n_x] > 0.5)
    for idx in chosen:
        k, r = int(pk[idx]), int(pr[idx])
        if not state.fixed[k]:
            state.place(k, r)
    return finish(state, ceiling.fairness, ceiling.weight, started=started, seed=seed, method="milp")
