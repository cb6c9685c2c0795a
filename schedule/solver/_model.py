"""Integer-indexed view of a problem and the mutable state the solver works on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from schedule.solver._lp import bmatch
from schedule.solver.types import Candidate, Employer, Meeting, Problem

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ANCHOR = -2  # marks a candidate's round taken by a fixed (locked or historical) talk
FREE = -1


@dataclass(slots=True)
class Model:
    """Arrays indexed by candidate i, employer j, pair k and round r (column 0 unused, so r indexes directly)."""

    problem: Problem
    rounds: int
    cand_ids: list[str]
    emp_ids: list[str]
    avail: BoolArray  # (C, R+1) candidate present
    cap: IntArray  # (E, R+1) seats of the employer in the round, 0 when absent
    need: IntArray  # (C,) fairness target after capping
    maxm: IntArray  # (C,)
    pc: IntArray  # (P,) candidate of pair
    pe: IntArray  # (P,) employer of pair
    pw: IntArray  # (P,) weight of pair
    pair_keys: IntArray  # (P,) sorted i * E + j, for looking pairs up without a 100k-entry dict
    pair_at: IntArray  # (P,) pair index of each sorted key
    tables: IntArray  # (E,)
    seats: IntArray  # (E,)

    def pair(self, i: int, j: int) -> int:
        """Index of the listed pair of candidate i and employer j (which must exist)."""
        pos = int(np.searchsorted(self.pair_keys, i * max(len(self.emp_ids), 1) + j))
        return int(self.pair_at[pos])

    def pairs(self, i: IntArray, j: IntArray) -> IntArray:
        """Indices of the listed pairs of candidates i and employers j, elementwise (each must exist)."""
        pos = np.searchsorted(self.pair_keys, i * max(len(self.emp_ids), 1) + j)
        result: IntArray = self.pair_at[pos]
        return result


def build_model(problem: Problem) -> Model:
    """Index a problem into arrays."""
    r1 = problem.rounds + 1
    cand_ids = [c.id for c in problem.candidates]
    emp_ids = [e.id for e in problem.employers]
    cidx = {c: i for i, c in enumerate(cand_ids)}
    eidx = {e: j for j, e in enumerate(emp_ids)}
    avail = np.zeros((len(cand_ids), r1), dtype=np.bool_)
    rows, rounds = _rounds(problem.candidates, problem.rounds)
    avail[rows, rounds] = True
    cap = np.zeros((len(emp_ids), r1), dtype=np.int64)
    rows, rounds = _rounds(problem.employers, problem.rounds)
    cap[rows, rounds] = np.array([e.tables * e.seats for e in problem.employers], dtype=np.int64)[rows]
    need = np.array([c.need() for c in problem.candidates], dtype=np.int64)
    maxm = np.array([c.max_meetings for c in problem.candidates], dtype=np.int64)
    pc = np.array([cidx[p.candidate] for p in problem.pairs], dtype=np.int64)
    pe = np.array([eidx[p.employer] for p in problem.pairs], dtype=np.int64)
    pw = np.array([p.weight for p in problem.pairs], dtype=np.int64)
    keys = pc * max(len(emp_ids), 1) + pe
    pair_at = np.argsort(keys, kind="stable")
    return Model(
        problem,
        problem.rounds,
        cand_ids,
        emp_ids,
        avail,
        cap,
        need,
        maxm,
        pc,
        pe,
        pw,
        keys[pair_at],
        pair_at,
        np.array([e.tables for e in problem.employers], dtype=np.int64),
        np.array([e.seats for e in problem.employers], dtype=np.int64),
    )


def _rounds(people: Sequence[Candidate | Employer], last: int) -> tuple[IntArray, IntArray]:
    """(person index, round) of every round in 1..last each person is present in; one array pass, not one per person."""
    counts = np.fromiter((len(p.rounds) for p in people), dtype=np.int64, count=len(people))
    rounds = np.fromiter((r for p in people for r in p.rounds), dtype=np.int64, count=int(counts.sum()))
    rows = np.repeat(np.arange(len(people), dtype=np.int64), counts)
    inside = (rounds >= 1) & (rounds <= last)
    return rows[inside], rounds[inside]


@dataclass(slots=True)
class State:
    """A partial schedule: who talks where in which round, fixed talks included."""

    model: Model
    at: IntArray  # (C, R+1) pair index of the candidate's talk, FREE, or ANCHOR
    used: IntArray  # (E, R+1) seats taken
    round_of: IntArray  # (P,) round a pair meets in, 0 when it does not
    fixed: BoolArray  # (P,) pair meets in a fixed talk
    talks: IntArray  # (C,)
    anchors: list[Meeting]
    prefer: dict[int, Meeting] = field(default_factory=dict)  # pair -> meeting whose table it keeps if unmoved

    @classmethod
    def start(cls, model: Model, anchors: Sequence[Meeting]) -> State:
        """A state holding only the fixed talks."""
        cidx = {c: i for i, c in enumerate(model.cand_ids)}
        eidx = {e: j for j, e in enumerate(model.emp_ids)}
        r1 = model.rounds + 1
        state = cls(
            model,
            np.full((len(model.cand_ids), r1), FREE, dtype=np.int64),
            np.zeros((len(model.emp_ids), r1), dtype=np.int64),
            np.zeros(len(model.pc), dtype=np.int64),
            np.zeros(len(model.pc), dtype=np.bool_),
            np.zeros(len(model.cand_ids), dtype=np.int64),
            list(anchors),
        )
        if not state.anchors:
            return state
        # Array updates rather than a loop: a re-plan fixes thousands of talks (history and survivors).
        i = np.fromiter((cidx[m.candidate] for m in anchors), dtype=np.int64, count=len(anchors))
        j = np.fromiter((eidx[m.employer] for m in anchors), dtype=np.int64, count=len(anchors))
        r = np.fromiter((m.round for m in anchors), dtype=np.int64, count=len(anchors))
        state.at[i, r] = ANCHOR
        np.add.at(state.used, (j, r), 1)
        np.add.at(state.talks, i, 1)
        k = model.pairs(i, j)
        state.round_of[k] = r
        state.fixed[k] = True
        return state

    def free(self) -> BoolArray:
        """(C, R+1): candidate present and without a talk."""
        result: BoolArray = self.model.avail & (self.at == FREE)
        return result

    def capfree(self) -> IntArray:
        """(E, R+1): seats still open."""
        result: IntArray = self.model.cap - self.used
        return result

    def place(self, k: int, r: int) -> None:
        """Schedule pair k in round r."""
        i, j = int(self.model.pc[k]), int(self.model.pe[k])
        self.at[i, r] = k
        self.used[j, r] += 1
        self.talks[i] += 1
        self.round_of[k] = r

    def unplace(self, k: int) -> None:
        """Take pair k out of the schedule."""
        i, j, r = int(self.model.pc[k]), int(self.model.pe[k]), int(self.round_of[k])
        self.at[i, r] = FREE
        self.used[j, r] -= 1
        self.talks[i] -= 1
        self.round_of[k] = 0

    def fairness(self) -> int:
        """Sum over candidates of talks counted up to their need."""
        return int(np.minimum(self.talks, self.model.need).sum())

    def weight(self) -> int:
        """Total weight of the meeting pairs."""
        return int(self.model.pw[self.round_of > 0].sum())


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The pairs a b-matching flow chose, and what they add to fairness and weight."""

    chosen: IntArray
    fairness: int
    weight: int
    big: int


def flow(
    state: State,
    order: IntArray | None = None,
    extra: npt.NDArray[np.float64] | None = None,
    *,
    any_optimum: bool = False,
) -> FlowResult:
    """Maximum (fairness, weight) b-matching over the open pairs, ignoring which round each meeting takes.

    Relaxing the rounds away leaves a min-cost flow; everything a real schedule can still add to the
    state is a feasible flow, so the optimum is an upper bound (the "ceiling" of the research note).
    `extra` adds a per-pair value (re-plan keep bonus) below the fairness bonus. With `any_optimum` the
    caller reads only the figures, not which pairs were chosen, so a large LP may be priced.
    """
    model = state.model
    free = state.free()
    capfree = state.capfree()
    # A pair is open when it has not met and some round has both sides free with a seat left.
    usable = free[model.pc] & (capfree[model.pe] > 0)
    open_pairs = np.flatnonzero((state.round_of == 0) & usable.any(axis=1))
    if order is not None:
        open_pairs = open_pairs[np.argsort(order[open_pairs], kind="stable")]
    n_c, n_e = len(model.cand_ids), len(model.emp_ids)
    pc, pe = model.pc[open_pairs], model.pe[open_pairs]
    # Tighten capacities: a candidate can use only rounds where some open pair is usable, and an
    # employer only as many seats per round as there are candidates who could sit there.
    # Counted round by round with bincount: ufunc.at takes three times as long on the large fair.
    u_open = usable[open_pairs].T
    cand_rounds = np.column_stack([np.bincount(pc[u], minlength=n_c) for u in u_open]) > 0
    emp_demand = np.column_stack([np.bincount(pe[u], minlength=n_e) for u in u_open])
    cap_c = np.minimum(model.maxm - state.talks, cand_rounds.sum(axis=1)).clip(min=0)
    need_c = np.minimum((model.need - state.talks).clip(min=0), cap_c)
    cap_e = np.minimum(capfree.clip(min=0), emp_demand).sum(axis=1)
    weights = model.pw[open_pairs].astype(np.float64)
    if extra is not None:
        weights = weights + extra[open_pairs]
    big = int(weights.sum()) + 1
    chosen = bmatch(
        n_c,
        n_e,
        pc,
        pe,
        weights,
        (need_c.astype(np.float64), np.full(n_c, float(big)), (cap_c - need_c).astype(np.float64)),
        (np.zeros(n_e), np.zeros(n_e), cap_e.astype(np.float64)),
        any_optimum=any_optimum,
    )
    picked = open_pairs[chosen]
    degree = np.bincount(model.pc[picked], minlength=n_c)
    gain = int(np.minimum(degree, need_c).sum())
    return FlowResult(picked, gain, int(model.pw[picked].sum()), big)
