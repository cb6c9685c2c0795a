"""Hand edits to a draft schedule version: lock, unlock, move, swap, remove or add a talk. Each edit is
planned on plain values and checked against the solver's own rules (a broken rule is explained in the
organiser's words, naming the people), and only then stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import ConflictError, DomainError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, Preference, PreferenceSide
from events.platform.services import audit
from schedule import services
from schedule.adapter import HAND_WEIGHT, candidate_key, employer_key
from schedule.instance import problem_of, quality_to_json
from schedule.models import Meeting as MeetingRow
from schedule.models import ScheduleVersion, VersionStatus
from schedule.solver.types import Locked, Meeting, Pair, Problem, Violation
from schedule.versions import Names, figures, instance_of, load_names


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

    @classmethod
    def from_form(cls, action: str, values: Mapping[str, Any], meeting: int | None = None) -> Edit:
        """The edit a page's form asks for (``meeting``: the talk whose page it is)."""
        if action not in ("lock", "unlock", "move", "swap", "remove", "add"):
            raise DomainError("unknown_action", "unknown action", "action")
        return cls(
            action,  # type: ignore[arg-type]  # checked just above
            meeting=meeting,
            other=form_number(values.get("other")),
            round=form_number(values.get("round")),
            table=form_number(values.get("table")),
            candidate=form_number(values.get("candidate")),
            employer=form_number(values.get("employer")),
            locked=values.get("locked") in ("1", "on", "true"),
        )


def form_number(value: Any) -> int | None:
    """A positive id or number typed into a form; anything else is None (the edit then names the field)."""
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and 0 < len(text) <= 9:
        return int(text)
    return None


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


def _not_in_version(side: str, message: str, name: str) -> DomainError:
    """A hand-placed talk whose candidate or employer (``side``) the version was not built with; ``message``
    names them by the placeholder ``side``."""
    return DomainError(f"unknown_{side}", message.format(**{side: name}), side)


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
            message = _t("{candidate} is not part of this version. Build a new version to include them.")
            raise _not_in_version("candidate", message, names.candidate(candidate))
        if not any(e.id == ekey for e in problem.employers):
            message = _t("{employer} is not part of this version. Build a new version to include them.")
            raise _not_in_version("employer", message, names.employer(employer))
        if not any(p.candidate == ckey and p.employer == ekey for p in problem.pairs):
            extra = Pair(ckey, ekey, HAND_WEIGHT)
        placed.append(Placement(None, candidate, employer, rnd, table, edit.locked))
        focus = {len(placed) - 1}
    else:  # pragma: no cover - the API's schema only admits the actions above
        raise DomainError("unknown_action", f"unknown action {edit.action!r}", "action")
    new_problem = with_placements(problem, placed, extra)
    check_placements(new_problem, placed, names, focus)
    summary = {"action": edit.action, "meeting": edit.meeting, "other": edit.other}
    return EditPlan(placed, new_problem, removed, summary)


# -- storing an edit -----------------------------------------------------------------------------------


async def _pair_levels(session: AsyncSession, candidate: int, employer: int) -> dict[PreferenceSide, int]:
    rows = await session.execute(
        select(Preference.side, Preference.level).where(
            Preference.candidate_participation_id == candidate, Preference.employer_participation_id == employer
        )
    )
    return dict(rows.tuples().all())


def _refigure(problem: Problem, placed: list[Placement], ceiling: tuple[int, int] | None) -> dict[str, Any]:
    return quality_to_json(figures(problem, tuple(sorted(p.meeting() for p in placed)), ceiling))


async def edit_version(
    session: AsyncSession, user: CurrentUser, event: Event, number: int, edit: Edit
) -> ScheduleVersion:
    """Apply one hand edit to a draft version after checking it against the solver's rules; a broken rule
    raises a DomainError naming it, and nothing is saved."""
    version = await services.get_version(session, user, event, number)
    if version.status is VersionStatus.PUBLISHED:
        raise ConflictError(
            "version_published",
            _t("Version {n} is published and can no longer change. Make a new draft from it to adjust it.").format(
                n=version.number
            ),
        )
    names = await load_names(session, event)
    levels = (
        await _pair_levels(session, edit.candidate, edit.employer)
        if edit.action == "add" and edit.candidate is not None and edit.employer is not None
        else None
    )
    problem = problem_of(version.instance)
    plan = plan_edit(problem, version.meetings, edit, names, levels)
    for placement in plan.placed:
        row = placement.row
        if row is None:
            row = MeetingRow(
                version_id=version.id,
                candidate_participation_id=placement.candidate,
                employer_participation_id=placement.employer,
            )
            session.add(row)
            version.meetings.append(row)
        row.round, row.table, row.locked = placement.round, placement.table, placement.locked
        row.employer_participation_id = placement.employer
    if plan.removed is not None:
        version.meetings.remove(plan.removed)
        await session.delete(plan.removed)
    # Swaps exchange rounds: write the removal and changes before new rows, in one flush.
    # The bound depends on the locks and the pairs only: unchanged, it is taken over.
    old = version.stats.get("quality") or {}
    same = plan.problem.locked == problem.locked and len(plan.problem.pairs) == len(problem.pairs)
    ceiling = (old["fairness_bound"], old["weight_bound"]) if same and "weight_bound" in old else None
    version.instance = instance_of(plan.problem)
    quality = await anyio.to_thread.run_sync(_refigure, plan.problem, plan.placed, ceiling)
    version.stats = {**version.stats, "quality": quality}
    await session.flush()
    await audit(session, user, "edit", "schedule_version", version.id, detail={"number": number, **plan.summary})
    return version
