"""Plain frozen values that go in and out of the scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Employer:
    """An employer with `tables` parallel tables of `seats` candidates each, present in `rounds`."""

    id: str
    tables: int
    seats: int
    rounds: frozenset[int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate present in `rounds`; the limits are already resolved from the top-level defaults."""

    id: str
    rounds: frozenset[int]
    min_meetings: int
    max_meetings: int

    def need(self) -> int:
        """The minimum that counts for fairness: capped by the maximum and by the rounds present."""
        return max(0, min(self.min_meetings, self.max_meetings, len(self.rounds)))


@dataclass(frozen=True, slots=True)
class Pair:
    """A candidate and an employer who may meet, with a positive mutual-interest weight."""

    candidate: str
    employer: str
    weight: int


@dataclass(frozen=True, slots=True)
class Locked:
    """A meeting the organiser fixed; `table` None lets the solver pick the table."""

    candidate: str
    employer: str
    round: int
    table: int | None = None


@dataclass(frozen=True, slots=True, order=True)
class Meeting:
    """One talk: a candidate at an employer's table in a round (tables count from 1)."""

    round: int
    employer: str
    table: int
    candidate: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A complete scheduling instance; `min_meetings`/`max_meetings` are the top-level defaults."""

    rounds: int
    employers: tuple[Employer, ...]
    candidates: tuple[Candidate, ...]
    pairs: tuple[Pair, ...]
    locked: tuple[Locked, ...] = ()
    min_meetings: int = 0
    max_meetings: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    """Figures a solver reports with a schedule (bounds come from the flow relaxation)."""

    fairness: int
    fairness_bound: int
    weight: int
    weight_bound: int
    below_min: int
    solve_seconds: float
    seed: int = 0
    method: str = "bm_colour"
    moved: int | None = None


@dataclass(frozen=True, slots=True)
class Solution:
    """A schedule: its meetings sorted by round, employer, table, candidate."""

    meetings: tuple[Meeting, ...]
    stats: Stats | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken hard rule; `index` points at the offending meeting (or lock) when there is one."""

    code: str
    message: str
    index: int | None = None


@dataclass(frozen=True, slots=True)
class Quality:
    """The quality figures an organiser sees, computed the same way by the CLI and the app."""

    fairness: int
    fairness_bound: int
    weight: int
    weight_bound: int
    weight_gap_percent: float
    fairness_short: int
    below_min: int
    meetings: int
    talks_histogram: tuple[tuple[int, int], ...] = field(default=())
    empty_seats_per_round: tuple[int, ...] = field(default=())
