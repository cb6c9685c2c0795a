"""The adapter's instance: the fast pair listing equals the weight function applied to every pair, and a
stored version's instance reads back as the same problem."""

from __future__ import annotations

import random

import pytest

from events.platform.models import PreferenceSide
from schedule.adapter import EventData, assemble, candidate_key, employer_key
from schedule.instance import problem_from_json, problem_to_json
from schedule.solver.generate import generate
from schedule.versions import problem_of
from schedule.weights import pair_weight


def naive_pairs(data: EventData) -> dict[tuple[str, str], int]:
    """Every candidate against every employer, as the weight function's documentation says."""
    pairs = {}
    for cid, _rounds, _low, _high, wanted in data.candidates:
        for eid, _tables, _seats, _present, offered in data.employers:
            both = data.levels.get((cid, eid), {})
            weight = pair_weight(
                both.get(PreferenceSide.CANDIDATE),
                both.get(PreferenceSide.EMPLOYER),
                sector_match=bool(wanted & offered),
            )
            if weight is not None:
                pairs[(candidate_key(cid), employer_key(eid))] = weight
    return pairs


@pytest.mark.parametrize("seed", range(6))
def test_listed_pairs_equal_the_weight_function_on_every_pair(seed: int) -> None:
    rng = random.Random(seed)
    sectors = [f"s{i}" for i in range(6)]
    every = frozenset(range(1, 7))
    employers = tuple((100 + j, 1, 1, every, frozenset(rng.sample(sectors, rng.randint(0, 2)))) for j in range(12))
    candidates = tuple((1 + i, every, 2, 4, frozenset(rng.sample(sectors, rng.randint(0, 2)))) for i in range(40))
    levels: dict[tuple[int, int], dict[PreferenceSide, int]] = {}
    for _ in range(120):
        key = (rng.randint(1, 40), rng.randint(100, 111))
        levels.setdefault(key, {})[rng.choice(list(PreferenceSide))] = rng.randint(0, 3)
    data = EventData(6, 2, 4, employers, candidates, levels)

    problem, dropped = assemble(data)

    listed = {(p.candidate, p.employer): p.weight for p in problem.pairs}
    assert listed == naive_pairs(data)
    assert dropped == 0
    # Pairs come candidate by candidate, employers in their order: the same instance every time.
    order = [(p.candidate, p.employer) for p in problem.pairs]
    assert order == sorted(order, key=lambda k: (int(k[0][1:]), int(k[1][1:])))


@pytest.mark.slow
@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_a_stored_instance_reads_back_as_the_same_problem(size: str) -> None:
    problem = generate(size, 3, short_windows=size == "medium")

    assert problem_of(problem_to_json(problem)) == problem_from_json(problem_to_json(problem)) == problem
