"""Upper bounds on fairness and weight from the round-free b-matching flow."""

from __future__ import annotations

from dataclasses import dataclass

from schedule.solver._model import Model, State, build_model, flow
from schedule.solver.rules import place_locks
from schedule.solver.types import Problem


@dataclass(frozen=True, slots=True)
class Bound:
    """No schedule beats `fairness`; none with that fairness beats `weight`."""

    fairness: int
    weight: int


def bound(problem: Problem, *, model: Model | None = None) -> Bound:
    """The flow ceiling: the best (fairness, weight) when rounds are ignored, locked meetings included."""
    model = model or build_model(problem)
    state = State.start(model, place_locks(problem))
    result = flow(state, any_optimum=True)
    return Bound(state.fairness() + result.fairness, state.weight() + result.weight)
