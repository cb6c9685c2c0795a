"""What an event (or a programme of events) achieved, as plain figures: the funnel from registration to a job,
the outcomes still running at 1, 3 and 6 months, per employer, per coach organisation, for funders, against
targets, and the evaluation's answers.

Pure queries returning frozen dataclasses of exact counts; nothing here renders or anonymises (see
events.reports.suppress and events.reports.view). Every figure counts distinct candidates, and only confirmed
outcomes of the event itself (Outcome.event_id). The work is a fixed handful of grouped queries whatever the
number of candidates: the rows fetched per outcome or per participation are aggregated here, in Python, never
looked up one by one.

The check-in and talk tables belong to the badges slice; they are named, not imported (DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import Select, Table, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.dates import add_months
from events.db import import_models
from events.i18n import N_
from events.models import (
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    ParticipationStatus,
    PathwayKind,
    User,
)
from events.outcomes.models import (
    CHECK_MONTHS,
    LASTING_MONTHS,
    ContractType,
    Evaluation,
    Outcome,
    OutcomeStatus,
    Programme,
    Respondent,
)

PLACEMENT_KINDS = frozenset(
    {PathwayKind.TRIAL_PLACEMENT, PathwayKind.INTERNSHIP, PathwayKind.WORK_EXPERIENCE, PathwayKind.VOLUNTEERING}
)
# The funnel step an outcome kind counts towards ("stopped" counts towards none).
STEP_OF_KIND: dict[PathwayKind, str] = {
    PathwayKind.SECOND_INTERVIEW: "second_interviews",
    **dict.fromkeys(PLACEMENT_KINDS, "placements"),
    PathwayKind.TRAINING: "training_starts",
    PathwayKind.PAID_JOB: "job_starts",
}
# The kinds that start something that lasts (and so can still be running at a follow-up check).
START_STEPS = ("placements", "training_starts", "job_starts")

# The funnel's steps in order, with their labels (msgids; the pages translate them).
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("registered", N_("registered")),
    ("present", N_("present")),
    ("talked", N_("held a talk")),
    ("follow_up", N_("follow-up wished")),
    ("second_interviews", N_("second interview")),
    ("placements", N_("placement")),
    ("training_starts", N_("started a training")),
    ("job_starts", N_("started a paid job")),
)

# What an organiser may set a target for (Event.targets and Programme.targets), in this order.
TARGETS: dict[str, str] = {
    "present": N_("present at the event"),
    "second_interviews": N_("second interviews"),
    "placements": N_("placements"),
    "training_starts": N_("training starts"),
    "job_starts": N_("paid job starts"),
}

# Hours per week of a paid job, in the buckets funders ask about: (label, lowest, highest).
HOUR_BANDS: tuple[tuple[str, int, int], ...] = (
    (N_("under 12 hours"), 0, 11),
    (N_("12 to 23 hours"), 12, 23),
    (N_("24 to 31 hours"), 24, 31),
    (N_("32 hours or more"), 32, 10_000),
)


def _tables() -> tuple[Table, Table]:
    tables = import_models().tables
    return tables["check_in"], tables["held_talk"]


# --- the figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """Distinct candidates at each step; `talks` is the number of talks held (not of candidates)."""

    registered: int = 0
    present: int = 0
    talked: int = 0
    talks: int = 0
    follow_up: int = 0
    second_interviews: int = 0
    placements: int = 0
    training_starts: int = 0
    job_starts: int = 0

    def value(self, key: str) -> int:
        return int(getattr(self, key))

    def steps(self) -> list[tuple[str, str, int]]:
        """(key, label msgid, count) for each step, in order."""
        return [(key, label, self.value(key)) for key, label in FUNNEL_STEPS]

    @staticmethod
    def total(funnels: Iterable[Funnel]) -> Funnel:
        """Step by step sums (a candidate at two events counts at each)."""
        sums = dict.fromkeys((f.name for f in fields(Funnel)), 0)
        for funnel in funnels:
            for name in sums:
                sums[name] += funnel.value(name)
        return Funnel(**sums)


@dataclass(frozen=True)
class Checkpoint:
    """The candidates whose placement, training or job had started by `months` after the event and was still
    running on that day. Not `reached` while that day is still to come (then every count is 0)."""

    months: int
    date: dt.date
    reached: bool
    placements: int = 0
    training_starts: int = 0
    job_starts: int = 0
    any_start: int = 0

    def value(self, key: str) -> int:
        return int(getattr(self, key))


@dataclass(frozen=True)
class EmployerRow:
    organisation_id: int
    name: str
    talks: int = 0
    follow_up: int = 0
    second_interviews: int = 0
    placements: int = 0
    training_starts: int = 0
    job_starts: int = 0
    # Candidates with any placement, training or job start at this employer.
    starts: int = 0

    def value(self, key: str) -> int:
        return int(getattr(self, key))


@dataclass(frozen=True)
class CoachOrganisationRow:
    """Candidates per organisation of their coaches (a candidate with coaches at two organisations counts at
    each); organisation_id None: candidates whose coaches belong to no organisation, or who have no coach."""

    organisation_id: int | None
    name: str
    registered: int = 0
    present: int = 0
    with_outcome: int = 0  # any confirmed outcome other than "stopped"
    job_starts: int = 0

    def value(self, key: str) -> int:
        return int(getattr(self, key))


@dataclass(frozen=True)
class FunderFigures:
    """What funders ask about. Each group below is a partition of the candidates it names."""

    # Candidates with a placement, training or job start: did they leave benefits?
    started: int = 0
    left_benefits: int = 0
    kept_benefits: int = 0
    benefits_unknown: int = 0
    # Candidates with a paid job start: was (one of) their contracts lasting (LASTING_MONTHS or more)?
    job_starts: int = 0
    lasting: int = 0
    short: int = 0
    length_unknown: int = 0
    # Paid job starts by hours per week (a candidate's longest week), and the mean of those known.
    hour_bands: tuple[tuple[str, int], ...] = ()
    hours_unknown: int = 0
    hours_known: int = 0
    mean_hours: float | None = None
    # Candidates per outcome kind (second interview ... stopped).
    per_kind: tuple[tuple[PathwayKind, int], ...] = ()


@dataclass(frozen=True)
class TargetRow:
    key: str
    label: str
    target: int
    actual: int

    @property
    def reached(self) -> bool:
        return self.actual >= self.target

    @property
    def percent(self) -> int:
        return round(100 * self.actual / self.target) if self.target else 0


@dataclass(frozen=True)
class RespondentSummary:
    respondent: Respondent
    invited: int = 0
    answered: int = 0
    # Means over the answers that gave the question a valid value (1-5), and how many those were.
    overall_mean: float | None = None
    overall_count: int = 0
    talks_mean: float | None = None
    talks_count: int = 0
    again: tuple[tuple[str, int], ...] = (("yes", 0), ("maybe", 0), ("no", 0))
    # The free-text comments; only in organisers' own pages, never in anonymised output.
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventReport:
    """Every figure of one event, on the day `today`."""

    event_id: int
    slug: str
    name: str
    date: dt.date
    today: dt.date
    funnel: Funnel
    checkpoints: tuple[Checkpoint, ...]
    employers: tuple[EmployerRow, ...]
    coach_organisations: tuple[CoachOrganisationRow, ...]
    funder: FunderFigures
    targets: tuple[TargetRow, ...]
    evaluation: tuple[RespondentSummary, ...]

    def counts_only(self) -> EventReport:
        """The same report without the evaluation's free-text comments: what must stay equal when a person is
        erased (their comment goes with them; every figure stays)."""
        return replace(self, evaluation=tuple(replace(s, comments=()) for s in self.evaluation))


@dataclass(frozen=True)
class ProgrammeEvent:
    event_id: int
    slug: str
    name: str
    date: dt.date
    funnel: Funnel
    checkpoints: tuple[Checkpoint, ...]


@dataclass(frozen=True)
class ProgrammeReport:
    programme_id: int
    name: str
    description: str
    today: dt.date
    events: tuple[ProgrammeEvent, ...]  # by date
    totals: Funnel
    # Candidates still in a placement, training or job at each check, summed over the events that reached it.
    checkpoint_totals: tuple[Checkpoint, ...]
    targets: tuple[TargetRow, ...]
    funder: FunderFigures = field(default_factory=FunderFigures)


# --- queries ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _OutcomeRow:
    event_id: int | None  # never None here: the query asks for given events
    candidate_id: int
    kind: PathwayKind
    organisation_id: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    contract_type: ContractType | None
    contract_months: int | None
    hours_per_week: int | None
    leaves_benefits: bool | None


async def _outcomes(session: AsyncSession, event_ids: Sequence[int]) -> list[_OutcomeRow]:
    """The confirmed outcomes of these events: one query, one row per outcome (a few per candidate at most)."""
    query = select(
        Outcome.event_id,
        Outcome.candidate_id,
        Outcome.kind,
        Outcome.organisation_id,
        Outcome.start_date,
        Outcome.end_date,
        Outcome.contract_type,
        Outcome.contract_months,
        Outcome.hours_per_week,
        Outcome.leaves_benefits,
    ).where(Outcome.event_id.in_(event_ids), Outcome.status == OutcomeStatus.CONFIRMED)
    return [_OutcomeRow(*row) for row in (await session.execute(query)).tuples()]


async def _pairs(session: AsyncSession, query: Select[tuple[Any, Any]]) -> dict[Any, Any]:
    """A two-column query as a dict of the first column to the second."""
    # Not dict(result): a result has a keys() method (its column names), which dict() would take it by.
    return {key: value for key, value in (await session.execute(query)).tuples()}  # noqa: C416


def _active_participation() -> Any:
    return CandidateParticipation.status != ParticipationStatus.CANCELLED


async def _funnel_counts(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Registered, present, talked, talks and follow-up wishes per event: three grouped queries."""
    check_in, talk = _tables()
    counts: dict[int, dict[str, int]] = {i: {} for i in event_ids}
    registered = await session.execute(
        select(CandidateParticipation.event_id, func.count())
        .where(CandidateParticipation.event_id.in_(event_ids), _active_participation())
        .group_by(CandidateParticipation.event_id)
    )
    for event_id, count in registered.tuples():
        counts[event_id]["registered"] = int(count)
    present = await session.execute(
        select(CandidateParticipation.event_id, func.count(distinct(CandidateParticipation.id)))
        .join(check_in, check_in.c.candidate_participation_id == CandidateParticipation.id)
        .where(CandidateParticipation.event_id.in_(event_ids), _active_participation())
        .group_by(CandidateParticipation.event_id)
    )
    for event_id, count in present.tuples():
        counts[event_id]["present"] = int(count)
    wished = talk.c.follow_up.in_(("yes", "maybe"))
    talks = await session.execute(
        select(
            talk.c.event_id,
            func.count(),
            func.count(distinct(talk.c.candidate_participation_id)),
            # COUNT(DISTINCT CASE ...) skips the NULLs of talks without a wish.
            func.count(distinct(case((wished, talk.c.candidate_participation_id)))),
        )
        .where(talk.c.event_id.in_(event_ids))
        .group_by(talk.c.event_id)
    )
    for event_id, number, talked, follow_up in talks.tuples():
        counts[event_id].update(talks=int(number), talked=int(talked), follow_up=int(follow_up))
    return counts


def _step_sets(rows: Iterable[_OutcomeRow]) -> dict[str, set[int]]:
    sets: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        step = STEP_OF_KIND.get(row.kind)
        if step:
            sets[step].add(row.candidate_id)
    return sets


def _checkpoints(event_date: dt.date, today: dt.date, rows: Sequence[_OutcomeRow]) -> tuple[Checkpoint, ...]:
    """A start without a start date counts as started on the event's day: the coach confirmed it happened."""
    points = []
    for months in CHECK_MONTHS:
        day = add_months(event_date, months)
        if day > today:
            points.append(Checkpoint(months, day, reached=False))
            continue
        running: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            step = STEP_OF_KIND.get(row.kind)
            if step not in START_STEPS:
                continue
            started = (row.start_date or event_date) <= day
            if started and (row.end_date is None or row.end_date > day):
                running[step].add(row.candidate_id)
        points.append(
            Checkpoint(
                months,
                day,
                reached=True,
                placements=len(running["placements"]),
                training_starts=len(running["training_starts"]),
                job_starts=len(running["job_starts"]),
                any_start=len(set().union(*running.values())),
            )
        )
    return tuple(points)


def _is_lasting(row: _OutcomeRow) -> bool | None:
    """True for a contract of LASTING_MONTHS or more or an open-ended permanent one; None when not known."""
    if row.contract_months is not None:
        return row.contract_months >= LASTING_MONTHS
    if row.contract_type is ContractType.PERMANENT:
        return True
    return None


def funder_figures(rows: Sequence[_OutcomeRow]) -> FunderFigures:
    """Outflow from benefits, contract length and hours, per candidate (their most favourable outcome)."""
    starts: dict[int, list[_OutcomeRow]] = defaultdict(list)
    jobs: dict[int, list[_OutcomeRow]] = defaultdict(list)
    kinds: dict[PathwayKind, set[int]] = defaultdict(set)
    for row in rows:
        kinds[row.kind].add(row.candidate_id)
        if STEP_OF_KIND.get(row.kind) in START_STEPS:
            starts[row.candidate_id].append(row)
        if row.kind is PathwayKind.PAID_JOB:
            jobs[row.candidate_id].append(row)
    left = kept = unknown = 0
    for own in starts.values():
        answers = {r.leaves_benefits for r in own}
        if True in answers:
            left += 1
        elif False in answers:
            kept += 1
        else:
            unknown += 1
    lasting = short = length_unknown = 0
    bands = dict.fromkeys((label for label, _, _ in HOUR_BANDS), 0)
    hours_known: list[int] = []
    for own in jobs.values():
        lengths = {_is_lasting(r) for r in own}
        if True in lengths:
            lasting += 1
        elif False in lengths:
            short += 1
        else:
            length_unknown += 1
        known = [r.hours_per_week for r in own if r.hours_per_week is not None]
        if known:
            hours = max(known)
            hours_known.append(hours)
            for label, low, high in HOUR_BANDS:
                if low <= hours <= high:
                    bands[label] += 1
    return FunderFigures(
        started=len(starts),
        left_benefits=left,
        kept_benefits=kept,
        benefits_unknown=unknown,
        job_starts=len(jobs),
        lasting=lasting,
        short=short,
        length_unknown=length_unknown,
        hour_bands=tuple(bands.items()),
        hours_unknown=len(jobs) - len(hours_known),
        hours_known=len(hours_known),
        mean_hours=round(statistics.fmean(hours_known), 1) if hours_known else None,
        per_kind=tuple((kind, len(kinds[kind])) for kind in PathwayKind),
    )


def _funnel(counts: dict[str, int], rows: Sequence[_OutcomeRow]) -> Funnel:
    sets = _step_sets(rows)
    return Funnel(
        registered=counts.get("registered", 0),
        present=counts.get("present", 0),
        talked=counts.get("talked", 0),
        talks=counts.get("talks", 0),
        follow_up=counts.get("follow_up", 0),
        second_interviews=len(sets["second_interviews"]),
        placements=len(sets["placements"]),
        training_starts=len(sets["training_starts"]),
        job_starts=len(sets["job_starts"]),
    )


def target_rows(targets: dict[str, Any] | None, actual: dict[str, int]) -> tuple[TargetRow, ...]:
    """The targets that are set (a positive whole number), in TARGETS order, beside what was achieved."""
    rows = []
    for key, label in TARGETS.items():
        value = (targets or {}).get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            rows.append(TargetRow(key, label, value, actual.get(key, 0)))
    return tuple(rows)


async def _employers(session: AsyncSession, event_id: int, rows: Sequence[_OutcomeRow]) -> tuple[EmployerRow, ...]:
    """The event's employers (and any other organisation an outcome names), by name."""
    _, talk = _tables()
    names = await _pairs(
        session,
        select(Organisation.id, Organisation.name)
        .join(EmployerParticipation, EmployerParticipation.organisation_id == Organisation.id)
        .where(EmployerParticipation.event_id == event_id),
    )
    extra = {r.organisation_id for r in rows if r.organisation_id is not None} - set(names)
    if extra:
        names.update(
            await _pairs(session, select(Organisation.id, Organisation.name).where(Organisation.id.in_(extra)))
        )
    wished = case((talk.c.follow_up.in_(("yes", "maybe")), 1), else_=0)
    talk_counts = {
        org: (int(n), int(w or 0))
        for org, n, w in (
            await session.execute(
                select(EmployerParticipation.organisation_id, func.count(), func.sum(wished))
                .join(EmployerParticipation, EmployerParticipation.id == talk.c.employer_participation_id)
                .where(talk.c.event_id == event_id)
                .group_by(EmployerParticipation.organisation_id)
            )
        ).tuples()
    }
    per_org: dict[int, list[_OutcomeRow]] = defaultdict(list)
    for row in rows:
        if row.organisation_id is not None:
            per_org[row.organisation_id].append(row)
    result = []
    for org_id, name in names.items():
        sets = _step_sets(per_org[org_id])
        talks, wishes = talk_counts.get(org_id, (0, 0))
        result.append(
            EmployerRow(
                organisation_id=org_id,
                name=name,
                talks=talks,
                follow_up=wishes,
                second_interviews=len(sets["second_interviews"]),
                placements=len(sets["placements"]),
                training_starts=len(sets["training_starts"]),
                job_starts=len(sets["job_starts"]),
                starts=len(set().union(*(sets[s] for s in START_STEPS))),
            )
        )
    return tuple(sorted(result, key=lambda r: (r.name.casefold(), r.organisation_id)))


async def _coach_organisations(
    session: AsyncSession, event_id: int, rows: Sequence[_OutcomeRow]
) -> tuple[CoachOrganisationRow, ...]:
    check_in, _ = _tables()
    participations = await _pairs(
        session,
        select(CandidateParticipation.id, CandidateParticipation.candidate_id).where(
            CandidateParticipation.event_id == event_id, _active_participation()
        ),
    )
    present_ids = set(
        (
            await session.scalars(
                select(check_in.c.candidate_participation_id).where(
                    check_in.c.event_id == event_id, check_in.c.candidate_participation_id.is_not(None)
                )
            )
        ).all()
    )
    of_event = select(CandidateParticipation.candidate_id).where(CandidateParticipation.event_id == event_id)
    links = (
        await session.execute(
            select(CandidateCoach.candidate_id, User.organisation_id, Organisation.name)
            .join(User, User.id == CandidateCoach.coach_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(CandidateCoach.candidate_id.in_(of_event))
        )
    ).tuples()
    orgs_of: dict[int, set[int | None]] = defaultdict(set)
    names: dict[int | None, str] = {None: ""}
    for candidate_id, org_id, name in links:
        orgs_of[candidate_id].add(org_id)
        if org_id is not None:
            names[org_id] = name or ""
    groups: dict[int | None, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))

    def add(candidate_id: int, key: str) -> None:
        for org_id in orgs_of.get(candidate_id) or {None}:
            groups[org_id][key].add(candidate_id)

    for participation_id, candidate_id in participations.items():
        add(candidate_id, "registered")
        if participation_id in present_ids:
            add(candidate_id, "present")
    for row in rows:
        if row.kind is not PathwayKind.STOPPED:
            add(row.candidate_id, "with_outcome")
        if row.kind is PathwayKind.PAID_JOB:
            add(row.candidate_id, "job_starts")
    result = [
        CoachOrganisationRow(
            organisation_id=org_id,
            name=names.get(org_id, ""),
            registered=len(sets["registered"]),
            present=len(sets["present"]),
            with_outcome=len(sets["with_outcome"]),
            job_starts=len(sets["job_starts"]),
        )
        for org_id, sets in groups.items()
    ]
    # The organisations by name; "no organisation" last.
    return tuple(sorted(result, key=lambda r: (r.organisation_id is None, r.name.casefold(), r.organisation_id or 0)))


def _score(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    return None


async def evaluation_summary(session: AsyncSession, event_id: int) -> tuple[RespondentSummary, ...]:
    """Invitations, answers, mean scores and the "again?" answers per kind of respondent."""
    rows = (
        await session.execute(
            select(Evaluation.respondent, Evaluation.answered_at, Evaluation.answers, Evaluation.comment).where(
                Evaluation.event_id == event_id
            )
        )
    ).tuples()
    collected: dict[Respondent, dict[str, Any]] = {
        r: {"invited": 0, "answered": 0, "overall": [], "talks": [], "again": dict.fromkeys(("yes", "maybe", "no"), 0)}
        | {"comments": []}
        for r in Respondent
    }
    for respondent, answered_at, answers, comment in rows:
        bucket = collected[Respondent(respondent)]
        bucket["invited"] += 1
        if answered_at is None:
            continue
        bucket["answered"] += 1
        answers = answers if isinstance(answers, dict) else {}
        for question in ("overall", "talks"):
            score = _score(answers.get(question))
            if score is not None:
                bucket[question].append(score)
        again = answers.get("again")
        if again in bucket["again"]:
            bucket["again"][again] += 1
        if comment and comment.strip():
            bucket["comments"].append(comment.strip())
    return tuple(
        RespondentSummary(
            respondent=respondent,
            invited=b["invited"],
            answered=b["answered"],
            overall_mean=round(statistics.fmean(b["overall"]), 1) if b["overall"] else None,
            overall_count=len(b["overall"]),
            talks_mean=round(statistics.fmean(b["talks"]), 1) if b["talks"] else None,
            talks_count=len(b["talks"]),
            again=tuple(b["again"].items()),
            comments=tuple(b["comments"]),
        )
        for respondent, b in collected.items()
    )


def _target_actuals(funnel: Funnel) -> dict[str, int]:
    return {key: funnel.value(key) for key in TARGETS}


async def event_report(session: AsyncSession, event: Event, today: dt.date) -> EventReport:
    """Every figure of ``event`` as it stands on ``today`` (the follow-up checks reached by then)."""
    rows = await _outcomes(session, [event.id])
    counts = await _funnel_counts(session, [event.id])
    funnel = _funnel(counts[event.id], rows)
    return EventReport(
        event_id=event.id,
        slug=event.slug,
        name=event.name,
        date=event.date,
        today=today,
        funnel=funnel,
        checkpoints=_checkpoints(event.date, today, rows),
        employers=await _employers(session, event.id, rows),
        coach_organisations=await _coach_organisations(session, event.id, rows),
        funder=funder_figures(rows),
        targets=target_rows(event.targets, _target_actuals(funnel)),
        evaluation=await evaluation_summary(session, event.id),
    )


async def programme_report(session: AsyncSession, programme: Programme, today: dt.date) -> ProgrammeReport:
    """The programme's events in date order, each with its funnel and checks, and the totals against the
    programme's targets: the same few queries for any number of events."""
    events = (
        await session.scalars(select(Event).where(Event.programme_id == programme.id).order_by(Event.date, Event.id))
    ).all()
    ids = [e.id for e in events]
    rows = await _outcomes(session, ids) if ids else []
    counts = await _funnel_counts(session, ids) if ids else {}
    by_event: dict[int, list[_OutcomeRow]] = defaultdict(list)
    for row in rows:
        by_event[row.event_id or 0].append(row)
    items = tuple(
        ProgrammeEvent(
            event_id=e.id,
            slug=e.slug,
            name=e.name,
            date=e.date,
            funnel=_funnel(counts[e.id], by_event[e.id]),
            checkpoints=_checkpoints(e.date, today, by_event[e.id]),
        )
        for e in events
    )
    totals = Funnel.total(item.funnel for item in items)
    checkpoint_totals = []
    for index, months in enumerate(CHECK_MONTHS):
        reached = [item.checkpoints[index] for item in items if item.checkpoints[index].reached]
        checkpoint_totals.append(
            Checkpoint(
                months,
                max((c.date for c in reached), default=today),
                reached=bool(reached),
                placements=sum(c.placements for c in reached),
                training_starts=sum(c.training_starts for c in reached),
                job_starts=sum(c.job_starts for c in reached),
                any_start=sum(c.any_start for c in reached),
            )
        )
    return ProgrammeReport(
        programme_id=programme.id,
        name=programme.name,
        description=programme.description,
        today=today,
        events=items,
        totals=totals,
        checkpoint_totals=tuple(checkpoint_totals),
        targets=target_rows(programme.targets, _target_actuals(totals)),
        funder=funder_figures(rows),
    )
