"""Reviewing and adjusting a programme version: names, the grid and per-person views, the quality panel,
hand edits checked against the solver's own rules, and the diff between two versions.

The functions here work on plain values (a version's instance and its meeting rows); `schedule.services`
loads and stores them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import DomainError
from events.platform.i18n import gettext as _t
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    Preference,
    PreferenceSide,
)
from events.platform.names import short_names
from schedule.adapter import candidate_key, employer_key, row_id
from schedule.instance import problem_to_json
from schedule.models import Meeting as MeetingRow
from schedule.solver.types import (
    Candidate as Person,
)
from schedule.solver.types import (
    Employer,
    Locked,
    Meeting,
    Pair,
    Problem,
    Quality,
    Solution,
    Violation,
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
    employer_rows = await session.execute(
        select(EmployerParticipation.id, Organisation.name)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(EmployerParticipation.event_id == event.id)
    )
    employers = dict(employer_rows.tuples().all())
    return Names(candidates, short, employers)


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


# -- edits ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """A meeting row's position; ``row`` is None for a talk being added."""

    row: MeetingRow | None
    candidate: int
    employer: int
    round: int
    table: int
    locked: bool

    def meeting(self) -> Meeting:
        return Meeting(self.round, employer_key(self.employer), self.table, candidate_key(self.candidate))


def placements(rows: Sequence[MeetingRow]) -> list[Placement]:
    return [
        Placement(m, m.candidate_participation_id, m.employer_participation_id, m.round, m.table, m.locked)
        for m in rows
    ]


def with_placements(problem: Problem, placed: Sequence[Placement], extra_pair: Pair | None = None) -> Problem:
    """The version's instance with its locks taken from the locked placements (and a hand-placed pair)."""
    locks = tuple(
        Locked(candidate_key(p.candidate), employer_key(p.employer), p.round, p.table) for p in placed if p.locked
    )
    pairs = problem.pairs + ((extra_pair,) if extra_pair else ())
    return replace(problem, locked=locks, pairs=pairs)


def check_placements(problem: Problem, placed: Sequence[Placement], names: Names, focus: set[int]) -> None:
    """Raise a readable DomainError for the first broken rule (preferring one about the edited talks,
    whose indexes are in ``focus``); nothing is saved then."""
    from schedule.solver.rules import RULES, check_meetings

    meetings = [p.meeting() for p in placed]
    violations = check_meetings(problem, meetings, RULES)
    if not violations:
        return
    violations.sort(key=lambda v: (v.index not in focus, 0))
    first = violations[0]
    raise DomainError(first.code, explain(first, placed, problem, names), _FIELDS.get(first.code))


_FIELDS = {
    "round_out_of_range": "round",
    "candidate_absent": "round",
    "employer_absent": "round",
    "candidate_double_booked": "round",
    "table_out_of_range": "table",
    "table_over_capacity": "table",
    "pair_not_listed": "employer",
    "pair_repeated": "employer",
    "unknown_employer": "employer",
    "unknown_candidate": "candidate",
    "max_meetings_exceeded": "candidate",
}


def explain(v: Violation, placed: Sequence[Placement], problem: Problem, names: Names) -> str:
    """The broken rule in the organiser's words, naming the people involved."""
    if v.index is None or v.index >= len(placed):
        if v.code in ("locked_missing", "locked_moved"):
            return _t("A locked talk would be lost. Unlock it first.")
        return v.message
    p = placed[v.index]
    values: dict[str, Any] = {
        "candidate": names.candidate(p.candidate),
        "employer": names.employer(p.employer),
        "round": p.round,
        "table": p.table,
        "rounds": problem.rounds,
    }
    employer = next((e for e in problem.employers if e.id == employer_key(p.employer)), None)
    candidate = next((c for c in problem.candidates if c.id == candidate_key(p.candidate)), None)
    values["tables"] = employer.tables if employer else 0
    values["seats"] = employer.seats if employer else 0
    values["max"] = candidate.max_meetings if candidate else 0
    messages = {
        "round_out_of_range": _t("There is no round {round}: the event has {rounds} rounds."),
        "candidate_absent": _t("{candidate} is not there in round {round}."),
        "employer_absent": _t("{employer} is not there in round {round}."),
        "candidate_double_booked": _t("{candidate} already has a talk in round {round}."),
        "table_out_of_range": _t("{employer} has {tables} table(s); there is no table {table}."),
        "table_over_capacity": _t("Table {table} of {employer} is full in round {round} ({seats} seat(s))."),
        "pair_not_listed": _t("{candidate} and {employer} cannot meet: one of them said no."),
        "pair_repeated": _t("{candidate} already talks with {employer} in another round."),
        "max_meetings_exceeded": _t("{candidate} would get more than {max} talks."),
        "unknown_employer": _t("{employer} is not part of this version. Build a new version to include them."),
        "unknown_candidate": _t("{candidate} is not part of this version. Build a new version to include them."),
    }
    template = messages.get(v.code)
    return template.format(**values) if template else v.message


EditAction = Literal["lock", "unlock", "move", "swap", "remove", "add"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to a draft version. ``meeting`` (and ``other`` for a swap) are meeting ids of the version;
    an added talk names the candidate and employer participation ids."""

    action: EditAction
    meeting: int | None = None
    other: int | None = None
    round: int | None = None
    table: int | None = None
    candidate: int | None = None
    employer: int | None = None
    locked: bool = True


@dataclass(frozen=True, slots=True)
class EditPlan:
    """The placements after an edit, checked; ``problem`` is the version's new instance."""

    placed: list[Placement]
    problem: Problem
    removed: MeetingRow | None
    summary: dict[str, Any]


def _find(rows: Sequence[MeetingRow], meeting_id: int | None, field_name: str) -> int:
    for i, m in enumerate(rows):
        if m.id == meeting_id:
            return i
    raise DomainError("unknown_meeting", _t("That talk is not in this version."), field_name)


def _required(value: int | None, field_name: str) -> int:
    if value is None:
        raise DomainError("required", _t("This field is required."), field_name)
    return value


def plan_edit(
    problem: Problem,
    rows: Sequence[MeetingRow],
    edit: Edit,
    names: Names,
    levels: dict[PreferenceSide, int] | None = None,
) -> EditPlan:
    """Apply ``edit`` to the placements and check the result against the solver's rules (nothing is stored
    here). ``levels`` are both sides' wishes for an added pair (a "no" from either refuses it)."""
    placed = placements(rows)
    extra: Pair | None = None
    removed: MeetingRow | None = None
    focus: set[int] = set()
    if edit.action in ("lock", "unlock"):
        i = _find(rows, edit.meeting, "meeting")
        placed[i] = replace(placed[i], locked=edit.action == "lock")
        focus = {i}
    elif edit.action == "move":
        i = _find(rows, edit.meeting, "meeting")
        rnd = placed[i].round if edit.round is None else edit.round
        table = placed[i].table if edit.table is None else edit.table
        placed[i] = replace(placed[i], round=rnd, table=table)
        focus = {i}
    elif edit.action == "swap":
        i = _find(rows, edit.meeting, "meeting")
        j = _find(rows, edit.other, "other")
        if i == j:
            raise DomainError("same_meeting", _t("Choose two different talks to swap."), "other")
        a, b = placed[i], placed[j]
        if a.locked or b.locked:
            raise DomainError("meeting_locked", _t("A locked talk cannot be swapped. Unlock it first."), "meeting")
        # Each candidate takes the other's seat: round, employer and table change hands.
        placed[i] = replace(a, round=b.round, employer=b.employer, table=b.table)
        placed[j] = replace(b, round=a.round, employer=a.employer, table=a.table)
        focus = {i, j}
    elif edit.action == "remove":
        i = _find(rows, edit.meeting, "meeting")
        if placed[i].locked:
            raise DomainError("meeting_locked", _t("A locked talk cannot be removed. Unlock it first."), "meeting")
        removed = rows[i]
        del placed[i]
    elif edit.action == "add":
        candidate = _required(edit.candidate, "candidate")
        employer = _required(edit.employer, "employer")
        rnd = _required(edit.round, "round")
        table = 1 if edit.table is None else edit.table
        if levels and 0 in levels.values():
            raise DomainError(
                "pair_vetoed",
                _t("{candidate} and {employer} cannot meet: one of them said no.").format(
                    candidate=names.candidate(candidate), employer=names.employer(employer)
                ),
                "employer",
            )
        ckey, ekey = candidate_key(candidate), employer_key(employer)
        if not any(c.id == ckey for c in problem.candidates):
            raise DomainError(
                "unknown_candidate",
                _t("{candidate} is not part of this version. Build a new version to include them.").format(
                    candidate=names.candidate(candidate)
                ),
                "candidate",
            )
        if not any(e.id == ekey for e in problem.employers):
            raise DomainError(
                "unknown_employer",
                _t("{employer} is not part of this version. Build a new version to include them.").format(
                    employer=names.employer(employer)
                ),
                "employer",
            )
        if not any(p.candidate == ckey and p.employer == ekey for p in problem.pairs):
            from schedule.adapter import HAND_WEIGHT

            extra = Pair(ckey, ekey, HAND_WEIGHT)
        placed.append(Placement(None, candidate, employer, rnd, table, edit.locked))
        focus = {len(placed) - 1}
    else:  # pragma: no cover - the API's schema only admits the actions above
        raise DomainError("unknown_action", f"unknown action {edit.action!r}", "action")
    new_problem = with_placements(problem, placed, extra)
    check_placements(new_problem, placed, names, focus)
    summary = {"action": edit.action, "meeting": edit.meeting, "other": edit.other}
    return EditPlan(placed, new_problem, removed, summary)


def instance_of(problem: Problem) -> dict[str, Any]:
    return problem_to_json(problem)


def problem_of(instance: dict[str, Any]) -> Problem:
    """A stored version's instance as a Problem. The app wrote it after `problem_from_json`'s checks, so it
    is read without them: 60,000 pairs in a tenth of the time, which keeps the pages of a large fair quick."""
    every = frozenset(range(1, instance["rounds"] + 1))
    low, high = instance["min_meetings"], instance["max_meetings"]
    return Problem(
        rounds=instance["rounds"],
        employers=tuple(
            Employer(e["id"], e["tables"], e.get("seats", 1), frozenset(e["rounds"]) if "rounds" in e else every)
            for e in instance["employers"]
        ),
        candidates=tuple(
            Person(
                c["id"],
                frozenset(c["rounds"]) if "rounds" in c else every,
                c.get("min_meetings", low),
                c.get("max_meetings", high),
            )
            for c in instance["candidates"]
        ),
        pairs=tuple(Pair(p["candidate"], p["employer"], p["weight"]) for p in instance["pairs"]),
        locked=tuple(
            Locked(lk["candidate"], lk["employer"], lk["round"], lk.get("table")) for lk in instance["locked"]
        ),
        min_meetings=low,
        max_meetings=high,
    )


# -- diff ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    kind: Literal["added", "removed", "moved"]
    candidate_id: int
    candidate: str
    employer_id: int
    employer: str
    before: tuple[int, int] | None  # (round, table)
    after: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Diff:
    base: int | None  # the version compared against (None: nothing published before)
    changes: tuple[Change, ...]
    candidates: tuple[tuple[int, str], ...]  # affected (participation id, name)
    employers: tuple[tuple[int, str], ...]


def diff(base: int | None, old: Sequence[MeetingRow], new: Sequence[MeetingRow], names: Names) -> Diff:
    """What changed between two versions, talk by talk (a pair meets at most once, so pairs are the key),
    and exactly who is affected: both people of every added, removed or moved talk."""
    before = {(m.candidate_participation_id, m.employer_participation_id): (m.round, m.table) for m in old}
    after = {(m.candidate_participation_id, m.employer_participation_id): (m.round, m.table) for m in new}
    changes: list[Change] = []
    for key in before.keys() | after.keys():
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        kind: Literal["added", "removed", "moved"] = "added" if was is None else "removed" if now is None else "moved"
        cid, eid = key
        changes.append(Change(kind, cid, names.candidate(cid), eid, names.employer(eid), was, now))
    changes.sort(key=lambda c: (c.candidate.casefold(), c.candidate_id, (c.after or c.before or (0, 0))))
    candidates = sorted({(c.candidate_id, c.candidate) for c in changes}, key=lambda x: (x[1].casefold(), x[0]))
    employers = sorted({(c.employer_id, c.employer) for c in changes}, key=lambda x: (x[1].casefold(), x[0]))
    return Diff(base, tuple(changes), tuple(candidates), tuple(employers))


# -- the employer's briefing pack ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BriefingTalk:
    round: int
    table: int
    card: Any  # events.registration.preferences.CandidateCard, or None when the candidate may no longer be shown


@dataclass(frozen=True, slots=True)
class Briefing:
    employer: EmployerParticipation
    version: int | None  # the published version it follows; None before anything is published
    talks: dict[int, list[BriefingTalk]]  # by round


async def briefing(session: AsyncSession, user: Any, event: Event, employer_id: int) -> Briefing:
    """The candidates an employer will meet, round by round, as the anonymised cards it may see before the
    event (first name and initial, interests, hours, their own words; never contact data, coach or notes).
    Organisers may print any employer's; an employer only its own (anything else answers 404)."""
    from events.registration import preferences as prefs
    from schedule import services

    employer, cards = await prefs.employer_cards(session, user, event, employer_id)
    shown = await services.current(session, event)
    talks: dict[int, list[BriefingTalk]] = defaultdict(list)
    if shown is not None:
        by_participation = {c.participation_id: c for c in cards}
        rows = await session.execute(
            select(MeetingRow.round, MeetingRow.table, MeetingRow.candidate_participation_id)
            .where(MeetingRow.version_id == shown.id, MeetingRow.employer_participation_id == employer.id)
            .order_by(MeetingRow.round, MeetingRow.table, MeetingRow.id)
        )
        for rnd, table, candidate_id in rows.all():
            talks[rnd].append(BriefingTalk(rnd, table, by_participation.get(candidate_id)))
    return Briefing(employer, shown.number if shown else None, dict(talks))
