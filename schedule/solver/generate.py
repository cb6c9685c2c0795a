"""Seeded, realistic instances for tests and benchmarks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from schedule.solver.types import Candidate, Employer, Locked, Pair, Problem
from schedule.solver.weights import pair_weight


@dataclass(frozen=True, slots=True)
class Size:
    """Shape of a generated fair."""

    employers: int
    candidates: int
    rounds: int
    max_meetings: int
    seats_per_candidate: float  # table-slots over the day per candidate: the binding resource
    wishes: tuple[int, int]
    sectors: int


SIZES = {
    "small": Size(8, 50, 6, 4, 3.2, (3, 6), 4),
    "medium": Size(40, 400, 10, 5, 3.2, (5, 12), 10),
    "large": Size(200, 3000, 12, 5, 2.5, (6, 15), 30),
}


def generate(size: str, seed: int, *, short_windows: bool = False) -> Problem:
    """A fair of the named size: popular employers, group tables, windows, vetoes, locks.

    `short_windows` makes the stress variant where half the candidates stay only 2-4 rounds.
    """
    shape = SIZES[size]
    rng = np.random.default_rng(seed)
    n_e, n_c, n_r = shape.employers, shape.candidates, shape.rounds
    all_rounds = range(1, n_r + 1)
    popularity = 1.0 / np.arange(1, n_e + 1) ** 0.9
    popularity = popularity[rng.permutation(n_e)]
    share = popularity / popularity.sum()
    seats_per_round = shape.seats_per_candidate * n_c / n_r
    employers: list[Employer] = []
    for j in range(n_e):
        seats = int(rng.choice([1, 2, 3], p=[0.6, 0.25, 0.15]))
        tables = int(np.clip(round(share[j] * seats_per_round / seats), 1, 5))
        rounds = set(all_rounds)
        draw = rng.random()
        if draw < 0.10:
            rounds.discard(int(rng.integers(2, n_r)))  # a break
        elif draw < 0.15:
            rounds -= {n_r, n_r - 1}  # leaves early
        employers.append(Employer(f"e{j + 1}", tables, seats, frozenset(rounds)))

    candidates: list[Candidate] = []
    for i in range(n_c):
        lo, hi = 1, n_r
        draw = rng.random()
        if short_windows and draw < 0.5:
            length = int(rng.integers(2, 5))
            lo = int(rng.integers(1, n_r - length + 2))
            hi = lo + length - 1
        elif draw < 0.08:
            lo = int(rng.integers(2, n_r // 2 + 1))  # arrives late
        elif draw < 0.16:
            hi = int(rng.integers(n_r // 2 + 1, n_r))  # leaves early
        elif draw < 0.20:
            lo, hi = 2, n_r - 1
        min_m, max_m = 2, shape.max_meetings
        if rng.random() < 0.05:
            min_m, max_m = int(rng.integers(1, 4)), int(rng.integers(2, shape.max_meetings + 1))
        candidates.append(Candidate(f"c{i + 1}", frozenset(range(lo, hi + 1)), min_m, max_m))

    pairs = _pairs(rng, shape, share)
    problem = Problem(n_r, tuple(employers), tuple(candidates), tuple(pairs), (), 2, shape.max_meetings)
    return Problem(
        n_r, problem.employers, problem.candidates, problem.pairs, _locks(rng, problem), 2, shape.max_meetings
    )


def _pairs(rng: np.random.Generator, shape: Size, share: npt.NDArray[np.float64]) -> list[Pair]:
    n_e, n_c = shape.employers, shape.candidates
    emp_sectors = [set(rng.choice(shape.sectors, size=int(rng.integers(1, 3)), replace=False)) for _ in range(n_e)]
    levels: dict[tuple[int, int], list[int | None]] = {}
    for i in range(n_c):
        k = min(int(rng.integers(shape.wishes[0], shape.wishes[1] + 1)), n_e)
        for j in rng.choice(n_e, size=k, replace=False, p=share):
            levels[(i, int(j))] = [int(rng.choice([1, 2, 3], p=[0.25, 0.4, 0.35])), None]
        if rng.random() < 0.3:
            levels[(i, int(rng.integers(n_e)))] = [0, None]  # a "no" from the candidate
    for (_i, _j), pair_levels in levels.items():
        pair_levels[1] = [None, 0, 1, 2, 3][int(rng.choice(5, p=[0.45, 0.05, 0.15, 0.2, 0.15]))]
    for j in range(n_e):
        for i in rng.choice(n_c, size=min(n_c, 2 + n_c // 600), replace=False):
            levels.setdefault((int(i), j), [None, int(rng.integers(2, 4))])
    pairs: list[Pair] = []
    for i in range(n_c):
        mine = set(rng.choice(shape.sectors, size=1 if rng.random() < 0.8 else 2, replace=False))
        for j in range(n_e):
            c_level, e_level = levels.get((i, j), [None, None])
            weight = pair_weight(c_level, e_level, sector_match=bool(mine & emp_sectors[j]))
            if weight is not None:
                pairs.append(Pair(f"c{i + 1}", f"e{j + 1}", weight))
    return pairs


def _locks(rng: np.random.Generator, problem: Problem) -> tuple[Locked, ...]:
    """About 1% of candidates get a pinned meeting that respects every hard rule."""
    employers = {e.id: e for e in problem.employers}
    candidates = {c.id: c for c in problem.candidates}
    by_candidate: dict[str, list[str]] = {}
    for p in problem.pairs:
        if p.weight >= 10:
            by_candidate.setdefault(p.candidate, []).append(p.employer)
    chosen = sorted(by_candidate)
    count = max(1, len(candidates) // 100)
    seats: Counter[tuple[str, int, int]] = Counter()
    locks: list[Locked] = []
    for idx in rng.permutation(len(chosen))[:count]:
        cand = candidates[chosen[int(idx)]]
        emp = employers[str(rng.choice(by_candidate[cand.id]))]
        rounds = sorted(cand.rounds & emp.rounds)
        if not rounds:
            continue
        r = int(rng.choice(rounds))
        free = [t for t in range(1, emp.tables + 1) if seats[(emp.id, r, t)] < emp.seats]
        if not free:
            continue
        table = free[0]
        seats[(emp.id, r, table)] += 1
        locks.append(Locked(cand.id, emp.id, r, table if rng.random() < 0.5 else None))
    return tuple(locks)
