"""What an event (or a programme of events) achieved, as plain figures: the funnel from registration to a job,
the outcomes still running at 1, 3 and 6 months, for funders and against targets; and the whole report of an event
(with the breakdowns of events.results.breakdown) or of a programme.

Pure queries returning frozen dataclasses of exact counts (events.results.shapes); nothing here renders or
anonymises (see events.results.suppress and events.results.view). Every figure counts distinct candidates, and only
confirmed outcomes: of the event itself (Outcome.event_id), or, for a programme, of its events and of its enrolments
(Outcome.enrolment_id), each outcome once. The work is a fixed handful of grouped queries whatever
the number of candidates: the rows fetched per outcome or per participation are aggregated here, in Python, never
looked up one by one.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import checked_in, talk_counts
from events.followup.models import CHECK_MONTHS, LASTING_MONTHS, ContractType
from events.platform.dates import add_months
from events.platform.models import CandidateParticipation, Event, PathwayKind, Programme
from events.results.breakdown import coach_organisation_rows, employer_rows, evaluation_summary
from events.results.rows import OutcomeRow, active_participation, confirmed_outcomes, programme_outcomes, step_sets
from events.results.shapes import (
    HOUR_BANDS,
    START_STEPS,
    STEP_OF_KIND,
    TARGETS,
    Checkpoint,
    EventReport,
    FunderFigures,
    Funnel,
    OutsideEvents,
    ProgrammeEvent,
    ProgrammeReport,
    TargetRow,
)


async def _funnel_counts(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Registered, present, talked, talks and follow-up wishes per event: three grouped queries."""
    counts: dict[int, dict[str, int]] = {i: {} for i in event_ids}
    registered = await session.execute(
        select(CandidateParticipation.event_id, func.count())
        .where(CandidateParticipation.event_id.in_(event_ids), active_participation())
        .group_by(CandidateParticipation.event_id)
    )
    for event_id, count in registered.tuples():
        counts[event_id]["registered"] = int(count)
    present = await session.execute(
        select(CandidateParticipation.event_id, func.count(distinct(CandidateParticipation.id)))
        .where(
            CandidateParticipation.event_id.in_(event_ids),
            active_participation(),
            CandidateParticipation.id.in_(checked_in(event_ids)),
        )
        .group_by(CandidateParticipation.event_id)
    )
    for event_id, count in present.tuples():
        counts[event_id]["present"] = int(count)
    for event_id, talks in (await talk_counts(session, event_ids)).items():
        counts[event_id].update(talks=talks.talks, talked=talks.talked, follow_up=talks.follow_up)
    return counts


def _checkpoints(event_date: dt.date, today: dt.date, rows: Sequence[OutcomeRow]) -> tuple[Checkpoint, ...]:
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


def _is_lasting(row: OutcomeRow) -> bool | None:
    """True for a contract of LASTING_MONTHS or more or an open-ended permanent one; None when not known."""
    if row.contract_months is not None:
        return row.contract_months >= LASTING_MONTHS
    if row.contract_type is ContractType.PERMANENT:
        return True
    return None


def funder_figures(rows: Sequence[OutcomeRow]) -> FunderFigures:
    """Outflow from benefits, contract length and hours, per candidate (their most favourable outcome)."""
    starts: dict[int, list[OutcomeRow]] = defaultdict(list)
    jobs: dict[int, list[OutcomeRow]] = defaultdict(list)
    kinds: dict[PathwayKind, set[int]] = defaultdict(set)
    for row in rows:
        kinds[row.kind].add(row.candidate_id)
        if STEP_OF_KIND.get(row.kind) in START_STEPS:
            starts[row.candidate_id].append(row)
        if row.kind is PathwayKind.PAID_JOB:
            jobs[row.candidate_id].append(row)
    left, kept, unknown = _yes_no_unknown({r.leaves_benefits for r in own} for own in starts.values())
    lasting, short, length_unknown = _yes_no_unknown({_is_lasting(r) for r in own} for own in jobs.values())
    bands = dict.fromkeys((label for label, _, _ in HOUR_BANDS), 0)
    hours_known: list[int] = []
    for own in jobs.values():
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


def _yes_no_unknown(answers: Iterable[set[bool | None]]) -> tuple[int, int, int]:
    """Per candidate, their answers: how many have a yes among them, else a no, else neither."""
    yes = no = unknown = 0
    for own in answers:
        if True in own:
            yes += 1
        elif False in own:
            no += 1
        else:
            unknown += 1
    return yes, no, unknown


def _funnel(counts: dict[str, int], rows: Sequence[OutcomeRow]) -> Funnel:
    sets = step_sets(rows)
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


def _target_actuals(funnel: Funnel) -> dict[str, int]:
    return {key: funnel.value(key) for key in TARGETS}


async def event_report(session: AsyncSession, event: Event, today: dt.date) -> EventReport:
    """Every figure of ``event`` as it stands on ``today`` (the follow-up checks reached by then)."""
    rows = await confirmed_outcomes(session, [event.id])
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
        employers=await employer_rows(session, event.id, rows),
        coach_organisations=await coach_organisation_rows(session, event.id, rows),
        funder=funder_figures(rows),
        targets=target_rows(event.targets, _target_actuals(funnel)),
        evaluation=await evaluation_summary(session, event.id),
    )


def _checkpoints_after_start(today: dt.date, rows: Sequence[OutcomeRow]) -> tuple[Checkpoint, ...]:
    """Outside events, each start has its own checks: 1, 3 and 6 months after it started. A check is reached once
    some start is that old; it counts the candidates whose start, that old by today, still ran on that day."""
    points = []
    for months in CHECK_MONTHS:
        running: dict[str, set[int]] = defaultdict(set)
        days = []
        for row in rows:
            step = STEP_OF_KIND.get(row.kind)
            if step not in START_STEPS or row.start_date is None:
                continue
            day = add_months(row.start_date, months)
            if day > today:
                continue
            days.append(day)
            if row.end_date is None or row.end_date > day:
                running[step].add(row.candidate_id)
        points.append(
            Checkpoint(
                months,
                max(days, default=today),
                reached=bool(days),
                placements=len(running["placements"]),
                training_starts=len(running["training_starts"]),
                job_starts=len(running["job_starts"]),
                any_start=len(set().union(*running.values())),
            )
        )
    return tuple(points)


async def programme_report(session: AsyncSession, programme: Programme, today: dt.date) -> ProgrammeReport:
    """The programme's events in date order, each with its funnel and checks; the outcomes of its enrolments
    outside those events; and the totals against the programme's targets. An outcome counts once: at its event
    when that is one of the programme's, else outside the events. The same few queries for any number of events."""
    events = (
        await session.scalars(select(Event).where(Event.programme_id == programme.id).order_by(Event.date, Event.id))
    ).all()
    ids = [e.id for e in events]
    rows = await programme_outcomes(session, programme.id, ids)
    counts = await _funnel_counts(session, ids) if ids else {}
    by_event: dict[int, list[OutcomeRow]] = defaultdict(list)
    outside_rows: list[OutcomeRow] = []
    for row in rows:
        if row.event_id is not None and row.event_id in counts:
            by_event[row.event_id].append(row)
        else:
            outside_rows.append(row)
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
    outside = OutsideEvents(
        funnel=_funnel({}, outside_rows),
        checkpoints=_checkpoints_after_start(today, outside_rows),
        outcomes=len(outside_rows),
    )
    totals = Funnel.total([*(item.funnel for item in items), outside.funnel])
    checkpoint_totals = []
    for index, months in enumerate(CHECK_MONTHS):
        reached = [item.checkpoints[index] for item in items if item.checkpoints[index].reached]
        if outside.checkpoints[index].reached:
            reached.append(outside.checkpoints[index])
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
        outside=outside,
    )
