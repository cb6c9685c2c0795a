"""Database rows <-> solver values: the only translator between the app and `schedule.solver`.

Ids in the solver are strings: ``e<employer participation id>`` and ``c<candidate participation id>``.
Weights come from `schedule.weights.pair_weight`, availability from the rounds each side is present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.models import Candidate as CandidateRow
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Opening,
    Organisation,
    Preference,
    PreferenceSide,
)
from events.registration import preferences as prefs
from schedule.models import Meeting as MeetingRow
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Problem
from schedule.weights import pair_weight


def employer_key(participation_id: int) -> str:
    return f"e{participation_id}"


def candidate_key(participation_id: int) -> str:
    return f"c{participation_id}"


def row_id(key: str) -> int:
    return int(key[1:])


# The weight of a talk the organiser placed by hand for a pair nobody rated: it is kept, never preferred.
HAND_WEIGHT = 1


@dataclass(frozen=True, slots=True)
class EventData:
    """What building needs from the database, as plain values: fetched on the event loop, turned into a
    `Problem` in a worker thread (3,000 x 200 pairs is CPU work that must not stall the server)."""

    rounds: int
    min_meetings: int
    max_meetings: int
    # (participation id, tables, seats, rounds present, sectors)
    employers: tuple[tuple[int, int, int, frozenset[int], frozenset[str]], ...]
    # (participation id, rounds present, min, max, sectors wanted)
    candidates: tuple[tuple[int, frozenset[int], int, int, frozenset[str]], ...]
    levels: dict[tuple[int, int], dict[PreferenceSide, int]] = field(default_factory=dict)
    # (candidate participation id, employer participation id, round, table) of the meetings to keep
    locks: tuple[tuple[int, int, int, int | None], ...] = ()


async def fetch(session: AsyncSession, event: Event, locked: Sequence[MeetingRow] = ()) -> EventData:
    """Present employers and planned candidates, their wishes and the locked meetings to keep.

    Plain column queries rather than ORM objects: a 3,000-candidate fair loads in a fraction of a second
    and builds no identity map on the server's event loop.
    """
    every = frozenset(range(1, event.rounds + 1))

    def present(rounds: list[int] | None) -> frozenset[int]:
        return frozenset(rounds) if rounds else every

    sectors: dict[int, set[str]] = defaultdict(set)
    employers = (
        await session.execute(
            select(
                EmployerParticipation.id,
                EmployerParticipation.tables,
                EmployerParticipation.seats,
                EmployerParticipation.rounds,
                Organisation.sector,
            )
            .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
            .where(EmployerParticipation.taking_part(event.id))
            .order_by(EmployerParticipation.id)
        )
    ).all()
    for employer_id, _tables, _seats, _rounds, sector in employers:
        if sector:
            sectors[employer_id].add(sector)
    openings = await session.execute(
        select(Opening.employer_participation_id, Opening.sector)
        .join(EmployerParticipation, EmployerParticipation.id == Opening.employer_participation_id)
        .where(EmployerParticipation.event_id == event.id, Opening.sector.is_not(None))
    )
    for employer_id, sector in openings.all():
        sectors[employer_id].add(sector)
    candidates = (
        await session.execute(
            select(
                CandidateParticipation.id,
                CandidateParticipation.rounds,
                CandidateParticipation.min_meetings,
                CandidateParticipation.max_meetings,
                CandidateRow.sectors,
            )
            .join(CandidateRow, CandidateRow.id == CandidateParticipation.candidate_id)
            .where(prefs.planned_participations(event))
            .order_by(CandidateRow.first_name, CandidateRow.last_name, CandidateRow.id)
        )
    ).all()
    levels: dict[tuple[int, int], dict[PreferenceSide, int]] = defaultdict(dict)
    rows = await session.stream(
        select(
            Preference.candidate_participation_id,
            Preference.employer_participation_id,
            Preference.side,
            Preference.level,
        )
        .join(CandidateParticipation, CandidateParticipation.id == Preference.candidate_participation_id)
        .where(CandidateParticipation.event_id == event.id)
    )
    # In slices, so that the server answers other requests between them (a fair has 50,000 wishes).
    async for part in rows.partitions(2000):
        for candidate_id, employer_id, side, level in part:
            levels[(candidate_id, employer_id)][side] = level
    low, high = event.default_min_meetings, event.default_max_meetings
    return EventData(
        rounds=event.rounds,
        min_meetings=low,
        max_meetings=high,
        employers=tuple(
            (eid, tables, min(seats, event.max_seats), present(rounds), frozenset(sectors[eid]))
            for eid, tables, seats, rounds, _sector in employers
        ),
        candidates=tuple(
            (
                pid,
                present(rounds),
                low if lowest is None else lowest,
                high if highest is None else highest,
                frozenset(wanted or ()),
            )
            for pid, rounds, lowest, highest, wanted in candidates
        ),
        levels=dict(levels),
        locks=tuple(
            (m.candidate_participation_id, m.employer_participation_id, m.round, m.table) for m in locked if m.locked
        ),
    )


def vetoed(levels: dict[PreferenceSide, int]) -> bool:
    return 0 in levels.values()


def assemble(data: EventData) -> tuple[Problem, int]:
    """The scheduling instance and the number of locks that could not be kept.

    A lock is kept while both people are still planned, present in its round, the table still exists and
    nobody has since said no; a locked pair that is not listed (placed by hand) is listed with HAND_WEIGHT.
    """
    sectors = {e[0]: e[4] for e in data.employers}
    by_sector: dict[str, list[int]] = defaultdict(list)
    for employer_id, offered in sectors.items():
        for sector in offered:
            by_sector[sector].append(employer_id)
    rated: dict[int, list[int]] = defaultdict(list)
    for candidate_id, employer_id in data.levels:
        rated[candidate_id].append(employer_id)
    order = {e[0]: i for i, e in enumerate(data.employers)}
    pairs: dict[tuple[int, int], int] = {}
    for candidate_id, _rounds, _low, _high, wanted in data.candidates:
        # Only employers in a wanted sector or rated by either side can be listed: 15 or so of 200.
        matching = {e for sector in wanted for e in by_sector.get(sector, ())}
        for employer_id in sorted(
            matching.union(e for e in rated[candidate_id] if e in sectors), key=order.__getitem__
        ):
            both = data.levels.get((candidate_id, employer_id))
            match = employer_id in matching
            if both is None:
                pairs[(candidate_id, employer_id)] = 1
                continue
            weight = pair_weight(
                both.get(PreferenceSide.CANDIDATE), both.get(PreferenceSide.EMPLOYER), sector_match=match
            )
            if weight is not None:
                pairs[(candidate_id, employer_id)] = weight
    employers = {e[0]: e for e in data.employers}
    candidates = {c[0]: c for c in data.candidates}
    locks: list[Locked] = []
    dropped = 0
    taken: set[tuple[int, int]] = set()
    for candidate_id, employer_id, rnd, table in data.locks:
        employer = employers.get(employer_id)
        candidate = candidates.get(candidate_id)
        keep = (
            employer is not None
            and candidate is not None
            and rnd in employer[3]
            and rnd in candidate[1]
            and (table is None or table <= employer[1])
            and not vetoed(data.levels.get((candidate_id, employer_id), {}))
            and (candidate_id, rnd) not in taken
        )
        if not keep:
            dropped += 1
            continue
        taken.add((candidate_id, rnd))
        pairs.setdefault((candidate_id, employer_id), HAND_WEIGHT)
        locks.append(Locked(candidate_key(candidate_id), employer_key(employer_id), rnd, table))
    problem = Problem(
        rounds=data.rounds,
        employers=tuple(Employer(employer_key(e[0]), e[1], e[2], e[3]) for e in data.employers),
        candidates=tuple(Candidate(candidate_key(c[0]), c[1], c[2], c[3]) for c in data.candidates),
        pairs=tuple(Pair(candidate_key(c), employer_key(e), w) for (c, e), w in pairs.items()),
        locked=tuple(locks),
        min_meetings=data.min_meetings,
        max_meetings=data.max_meetings,
    )
    return problem, dropped


async def load_problem(session: AsyncSession, event: Event, locked: Sequence[MeetingRow] = ()) -> Problem:
    """The event as a scheduling instance: present employers and active candidates, weighted pairs, locks."""
    problem, _dropped = assemble(await fetch(session, event, locked))
    return problem


def meeting_rows(meetings: Sequence[Meeting], locked: set[tuple[str, str, int]]) -> list[MeetingRow]:
    """Solver meetings as rows of a version (the caller sets the version)."""
    return [
        MeetingRow(
            round=m.round,
            table=m.table,
            employer_participation_id=row_id(m.employer),
            candidate_participation_id=row_id(m.candidate),
            locked=(m.candidate, m.employer, m.round) in locked,
        )
        for m in meetings
    ]


def solver_meetings(rows: Sequence[MeetingRow]) -> tuple[Meeting, ...]:
    return tuple(
        sorted(
            Meeting(
                r.round, employer_key(r.employer_participation_id), r.table, candidate_key(r.candidate_participation_id)
            )
            for r in rows
        )
    )
