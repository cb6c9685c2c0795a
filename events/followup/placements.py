"""The checks after a placement: 1, 3, 6 and 12 months after a job, internship, work-experience or trial placement
started ("still working there?"), whether or not it came from an event. Each check done is a FollowUpCheck of the
outcome; the due list shows, per placement still running, the latest milestone reached and not yet checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.access import followed_candidate
from events.followup.models import PLACEMENT_CHECK_MONTHS, FollowUpCheck, Outcome, OutcomeStatus, StopReason
from events.followup.services import OutcomeService, OutcomeView, views
from events.platform.dates import add_months
from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _
from events.platform.identity import CurrentUser
from events.platform.models import Candidate, Organisation, PathwayKind, Role
from events.platform.reach import candidate_reach
from events.platform.services import audit

# The outcomes whose lasting is checked: someone started working somewhere.
PLACEMENTS = (
    PathwayKind.PAID_JOB,
    PathwayKind.INTERNSHIP,
    PathwayKind.WORK_EXPERIENCE,
    PathwayKind.TRIAL_PLACEMENT,
)


def placement_due_months(start: dt.date, today: dt.date, done: int) -> int | None:
    """The latest check (1, 3, 6 or 12 months after the start) due by ``today`` and later than the last one
    done."""
    due = [m for m in PLACEMENT_CHECK_MONTHS if add_months(start, m) <= today and m > done]
    return max(due) if due else None


@dataclass
class PlacementCheck:
    """A check due after a placement: which, for whom, at how many months, since when."""

    outcome_id: int
    candidate_id: int
    name: str
    kind: PathwayKind
    employer: str | None
    start_date: dt.date
    months: int
    due_on: dt.date


async def due_placement_checks(
    session: AsyncSession, user: CurrentUser, today: dt.date, *, candidate_id: int | None = None
) -> list[PlacementCheck]:
    """The placement checks due for the candidates this account follows up (a coach's own and shared cases, those
    an organiser reaches): placements confirmed, started at least a month ago and still running (an end date
    still ahead is running), the latest milestone reached not yet checked."""
    if user.role not in (Role.ORGANISER, Role.COACH):
        return []
    done = (
        select(FollowUpCheck.outcome_id, func.max(FollowUpCheck.months).label("done"))
        .where(FollowUpCheck.outcome_id.is_not(None))
        .group_by(FollowUpCheck.outcome_id)
        .subquery()
    )
    query = (
        select(
            Outcome.id,
            Candidate.id,
            Candidate.first_name,
            Candidate.last_name,
            Outcome.kind,
            Organisation.name,
            Outcome.start_date,
            func.coalesce(done.c.done, 0),
        )
        .join(Candidate, Candidate.id == Outcome.candidate_id)
        .outerjoin(Organisation, Organisation.id == Outcome.organisation_id)
        .outerjoin(done, done.c.outcome_id == Outcome.id)
        .where(
            candidate_reach(user),
            Candidate.erased_at.is_(None),
            Outcome.status == OutcomeStatus.CONFIRMED,
            Outcome.kind.in_(PLACEMENTS),
            # A month is at least 28 days; placement_due_months decides exactly.
            Outcome.start_date <= today - dt.timedelta(days=28),
            or_(Outcome.end_date.is_(None), Outcome.end_date >= today),
        )
    )
    if candidate_id is not None:
        query = query.where(Candidate.id == candidate_id)
    result = []
    for oid, cid, first, last, kind, employer, start, last_done in (await session.execute(query)).tuples():
        if start is None:
            continue
        months = placement_due_months(start, today, last_done)
        if months is not None:
            name = f"{first} {last}".strip()
            result.append(PlacementCheck(oid, cid, name, kind, employer, start, months, add_months(start, months)))
    return sorted(result, key=lambda c: (c.due_on, c.name, c.outcome_id))


async def placement_subject(session: AsyncSession, user: CurrentUser, outcome_id: int) -> OutcomeView:
    """The placement to check, with its employer and history: a confirmed placement with a start date of a
    candidate this account follows up; anything else answers as missing."""
    outcome = await session.get(Outcome, outcome_id)
    if outcome is None:
        raise NotFoundError("placement")
    await followed_candidate(session, user, outcome.candidate_id)
    if outcome.kind not in PLACEMENTS or outcome.start_date is None or outcome.status is not OutcomeStatus.CONFIRMED:
        raise NotFoundError("placement")
    (view,) = await views(session, select(Outcome).where(Outcome.id == outcome_id))
    return view


async def record_placement_check(
    session: AsyncSession,
    user: CurrentUser,
    outcome_id: int,
    months: int,
    *,
    ended_on: dt.date | None = None,
    stop_reason: StopReason | None = None,
    note: str = "",
    today: dt.date,
) -> FollowUpCheck:
    """Record the check of a placement at ``months`` after its start: with ``ended_on``, that it has ended (kept
    in its history, with the reason); a check already done by a colleague is returned as it is."""
    view = await placement_subject(session, user, outcome_id)
    outcome = view.outcome
    if months not in PLACEMENT_CHECK_MONTHS:
        raise DomainError("invalid", _("This value is not valid here."), "months")
    if outcome.start_date is None or add_months(outcome.start_date, months) > today:
        raise DomainError("not_due", _("This check is not due yet."), "months")
    if ended_on is not None:
        if ended_on > today:
            raise DomainError("end_ahead", _("Give the date it ended, not one still to come."), "end_date")
        await OutcomeService(session, user).end(outcome, ended_on, stop_reason)
    exists = await session.scalar(
        select(FollowUpCheck).where(FollowUpCheck.outcome_id == outcome_id, FollowUpCheck.months == months)
    )
    if exists is not None:
        return exists
    check = FollowUpCheck(outcome_id=outcome_id, months=months, done_by_id=user.id or None, note=note.strip())
    try:
        async with session.begin_nested():
            session.add(check)
    except IntegrityError:  # a colleague recorded the same check a moment ago
        raise ConflictError("check_done", _("This check has just been recorded by someone else.")) from None
    await audit(
        session,
        user,
        "follow_up_check",
        "outcome",
        outcome_id,
        candidate_id=outcome.candidate_id,
        detail={"months": months},
    )
    return check
