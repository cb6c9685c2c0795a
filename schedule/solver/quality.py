"""The quality figures of a schedule, shared by `meetmatch schedule check` and the app's quality panel."""

from __future__ import annotations

from collections import Counter

from schedule.solver.bound import Bound, bound
from schedule.solver.types import Problem, Quality, Solution


def quality(problem: Problem, solution: Solution, *, ceiling: Bound | None = None) -> Quality:
    """Fairness and weight against the flow bound, talks per candidate and empty seats per round.

    Meetings naming unknown people or unlisted pairs count for nothing; `check()` reports them.
    """
    ceiling = ceiling or bound(problem)
    candidates = {c.id: c for c in problem.candidates}
    employers = {e.id: e for e in problem.employers}
    weights = {(p.candidate, p.employer): p.weight for p in problem.pairs}
    talks: Counter[str] = Counter()
    seated: Counter[int] = Counter()
    weight = 0
    for m in solution.meetings:
        if m.candidate in candidates:
            talks[m.candidate] += 1
        if m.employer in employers:
            seated[m.round] += 1
        weight += weights.get((m.candidate, m.employer), 0)
    fairness = sum(min(talks[c.id], c.need()) for c in problem.candidates)
    below = sum(1 for c in problem.candidates if talks[c.id] < c.need())
    histogram = Counter(talks[c.id] for c in problem.candidates)
    empty = tuple(
        sum(e.tables * e.seats for e in problem.employers if r in e.rounds) - seated[r]
        for r in range(1, problem.rounds + 1)
    )
    gap = 100.0 * (ceiling.weight - weight) / ceiling.weight if ceiling.weight else 0.0
    return Quality(
        fairness=fairness,
        fairness_bound=ceiling.fairness,
        weight=weight,
        weight_bound=ceiling.weight,
        weight_gap_percent=round(gap, 3),
        fairness_short=ceiling.fairness - fairness,
        below_min=below,
        meetings=len(solution.meetings),
        talks_histogram=tuple(sorted(histogram.items())),
        empty_seats_per_round=empty,
    )
