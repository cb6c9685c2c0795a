"""The fast scheduler: b-matching flow, round assignment that covers tight people first, repair, fill."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from schedule.solver._finish import finish
from schedule.solver._lp import bmatch
from schedule.solver._model import FREE, FlowResult, IntArray, Model, State, build_model, flow
from schedule.solver.bound import Bound
from schedule.solver.exact import full_milp
from schedule.solver.rules import place_locks
from schedule.solver.types import Candidate, Employer, Meeting, Problem, Solution

Progress = Callable[[str, float], None]

AUTO_EXACT_COLUMNS = 5_000
AUTO_EXACT_SECONDS = 2.0
# Above this many meeting variables HiGHS' MIP overruns any time limit by minutes while it builds and
# presolves (measured: no schedule and 90+ s wall for a 30 s limit at 200 x 3,000 x 12), so even an
# explicit time limit does not start it.
EXACT_MAX_COLUMNS = 100_000
# Flow-and-assign passes; a later pass re-flows only the capacity the earlier ones left. Measured on
# the benchmark families, a second pass changed no fairness and no weight beyond 0.002 %, for ~0.2 s.
ATTEMPTS = 1

# Per-round assignment values: covering a tight person dominates everything else, as in the
# constructive step of König's edge-colouring theorem; then pairs that carry fairness; then urgency.
_TIGHT = 1000.0
_BASE = 10.0
_FAIR = 5.0
_URGENCY = 3.0
_KEEP_WEIGHTS = 10  # a kept meeting is worth this many of the heaviest pairs


def solve(
    problem: Problem,
    *,
    seed: int = 0,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> Solution:
    """A valid schedule maximising fairness, then weight; the same for the same seed.

    The fast path (flow, round assignment, repair, fill, lift) runs first, and again with the rounds
    in reverse order if fairness falls short of the flow bound. When the result is still below the
    bound, the exact time-indexed MILP polishes it: always on tiny models (at most AUTO_EXACT_COLUMNS
    meeting variables, capped at AUTO_EXACT_SECONDS), and up to EXACT_MAX_COLUMNS when `time_limit`
    is given.
    """
    started = time.perf_counter()
    report = progress or _silent
    start, state = _start(problem, (), seed=seed, model=build_model(problem), fixed=(), report=report)
    fast = _schedule(start, state, seed=seed, reverse_rounds=False, started=started, report=report)
    if fast.stats is not None and fast.stats.fairness < fast.stats.fairness_bound:
        # Where windows bind, which rounds are assigned first decides who gets stranded; the other
        # order often strands no one. It costs a second pass (not a second flow) only when the first
        # one falls short.
        again = State.start(start.model, start.anchors)
        other = _schedule(start, again, seed=seed, reverse_rounds=True, started=time.perf_counter(), report=_silent)
        if _key(other) > _key(fast):
            fast = other
    stats = fast.stats
    if stats is None or (stats.fairness, stats.weight) >= (stats.fairness_bound, stats.weight_bound):
        return fast  # certified optimal: it reaches the ceiling
    limit = AUTO_EXACT_COLUMNS if time_limit is None else EXACT_MAX_COLUMNS
    if len(problem.pairs) > limit or sum(len(c.rounds & e.rounds) for c, e in _pair_people(problem)) > limit:
        return fast
    report("exact", 0.95)
    exact = full_milp(
        problem,
        time_limit=time_limit if time_limit is not None else AUTO_EXACT_SECONDS,
        seed=seed,
        ceiling=Bound(stats.fairness_bound, stats.weight_bound),
    )
    better = exact is not None and exact.stats is not None and _key(exact) > _key(fast)
    best = exact if better and exact is not None else fast
    assert best.stats is not None  # noqa: S101 - both paths report stats
    method = "bm_colour+milp" if best is exact else "bm_colour"
    final = dataclasses.replace(best.stats, solve_seconds=time.perf_counter() - started, method=method)
    return Solution(best.meetings, final)


def _key(solution: Solution) -> tuple[int, int]:
    stats = solution.stats
    return (stats.fairness, stats.weight) if stats else (-1, -1)


def _pair_people(problem: Problem) -> Iterator[tuple[Candidate, Employer]]:
    candidates = {c.id: c for c in problem.candidates}
    employers = {e.id: e for e in problem.employers}
    for p in problem.pairs:
        yield candidates[p.candidate], employers[p.employer]


def solve_keeping(
    problem: Problem,
    keep: Sequence[Meeting],
    *,
    seed: int = 0,
    progress: Progress | None = None,
    model: Model | None = None,
    reverse_rounds: bool = False,
    fixed: Sequence[Meeting] = (),
) -> Solution:
    """Like `solve` without the exact polish, preferring to keep the `keep` meetings where they are.

    Keeping ranks below fairness and above weight. With `keep`, the stats' weight bound is that of
    the keep-biased flow, not a bound on weight; `replan` reports the true bound. `fixed` meetings stay
    exactly as given, tables included, beside the problem's locks; the caller vouches that they obey the
    rules, so they are not placed or checked again (a re-plan's history and surviving meetings).
    """
    started = time.perf_counter()
    report = progress or _silent
    model = model or build_model(problem)  # locks are not part of the model, so callers may share one
    start, state = _start(problem, keep, seed=seed, model=model, fixed=fixed, report=report)
    return _schedule(start, state, seed=seed, reverse_rounds=reverse_rounds, started=started, report=report)


@dataclasses.dataclass(frozen=True, slots=True)
class _Start:
    """What a pass starts from: the fixed talks, the seeded orders and the first flow.

    It does not depend on the order of the rounds, so `solve` computes it once for both orders.
    """

    model: Model
    anchors: list[Meeting]
    order: IntArray
    cand_order: IntArray
    pinned: dict[int, Meeting]
    extra: npt.NDArray[np.float64] | None
    first: FlowResult
    fairness_bound: int
    weight_bound: int


def _start(
    problem: Problem, keep: Sequence[Meeting], *, seed: int, model: Model, fixed: Sequence[Meeting], report: Progress
) -> tuple[_Start, State]:
    """The shared start, and a state holding only the fixed talks (the flow reads it, leaves it as it was)."""
    anchors = [*place_locks(problem), *fixed]
    state = State.start(model, anchors)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(model.pc)).astype(np.int64)
    cand_order = rng.permutation(len(model.cand_ids)).astype(np.int64)
    cidx = {c: i for i, c in enumerate(model.cand_ids)}
    eidx = {e: j for j, e in enumerate(model.emp_ids)}
    pinned = {model.pair(cidx[m.candidate], eidx[m.employer]): m for m in keep}
    extra = None
    if pinned:
        extra = np.zeros(len(model.pc))
        # Keeping a meeting outweighs the weight of several others but never a fairness gain (the
        # flow's fairness bonus exceeds all weights and keep bonuses together). A bonus of the total
        # weight would make keeping strictly lexicographic but would push the LP's costs past 1e9.
        extra[list(pinned)] = float(_KEEP_WEIGHTS * int(model.pw.max(initial=1)) + 1)
    report("flow", 0.0)
    first = flow(state, order, extra)
    fairness_bound = state.fairness() + first.fairness
    weight_bound = state.weight() + first.weight
    return _Start(model, anchors, order, cand_order, pinned, extra, first, fairness_bound, weight_bound), state


def _schedule(
    start: _Start, state: State, *, seed: int, reverse_rounds: bool, started: float, report: Progress
) -> Solution:
    """One pass from the first flow on `state`, which holds only the fixed talks: rounds, repair, fill, lift."""
    model, order, pinned, extra, first = start.model, start.order, start.pinned, start.extra, start.first
    rounds = list(range(model.rounds, 0, -1)) if reverse_rounds else list(range(1, model.rounds + 1))
    chosen = _pin(state, first.chosen, pinned)
    for attempt in range(ATTEMPTS):
        report("rounds", (attempt + 1) / 4)
        dropped = _assign(state, chosen, rounds, order)
        if not _repair(state, dropped):
            break
        chosen = _pin(state, flow(state, order, extra).chosen, pinned)
        if len(chosen) == 0:
            break
    report("fill", 0.9)
    _fill(state, rounds, order, first.big)
    if state.fairness() < start.fairness_bound and _lift(state, start.cand_order):
        _fill(state, rounds, order, first.big)
    report("done", 1.0)
    return finish(state, start.fairness_bound, start.weight_bound, started=started, seed=seed, method="bm_colour")


def _pin(state: State, chosen: IntArray, pinned: dict[int, Meeting]) -> IntArray:
    """Place chosen pairs that have a meeting to keep at its round (and later its table); return the rest.

    They are not fixed: if fairness needs their seat, repair may still move them.
    """
    if not pinned:
        return chosen
    rest: list[int] = []
    for k in chosen:
        m = pinned.get(int(k))
        i, j = int(state.model.pc[k]), int(state.model.pe[k])
        if m is None or state.at[i, m.round] != FREE or state.model.cap[j, m.round] - state.used[j, m.round] <= 0:
            rest.append(int(k))
            continue
        state.place(int(k), m.round)
        state.prefer[int(k)] = m
    return np.array(rest, dtype=np.int64)


def _silent(stage: str, done: float) -> None:
    del stage, done


def _assign(state: State, chosen: IntArray, rounds: list[int], order: IntArray) -> list[int]:
    """Give the chosen pairs rounds, one round at a time; return the pairs that found none."""
    model = state.model
    n_c, n_e = len(model.cand_ids), len(model.emp_ids)
    pending = np.zeros(len(model.pc), dtype=np.bool_)
    pending[chosen] = True
    projected = state.talks + np.bincount(model.pc[chosen], minlength=n_c)
    # When the candidate's planned talks do not exceed the need, every one of them counts for fairness.
    carries = projected[model.pc] <= model.need[model.pc]
    max_w = float(max(int(model.pw.max(initial=1)), 1))
    for idx, r in enumerate(rounds):
        ks = np.flatnonzero(pending)
        if len(ks) == 0:
            break
        ks = ks[np.argsort(order[ks], kind="stable")]
        later = rounds[idx:]
        free = state.free()
        capfree = state.capfree().clip(min=0)
        load_c = np.bincount(model.pc[ks], minlength=n_c)
        load_e = np.bincount(model.pe[ks], minlength=n_e)
        left_c = free[:, later].sum(axis=1)
        left_e = capfree[:, later].sum(axis=1)
        now = ks[free[model.pc[ks], r] & (capfree[model.pe[ks], r] > 0)]
        if len(now) == 0:
            continue
        i_k, j_k = model.pc[now], model.pe[now]
        tight_c = ((load_c >= left_c) & (left_c > 0)).astype(np.float64)
        seats = capfree[:, r].astype(np.float64)
        need_e = np.clip(load_e - (left_e - capfree[:, r]), 0, capfree[:, r]).astype(np.float64)
        value = (
            _BASE
            + _FAIR * carries[now]
            + _URGENCY * load_c[i_k] / np.maximum(left_c[i_k], 1)
            + _URGENCY * load_e[j_k] / np.maximum(left_e[j_k], 1)
            + model.pw[now] / max_w
        )
        picked = bmatch(
            n_c,
            n_e,
            i_k,
            j_k,
            value,
            (tight_c, np.full(n_c, _TIGHT), 1.0 - tight_c),
            (need_e, np.full(n_e, _TIGHT), seats - need_e),
        )
        for k in now[picked]:
            state.place(int(k), r)
            pending[k] = False
    dropped = np.flatnonzero(pending)
    # Pairs that carry fairness are repaired first, then heavier pairs.
    keys = np.lexsort((order[dropped], -model.pw[dropped], ~carries[dropped]))
    return [int(k) for k in dropped[keys]]


def _repair(state: State, dropped: list[int]) -> list[int]:
    """Place dropped pairs directly or by moving one talk of either side to another round (a Kempe step)."""
    return [k for k in dropped if not (_direct(state, k) or _move_candidate(state, k) or _move_employer(state, k))]


def _open_rounds(state: State, i: int, j: int) -> list[int]:
    model = state.model
    return [
        r
        for r in range(1, model.rounds + 1)
        if model.avail[i, r] and state.at[i, r] == FREE and model.cap[j, r] - state.used[j, r] > 0
    ]


def _direct(state: State, k: int) -> bool:
    i, j = int(state.model.pc[k]), int(state.model.pe[k])
    rounds = _open_rounds(state, i, j)
    if rounds:
        state.place(k, rounds[0])
        return True
    return False


def _move_candidate(state: State, k: int) -> bool:
    """Free the candidate's round r by moving their talk there to another round."""
    model = state.model
    i, j = int(model.pc[k]), int(model.pe[k])
    for r in range(1, model.rounds + 1):
        other = int(state.at[i, r])
        if other < 0 or model.cap[j, r] - state.used[j, r] <= 0:
            continue
        targets = _open_rounds(state, i, int(model.pe[other]))
        if targets:
            state.unplace(other)
            state.place(other, targets[0])
            state.place(k, r)
            return True
    return False


def _move_employer(state: State, k: int) -> bool:
    """Free a seat at the employer in round r by moving another candidate's talk there to another round."""
    model = state.model
    i, j = int(model.pc[k]), int(model.pe[k])
    for r in range(1, model.rounds + 1):
        if not (model.avail[i, r] and state.at[i, r] == FREE and model.cap[j, r] > 0):
            continue
        for other in np.flatnonzero((model.pe == j) & (state.round_of == r) & ~state.fixed):
            targets = _open_rounds(state, int(model.pc[other]), j)
            if targets:
                state.unplace(int(other))
                state.place(int(other), targets[0])
                state.place(k, r)
                return True
    return False


def _fill(state: State, rounds: list[int], order: IntArray, big: int) -> None:
    """Use the seats still open, round by round: candidates below their need first, then by weight."""
    model = state.model
    n_c, n_e = len(model.cand_ids), len(model.emp_ids)
    for r in rounds:
        free = state.free()[:, r]
        capfree = state.capfree()[:, r].clip(min=0)
        ok = (state.round_of == 0) & free[model.pc] & (capfree[model.pe] > 0) & (state.talks < model.maxm)[model.pc]
        ks = np.flatnonzero(ok)
        if len(ks) == 0:
            continue
        ks = ks[np.argsort(order[ks], kind="stable")]
        below = (state.talks < model.need).astype(np.float64)
        picked = bmatch(
            n_c,
            n_e,
            model.pc[ks],
            model.pe[ks],
            model.pw[ks].astype(np.float64),
            (below, np.full(n_c, float(big)), 1.0 - below),
            (np.zeros(n_e), np.zeros(n_e), capfree.astype(np.float64)),
        )
        for k in ks[picked]:
            state.place(int(k), r)


def _lift(state: State, cand_order: IntArray) -> bool:
    """Give candidates below their need one more talk each by moving, switching or bumping another's talk.

    Round assignment can strand a candidate whose few rounds are full at the employers they may meet.
    A seat there frees up when its holder moves to another round at the same employer, swaps the talk
    for another pair (this round or a free one), or, if above their own need, gives the seat up: each
    step keeps everyone else's fairness, so fairness only grows. Returns whether anything changed.
    """
    model = state.model
    by_weight = np.lexsort((-model.pw, model.pc))  # each candidate's pairs, heaviest first
    by_candidate = np.split(by_weight, np.searchsorted(model.pc[by_weight], np.arange(1, len(model.cand_ids))))
    by_emp = np.argsort(model.pe, kind="stable")
    by_employer = np.split(by_emp, np.searchsorted(model.pe[by_emp], np.arange(1, len(model.emp_ids))))
    changed = False
    below = np.flatnonzero(state.talks < model.need)
    for i in below[np.argsort(cand_order[below], kind="stable")]:
        while state.talks[i] < model.need[i] and _lift_one(state, int(i), by_candidate, by_employer):
            changed = True
    return changed


def _lift_one(state: State, i: int, by_candidate: list[IntArray], by_employer: list[IntArray]) -> bool:
    model = state.model
    bump: tuple[int, int, int, int] | None = None  # (weight lost, k, holder's pair, round)
    for k in (int(x) for x in by_candidate[i][state.round_of[by_candidate[i]] == 0]):
        j = int(model.pe[k])
        rounds = np.flatnonzero(model.avail[i] & (model.cap[j] > 0) & (state.at[i] == FREE))
        if len(rounds) == 0:
            continue
        open_now = rounds[model.cap[j, rounds] - state.used[j, rounds] > 0]
        if len(open_now):
            state.place(k, int(open_now[0]))
            return True
        mine = by_employer[j]
        taken = state.round_of[mine]
        for r in (int(x) for x in rounds):
            for k2 in (int(x) for x in mine[(taken == r) & ~state.fixed[mine]]):
                i2 = int(model.pc[k2])
                move = _holder_move(state, i2, k2, r, by_candidate[i2])
                if move is not None:
                    state.unplace(k2)
                    state.place(move[0], move[1])
                    state.place(k, r)
                    return True
                if state.talks[i2] > model.need[i2]:
                    loss = int(model.pw[k2] - model.pw[k])
                    if bump is None or loss < bump[0]:
                        bump = (loss, k, k2, r)
    if bump is None:
        return False
    _, k, k2, r = bump
    state.unplace(k2)
    state.place(k, r)
    return True


def _holder_move(state: State, i2: int, k2: int, r: int, options: IntArray) -> tuple[int, int] | None:
    """Where the holder of pair k2 in round r can meet instead, as (pair, round), keeping their talk count."""
    model = state.model
    free = model.avail[i2] & (state.at[i2] == FREE)
    j = int(model.pe[k2])
    same = np.flatnonzero(free & (model.cap[j] - state.used[j] > 0))
    if len(same):
        return k2, int(same[0])
    unmet = options[state.round_of[options] == 0]
    if len(unmet) == 0:
        return None
    seats = model.cap[model.pe[unmet]] - state.used[model.pe[unmet]] > 0  # (n, R+1)
    now = np.flatnonzero(seats[:, r])
    if len(now):
        return int(unmet[now[0]]), r
    later = seats & free
    hit = np.flatnonzero(later.any(axis=1))
    if len(hit):
        return int(unmet[hit[0]]), int(np.flatnonzero(later[hit[0]])[0])
    return None
