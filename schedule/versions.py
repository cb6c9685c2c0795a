"""Reviewing a schedule version: how people are named, the grid and per-person views, the quality panel,
and a stored version's instance read back as a Problem (`problem_of`, which lives with the instance format in
`schedule.instance`).

The functions here work on plain values (a version's instance and its meeting rows); `schedule.services`
loads and stores them. Hand edits are in `schedule.edits`, the diff between two versions in `schedule.diff`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.i18n import gettext as _t
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Preference,
    PreferenceSide,
)
from events.platform.names import short_names
from events.platform.services import employer_names
from schedule.adapter import row_id
from schedule.instance import problem_of as problem_of  # the version pages and API read instances through here
from schedule.instance import problem_to_json
from schedule.models import Meeting as MeetingRow
from schedule.solver.types import (
    Meeting,
    Problem,
    Quality,
    Solution,
)

VERY_MUCH = 3


@dataclass(frozen=True, slots=True)
class Names:
    """How people are shown: candidates by full name (organisers) or first name and initial (print),
    employers by their organisation's name. Keys are participation ids."""

    candidates: dict[int, str]
    candidates_short: dict[int, str]
    employers: dict[int, str]

    def candidate(self, participation_id: int) -> str:
        return self.candidates.get(participation_id, f"#{participation_id}")

    def short(self, participation_id: int) -> str:
        return self.candidates_short.get(participation_id, f"#{participation_id}")

    def employer(self, participation_id: int) -> str:
        return self.employers.get(participation_id, f"#{participation_id}")


async def load_names(session: AsyncSession, event: Event) -> Names:
    """Every participation of the event, cancelled ones too (older versions may still name them)."""
    candidates: dict[int, str] = {}
    short: dict[int, str] = {}
    rows = await session.execute(
        select(CandidateParticipation.id, Candidate.first_name, Candidate.last_name, Candidate.erased_at)
        .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
        .where(CandidateParticipation.event_id == event.id)
    )
    present: dict[int, tuple[str, str]] = {}
    for pid, first, last, erased in rows.all():
        if erased is not None:
            candidates[pid] = short[pid] = _t("(erased)")
            continue
        candidates[pid] = f"{first} {last}".strip()
        present[pid] = (first, last)
    # The same short names as on badges, cards and calendars: surname initial, unique within the event.
    short.update(short_names(present))
    return Names(candidates, short, await employer_names(session, EmployerParticipation.event_id == event.id))


# -- views ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seat:
    meeting_id: int
    candidate_id: int
    name: str
    locked: bool


@dataclass(slots=True)
class TableRow:
    """One employer table across the rounds: ``cells[r]`` lists the seats taken in round r, None when the
    employer is not there."""

    employer_id: int
    employer: str
    table: int
    seats: int
    cells: dict[int, list[Seat] | None] = field(default_factory=dict)


EMPLOYERS_PER_PAGE = 40
CANDIDATES_PER_PAGE = 250


def pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def employer_order(problem: Problem, names: Names) -> list[int]:
    """Employer participation ids in the order the pages show them: by name."""
    return [
        row_id(e.id) for e in sorted(problem.employers, key=lambda e: (names.employer(row_id(e.id)).casefold(), e.id))
    ]


def employer_page(problem: Problem, names: Names, employer_id: int) -> int:
    order = employer_order(problem, names)
    return order.index(employer_id) // EMPLOYERS_PER_PAGE + 1 if employer_id in order else 1


def grid(
    problem: Problem,
    rows: Sequence[MeetingRow],
    names: Names,
    *,
    short: bool = False,
    only: set[int] | None = None,
) -> list[TableRow]:
    """Rounds x employer tables, employers by name, with the candidate in each seat (``only``: just these
    employers)."""
    if only is not None:
        rows = [m for m in rows if m.employer_participation_id in only]
    by_seat: dict[tuple[int, int, int], list[Seat]] = defaultdict(list)
    for m in sorted(rows, key=lambda m: (names.candidate(m.candidate_participation_id), m.id)):
        name = names.short(m.candidate_participation_id) if short else names.candidate(m.candidate_participation_id)
        by_seat[(m.employer_participation_id, m.table, m.round)].append(
            Seat(m.id, m.candidate_participation_id, name, m.locked)
        )
    result: list[TableRow] = []
    for e in sorted(problem.employers, key=lambda e: (names.employer(row_id(e.id)).casefold(), e.id)):
        eid = row_id(e.id)
        if only is not None and eid not in only:
            continue
        for table in range(1, e.tables + 1):
            row = TableRow(eid, names.employer(eid), table, e.seats)
            for r in range(1, problem.rounds + 1):
                row.cells[r] = by_seat.get((eid, table, r), []) if r in e.rounds else None
            result.append(row)
    # Meetings at employers that are no longer in the instance (cannot happen for a stored version, but
    # a row is never hidden): shown at the end.
    known = {row_id(e.id) for e in problem.employers}
    for eid, table, _r in sorted({k for k in by_seat if k[0] not in known}):
        row = TableRow(eid, names.employer(eid), table, 1)
        for r in range(1, problem.rounds + 1):
            row.cells[r] = by_seat.get((eid, table, r), [])
        result.append(row)
    return result


@dataclass(frozen=True, slots=True)
class Slot:
    meeting_id: int
    employer_id: int
    employer: str
    table: int
    locked: bool


@dataclass(slots=True)
class PersonDay:
    """A candidate's day: ``rounds[r]`` is their talk in round r, None when free, "absent" when away."""

    candidate_id: int
    name: str
    need: int
    rounds: dict[int, Slot | Literal["absent"] | None] = field(default_factory=dict)

    @property
    def talks(self) -> int:
        return sum(1 for v in self.rounds.values() if isinstance(v, Slot))


def candidate_days(problem: Problem, rows: Sequence[MeetingRow], names: Names) -> list[PersonDay]:
    talks = {(m.candidate_participation_id, m.round): m for m in rows}
    days = []
    for c in problem.candidates:
        cid = row_id(c.id)
        day = PersonDay(cid, names.candidate(cid), c.need())
        for r in range(1, problem.rounds + 1):
            m = talks.get((cid, r))
            if m is not None:
                day.rounds[r] = Slot(
                    m.id, m.employer_participation_id, names.employer(m.employer_participation_id), m.table, m.locked
                )
            else:
                day.rounds[r] = None if r in c.rounds else "absent"
        days.append(day)
    days.sort(key=lambda d: (d.name.casefold(), d.candidate_id))
    return days


# -- quality -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A candidate below their minimum and why."""

    candidate_id: int
    name: str
    talks: int
    need: int
    reason: Literal["absent", "vetoes", "capacity"]
    detail: str


@dataclass(frozen=True, slots=True)
class MissedWish:
    candidate_id: int
    candidate: str
    employer_id: int
    employer: str


@dataclass(frozen=True, slots=True)
class Review:
    quality: Quality
    shortfalls: tuple[Shortfall, ...]
    missed: tuple[MissedWish, ...]
    histogram_max: int


def shortfalls(problem: Problem, meetings: Iterable[Meeting], names: Names) -> list[Shortfall]:
    """Candidates below their minimum, each with the most telling reason: away in most rounds, too few
    employers possible (vetoes, no match, or possible employers absent in their rounds), or the tables they
    could sit at were full."""
    talks = Counter(m.candidate for m in meetings)
    employer_rounds = {e.id: e.rounds for e in problem.employers}
    possible: dict[str, set[str]] = defaultdict(set)
    for p in problem.pairs:
        possible[p.candidate].add(p.employer)
    result = []
    for c in problem.candidates:
        got = talks[c.id]
        if got >= c.need():
            continue
        cid = row_id(c.id)
        reachable = sum(1 for e in possible[c.id] if not employer_rounds.get(e, frozenset()).isdisjoint(c.rounds))
        if 2 * len(c.rounds) <= problem.rounds and len(c.rounds) < problem.rounds:
            reason: Literal["absent", "vetoes", "capacity"] = "absent"
            detail = _t("present in {n} of {total} rounds").format(n=len(c.rounds), total=problem.rounds)
        elif reachable < c.need():
            reason = "vetoes"
            detail = _t("only {n} employer(s) possible: the others said no, do not match or are away then").format(
                n=reachable
            )
        else:
            reason = "capacity"
            detail = _t("the tables of the {n} possible employers were full in their rounds").format(n=reachable)
        result.append(Shortfall(cid, names.candidate(cid), got, c.need(), reason, detail))
    result.sort(key=lambda s: (s.name.casefold(), s.candidate_id))
    return result


async def missed_wishes(
    session: AsyncSession, event: Event, problem: Problem, meetings: Iterable[Meeting], names: Names
) -> list[MissedWish]:
    """Pairs where both sides said "very much" and that have no talk in this version."""
    candidates = {row_id(c.id) for c in problem.candidates}
    employers = {row_id(e.id) for e in problem.employers}
    if not candidates:
        return []
    levels: dict[tuple[int, int], set[PreferenceSide]] = defaultdict(set)
    rows = await session.execute(
        select(Preference.candidate_participation_id, Preference.employer_participation_id, Preference.side)
        .join(CandidateParticipation, CandidateParticipation.id == Preference.candidate_participation_id)
        .where(CandidateParticipation.event_id == event.id, Preference.level == VERY_MUCH)
    )
    for cid, eid, side in rows.all():
        if cid in candidates and eid in employers:
            levels[(cid, eid)].add(side)
    held = {(row_id(m.candidate), row_id(m.employer)) for m in meetings}
    result = [
        MissedWish(cid, names.candidate(cid), eid, names.employer(eid))
        for (cid, eid), sides in levels.items()
        if len(sides) == len(PreferenceSide) and (cid, eid) not in held
    ]
    result.sort(key=lambda w: (w.candidate.casefold(), w.employer.casefold()))
    return result


def figures(problem: Problem, meetings: tuple[Meeting, ...], ceiling: tuple[int, int] | None = None) -> Quality:
    """The quality figures, computed exactly as `meetmatch schedule check` does (``ceiling``: the instance's
    bound when it is already known)."""
    from schedule.solver.bound import Bound
    from schedule.solver.quality import quality

    return quality(problem, Solution(meetings, None), ceiling=Bound(*ceiling) if ceiling else None)


# -- stored instances ----------------------------------------------------------------------------------


def instance_of(problem: Problem) -> dict[str, Any]:
    return problem_to_json(problem)
