"""Turning a finished state into a Solution: tables and stats."""

from __future__ import annotations

import time
from collections import Counter
from operator import attrgetter

import numpy as np

from schedule.solver._model import State
from schedule.solver.types import Meeting, Solution, Stats

_ORDER = attrgetter("round", "employer", "table", "candidate")


def finish(state: State, fairness_bound: int, weight_bound: int, *, started: float, seed: int, method: str) -> Solution:
    """The solution of a finished state, tables assigned, with its stats."""
    meetings = _tables(state)
    stats = Stats(
        fairness=state.fairness(),
        fairness_bound=fairness_bound,
        weight=state.weight(),
        weight_bound=weight_bound,
        below_min=int((state.talks < state.model.need).sum()),
        solve_seconds=time.perf_counter() - started,
        seed=seed,
        method=method,
    )
    return Solution(tuple(meetings), stats)


def _tables(state: State) -> list[Meeting]:
    """All meetings with tables: fixed and unmoved kept talks keep theirs, the others go to the emptiest table."""
    model = state.model
    meetings = list(state.anchors)
    occupancy: Counter[tuple[int, int, int]] = Counter()
    eidx = {e: j for j, e in enumerate(model.emp_ids)}
    for m in meetings:
        occupancy[(eidx[m.employer], m.round, m.table)] += 1
    placed = np.flatnonzero((state.round_of > 0) & ~state.fixed)
    keys = np.lexsort((model.pc[placed], model.pe[placed], state.round_of[placed]))
    rest: list[int] = []
    for k in placed[keys]:
        kept = state.prefer.get(int(k))
        j = int(model.pe[k])
        if (
            kept is not None
            and kept.round == state.round_of[k]
            and occupancy[(j, kept.round, kept.table)] < model.seats[j]
        ):
            occupancy[(j, kept.round, kept.table)] += 1
            meetings.append(kept)
            continue
        rest.append(int(k))
    for k in rest:
        j, r = int(model.pe[k]), int(state.round_of[k])
        table = min(range(1, int(model.tables[j]) + 1), key=lambda t: (occupancy[(j, r, t)], t))
        occupancy[(j, r, table)] += 1
        meetings.append(Meeting(r, model.emp_ids[j], table, model.cand_ids[int(model.pc[k])]))
    # The key gives Meeting's own order without some 12,000 calls of the dataclass's Python-level __lt__.
    return sorted(meetings, key=_ORDER)
