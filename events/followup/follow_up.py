"""After the event: per candidate the talks held, the employers' answers, the outcomes and what to do next;
the follow-up checks at 1, 3 and 6 months and the coach's to-do list (with the checks after a placement of
events.followup.placements)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import by_round, checked_in, held_talks
from events.followup.models import CHECK_MONTHS, FollowUpCheck, Outcome, OutcomeStatus, StopReason
from events.followup.placements import due_placement_checks
from events.followup.services import OutcomeService, OutcomeView, open_proposals, views
from events.platform.dates import add_months
from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    Event,
    ParticipationStatus,
    Role,
    User,
)
from events.platform.reach import candidate_reach
from events.platform.services import audit


def due_months(event_date: dt.date, today: dt.date, done: int) -> int | None:
    """The latest check (1, 3 or 6 months) that is due by ``today`` and later than the last one done."""
    due = [m for m in CHECK_MONTHS if add_months(event_date, m) <= today and m > done]
    return max(due) if due else None


@dataclass
class DueCheck:
    participation_id: int
    candidate_id: int
    name: str
    event_name: str
    event_slug: str
    months: int
    due_on: dt.date
    event_id: int = 0


@dataclass
class Talk:
    id: int
    employer: str
    organisation_id: int
    round: int | None
    follow_up: str | None
    note: str


@dataclass
class AfterEvent:
    """One candidate after one event, as their coach follows them up."""

    participation: CandidateParticipation
    candidate: Candidate
    present: bool
    talks: list[Talk] = field(default_factory=list)
    outcomes: list[OutcomeView] = field(default_factory=list)
    check: int | None = None
    todo: list[str] = field(default_factory=list)


def _followed(user: CurrentUser, query: Select[Any]) -> Select[Any]:
    """Only the candidates this account follows up: a coach's own, those an organiser reaches."""
    if user.role is Role.ORGANISER or user.role is Role.COACH:
        return query.where(candidate_reach(user))
    raise NotFoundError("candidates")


async def due_checks(
    session: AsyncSession, user: CurrentUser, today: dt.date, *, candidate_id: int | None = None
) -> list[DueCheck]:
    """The follow-up checks due for the candidates this account follows: present at an event at least a month
    ago, and the latest milestone reached not yet checked."""
    done = (
        select(FollowUpCheck.candidate_participation_id, func.max(FollowUpCheck.months).label("done"))
        .group_by(FollowUpCheck.candidate_participation_id)
        .subquery()
    )
    query = _followed(
        user,
        select(
            CandidateParticipation.id,
            Candidate.id,
            Candidate.first_name,
            Candidate.last_name,
            Event.name,
            Event.slug,
            Event.date,
            func.coalesce(done.c.done, 0),
            Event.id,
        )
        .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
        .join(Event, Event.id == CandidateParticipation.event_id)
        .outerjoin(done, done.c.candidate_participation_id == CandidateParticipation.id)
        .where(
            Candidate.erased_at.is_(None),
            # A month is at least 28 days; due_months decides exactly (30 January is due on 28 February).
            Event.date <= today - dt.timedelta(days=28),
            CandidateParticipation.id.in_(checked_in()),
        ),
    )
    if candidate_id is not None:
        query = query.where(Candidate.id == candidate_id)
    result = []
    for pid, cid, first, last, event_name, slug, date, last_done, event_id in (await session.execute(query)).tuples():
        months = due_months(date, today, last_done)
        if months is not None:
            name = f"{first} {last}".strip()
            result.append(DueCheck(pid, cid, name, event_name, slug, months, add_months(date, months), event_id))
    return sorted(result, key=lambda d: (d.due_on, d.name))


async def after_event(session: AsyncSession, user: CurrentUser, event: Event, today: dt.date) -> list[AfterEvent]:
    """Every candidate of ``event`` this account follows up, with talks, answers, outcomes and a to-do list."""
    query = _followed(
        user,
        select(CandidateParticipation, Candidate)
        .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
        .where(
            CandidateParticipation.event_id == event.id,
            CandidateParticipation.status != ParticipationStatus.CANCELLED,
            Candidate.erased_at.is_(None),
        )
        .order_by(Candidate.first_name, Candidate.last_name, Candidate.id),
    )
    people = [AfterEvent(p, c, False) for p, c in (await session.execute(query)).tuples()]
    if not people:
        return []
    by_participation = {person.participation.id: person for person in people}
    present = await session.scalars(
        select(CandidateParticipation.id).where(
            CandidateParticipation.id.in_(by_participation), CandidateParticipation.id.in_(checked_in([event.id]))
        )
    )
    for pid in present:
        by_participation[pid].present = True
    talks = await held_talks(session, events=[event.id], candidate_participations=by_participation)
    for t in by_round(talks):
        by_participation[t.candidate_participation_id].talks.append(
            Talk(t.id, t.employer, t.organisation_id, t.round, t.follow_up, t.note or "")
        )
    by_candidate = {person.candidate.id: person for person in people}
    for view in await views(
        session,
        select(Outcome).where(Outcome.candidate_id.in_(by_candidate), Outcome.event_id == event.id),
    ):
        by_candidate[view.outcome.candidate_id].outcomes.append(view)
    done = dict(
        (
            await session.execute(
                select(FollowUpCheck.candidate_participation_id, func.max(FollowUpCheck.months))
                .where(FollowUpCheck.candidate_participation_id.in_(by_participation))
                .group_by(FollowUpCheck.candidate_participation_id)
            )
        )
        .tuples()
        .all()
    )
    for person in people:
        if person.present:
            person.check = due_months(event.date, today, done.get(person.participation.id, 0))
        person.todo = _todo(person, event, today)
    return people


def _todo(person: AfterEvent, event: Event, today: dt.date) -> list[str]:
    """What the coach should do next for this person, most urgent first, in plain words."""
    todo: list[str] = []
    if event.date > today:
        return todo
    followed = {
        v.outcome.organisation_id
        for v in person.outcomes
        if v.outcome.status in (OutcomeStatus.CONFIRMED, OutcomeStatus.PROPOSED)
    }
    for view in person.outcomes:
        if view.outcome.status is OutcomeStatus.PROPOSED:
            todo.append(
                _("Confirm or decline: %(employer)s reports %(what)s.", employer=view.employer or "—", what=_kind(view))
            )
    if not person.present:
        todo.append(_("Did not come to the event: get in touch and ask how things are."))
    for talk in person.talks:
        if talk.follow_up == "yes" and talk.organisation_id not in followed:
            todo.append(_("%(employer)s wants a follow-up: arrange a second interview.", employer=talk.employer))
        elif talk.follow_up == "maybe" and talk.organisation_id not in followed:
            todo.append(_("%(employer)s may want a follow-up: ask them.", employer=talk.employer))
    if person.present and not person.talks:
        todo.append(_("No talks were logged: ask how the day went."))
    if person.check is not None:
        todo.append(_("Check at %(months)s months: is everything still as logged?", months=person.check))
    return todo


def _kind(view: OutcomeView) -> str:
    from events.platform.labels import pathway_label

    return pathway_label(view.outcome.kind.value)


@dataclass(frozen=True)
class Ending:
    """At a check: an outcome found to have ended, on a date, for a reason."""

    outcome_id: int
    end_date: dt.date
    reason: StopReason | None


async def check_subject(
    session: AsyncSession, user: CurrentUser, participation_id: int
) -> tuple[CandidateParticipation, Event, list[OutcomeView]]:
    """The participation to check, its event, and the candidate's outcomes that are still running."""
    participation = await session.get(CandidateParticipation, participation_id)
    if participation is None:
        raise NotFoundError("participation")
    await OutcomeService(session, user).candidate(participation.candidate_id)
    event = await session.get(Event, participation.event_id)
    if event is None:
        raise NotFoundError("event")
    running = [
        v
        for v in await views(session, select(Outcome).where(Outcome.candidate_id == participation.candidate_id))
        if v.active
    ]
    return participation, event, running


async def record_check(
    session: AsyncSession,
    user: CurrentUser,
    participation_id: int,
    months: int,
    endings: Iterable[Ending],
    note: str,
    today: dt.date,
) -> FollowUpCheck:
    """Record a follow-up check: outcomes that ended get their end date (kept in their history)."""
    participation, event, running = await check_subject(session, user, participation_id)
    if months not in CHECK_MONTHS:
        raise DomainError("invalid", _("This value is not valid here."), "months")
    if add_months(event.date, months) > today:
        raise DomainError("not_due", _("This check is not due yet."), "months")
    service = OutcomeService(session, user)
    by_id = {v.outcome.id: v.outcome for v in running}
    for ending in endings:
        outcome = by_id.get(ending.outcome_id)
        if outcome is None:
            raise DomainError("invalid_outcome", _("This result is not one of the candidate's."), "outcome")
        await service.end(outcome, ending.end_date, ending.reason)
    exists = await session.scalar(
        select(FollowUpCheck).where(
            FollowUpCheck.candidate_participation_id == participation_id, FollowUpCheck.months == months
        )
    )
    if exists is not None:  # a colleague did this check already; what this coach found has been recorded above
        return exists
    check = FollowUpCheck(
        candidate_participation_id=participation_id, months=months, done_by_id=user.id, note=note.strip()
    )
    try:
        async with session.begin_nested():
            session.add(check)
    except IntegrityError:  # a colleague recorded the same check a moment ago
        raise ConflictError("check_done", _("This check has just been recorded by someone else.")) from None
    await audit(
        session,
        user,
        "follow_up_check",
        "candidate_participation",
        participation_id,
        candidate_id=participation.candidate_id,
        detail={"months": months},
    )
    return check


async def todo_context(session: AsyncSession, user: CurrentUser, today: dt.date) -> dict[str, Any]:
    """What is due for this account: follow-up checks, employers' reports to confirm, the events to follow up."""
    from events.platform.services import EventService

    events = await EventService(session, user).list()
    held = sorted((e for e in events if e.date <= today), key=lambda e: e.date, reverse=True)
    account = await session.get(User, user.id)
    return {
        "checks": await due_checks(session, user, today),
        "placement_checks": await due_placement_checks(session, user, today),
        "proposals": await open_proposals(session, user),
        "held_events": held,
        "weekly_digest": bool(account and account.weekly_digest),
    }
