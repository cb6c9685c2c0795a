"""Database rows <-> solver values: the only translator between the app and `schedule.solver`.

Ids in the solver are strings: ``e<employer participation id>`` and ``c<candidate participation id>``.
Weights come from `schedule.weights.pair_weight`, availability from the rounds each side is present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events import preferences as prefs
from events.models import Event, Preference, PreferenceSide
from schedule.models import Meeting as MeetingRow
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Problem
from schedule.weights import pair_weight


def employer_key(participation_id: int) -> str:
    return f"e{participation_id}"


def candidate_key(participation_id: int) -> str:
    return f"c{participation_id}"


def row_id(key: str) -> int:
    return int(key[1:])


async def load_problem(session: AsyncSession, event: Event, locked: Sequence[MeetingRow] = ()) -> Problem:
    """The event as a scheduling instance: present employers and active candidates, weighted pairs, locks."""
    employers = await prefs.load_employers(session, event)
    participations = await prefs.load_participations(session, event)
    ids = [p.id for p in participations]
    levels: dict[tuple[int, int], dict[PreferenceSide, int]] = defaultdict(dict)
    if ids:
        for pref in (
            await session.scalars(select(Preference).where(Preference.candidate_participation_id.in_(ids)))
        ).all():
            levels[(pref.candidate_participation_id, pref.employer_participation_id)][pref.side] = pref.level
    sectors = {e.id: prefs.employer_sectors(e) for e in employers}
    pairs = []
    for p in participations:
        wanted = set(p.candidate.sectors or [])
        for e in employers:
            both = levels.get((p.id, e.id), {})
            weight = pair_weight(
                both.get(PreferenceSide.CANDIDATE),
                both.get(PreferenceSide.EMPLOYER),
                sector_match=bool(wanted & sectors[e.id]),
            )
            if weight is not None:
                pairs.append(Pair(candidate_key(p.id), employer_key(e.id), weight))
    present = {candidate_key(p.id) for p in participations} | {employer_key(e.id) for e in employers}
    locks = tuple(
        Locked(candidate_key(m.candidate_participation_id), employer_key(m.employer_participation_id), m.round, m.table)
        for m in locked
        if candidate_key(m.candidate_participation_id) in present
        and employer_key(m.employer_participation_id) in present
    )
    return Problem(
        rounds=event.rounds,
        employers=tuple(
            Employer(
                employer_key(e.id),
                e.tables,
                min(e.seats, event.max_seats),
                frozenset(prefs.rounds_present(e.rounds, event)),
            )
            for e in employers
        ),
        candidates=tuple(
            Candidate(
                candidate_key(p.id),
                frozenset(prefs.rounds_present(p.rounds, event)),
                event.default_min_meetings if p.min_meetings is None else p.min_meetings,
                event.default_max_meetings if p.max_meetings is None else p.max_meetings,
            )
            for p in participations
        ),
        pairs=tuple(pairs),
        locked=locks,
        min_meetings=event.default_min_meetings,
        max_meetings=event.default_max_meetings,
    )


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
