"""How the app turns both sides' preferences into a pair weight for the scheduler.

The rule lives with the solver (`schedule.solver.weights`), whose instance generator uses it too and which
imports nothing outside numpy, scipy and the standard library; this module is the app's way to it.
"""

from __future__ import annotations

from schedule.solver.weights import CANDIDATE_FACTOR, EMPLOYER_FACTOR, pair_weight

__all__ = ["CANDIDATE_FACTOR", "EMPLOYER_FACTOR", "pair_weight"]
