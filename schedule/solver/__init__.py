"""The pure speed-date scheduler: frozen values in and out, no I/O, seeded randomness.

The functions live in their modules (`solve.solve`, `rules.check`, `quality.quality`,
`replan.replan`, `bound.bound`, `generate.generate`); only the value types load here, so importing
them does not pull in numpy and scipy.
"""

from schedule.solver.types import (
    Candidate,
    Employer,
    Locked,
    Meeting,
    Pair,
    Problem,
    Quality,
    Solution,
    Stats,
    Violation,
)

__all__ = [
    "Candidate",
    "Employer",
    "Locked",
    "Meeting",
    "Pair",
    "Problem",
    "Quality",
    "Solution",
    "Stats",
    "Violation",
]
