"""What happens on an enrolment's timeline: coaching talks, trainings, workshops, work experience, introductions
with one employer outside any event (proposed, held, match or not, the employer's answer), the programme's events;
and the benefits the person had at intake and left later.

The person's coaches and the programme's organisers add and change them (events.programmes.enrolments.may_change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.dates import today
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    Activity,
    ActivityKind,
    BenefitKind,
    BenefitPeriod,
    CandidateParticipation,
    Enrolment,
    Event,
    IntroductionStatus,
    Organisation,
    ParticipationStatus,
)
from events.platform.services import audit
from events.programmes.enrolments import check_day, clean_text, may_change
from events.programmes.setup import employer_for


class ActivityState(StrEnum):
    """How an activity stands on a given day."""

    PLANNED = "planned"  # starts later
    RUNNING = "running"  # loopt: started, its planned end ahead (or none)
    COMPLETED = "completed"  # afgerond
    STOPPED = "stopped"  # gestopt: ended before it was completed
    ENDED = "ended"  # its planned end passed, whether it was completed is not recorded yet
    PROPOSED = "proposed"  # an introduction not held yet
    HELD = "held"
    CANCELLED = "cancelled"


def state(activity: Activity, day: dt.date) -> ActivityState:
    """The activity's state on ``day``. A training whose planned end lies ahead runs ("loopt"): it is never
    "gestopt" unless someone recorded that it stopped."""
    if activity.kind is ActivityKind.INTRODUCTION:
        return ActivityState(str(activity.introduction_status or IntroductionStatus.PROPOSED))
    if activity.completed is True:
        return ActivityState.COMPLETED
    if activity.completed is False:
        return ActivityState.STOPPED
    if activity.starts_on and activity.starts_on > day:
        return ActivityState.PLANNED
    end = activity.ended_on or activity.planned_end
    if end is None or end >= day:
        return ActivityState.RUNNING
    return ActivityState.ENDED


@dataclass(frozen=True)
class ActivityInput:
    kind: ActivityKind
    title: str = ""
    starts_on: dt.date | None = None
    planned_end: dt.date | None = None
    provider: str = ""
    # The employer of an introduction or work experience, by name (a new one is made on the spot).
    employer: str = ""
    event_id: int | None = None
    note: str = ""


async def add_activity(session: AsyncSession, user: CurrentUser, enrolment: Enrolment, data: ActivityInput) -> Activity:
    await may_change(session, user, enrolment)
    check_day(data.starts_on, "starts_on", ahead_days=3660)
    check_day(data.planned_end, "planned_end", ahead_days=3660)
    if data.starts_on and data.planned_end and data.planned_end < data.starts_on:
        raise DomainError("ends_before_start", _t("The end lies before the start."), "planned_end")
    activity = Activity(
        enrolment_id=enrolment.id,
        kind=data.kind,
        title=clean_text(data.title, "title", 200),
        provider=clean_text(data.provider, "provider", 200),
        starts_on=data.starts_on,
        planned_end=data.planned_end,
        note=clean_text(data.note, "note"),
        employer_answer="",
        created_by_id=user.id or None,
    )
    if data.kind in (ActivityKind.INTRODUCTION, ActivityKind.WORK_EXPERIENCE):
        if not data.employer.strip():
            raise DomainError("required", _t("Name the employer."), "employer")
        activity.organisation_id = (await employer_for(session, data.employer)).id
    if data.kind is ActivityKind.INTRODUCTION:
        activity.introduction_status = IntroductionStatus.PROPOSED
    if data.kind is ActivityKind.EVENT:
        event = await session.scalar(
            select(Event).where(Event.id == data.event_id, Event.programme_id == enrolment.programme_id)
        )
        if event is None:
            raise DomainError("unknown_event", _t("Choose one of the programme's events."), "event_id")
        activity.event_id = event.id
        activity.title = activity.title or event.name
        activity.starts_on = activity.starts_on or event.date
    if not activity.title and data.kind in (ActivityKind.TRAINING, ActivityKind.WORKSHOP):
        raise DomainError("required", _t("Say which training or workshop."), "title")
    session.add(activity)
    await session.flush()
    await audit(
        session,
        user,
        "add_activity",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"activity": activity.id, "kind": data.kind.value},
    )
    return activity


async def get_activity(session: AsyncSession, enrolment: Enrolment, activity_id: int) -> Activity:
    found = await session.scalar(
        select(Activity).where(Activity.id == activity_id, Activity.enrolment_id == enrolment.id)
    )
    if found is None:
        raise NotFoundError(f"activity {activity_id}")
    return found


async def finish(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    activity: Activity,
    *,
    completed: bool,
    on: dt.date | None = None,
) -> Activity:
    """A training, workshop or work experience completed or stopped (on a day not in the future)."""
    await may_change(session, user, enrolment)
    if activity.kind is ActivityKind.INTRODUCTION:
        raise DomainError("introduction", _t("Record an introduction as held or cancelled."), "completed")
    day = on or today()
    if day > today():
        raise DomainError("in_future", _t("This date lies in the future."), "ended_on")
    activity.completed, activity.ended_on = completed, day
    await session.flush()
    await audit(
        session,
        user,
        "finish_activity",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"activity": activity.id, "completed": completed},
    )
    return activity


async def record_introduction(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    activity: Activity,
    *,
    status: IntroductionStatus,
    match: bool | None = None,
    employer_answer: str = "",
    held_on: dt.date | None = None,
) -> Activity:
    """An introduction held (with whether it matched and what the employer answered) or cancelled."""
    await may_change(session, user, enrolment)
    if activity.kind is not ActivityKind.INTRODUCTION:
        raise DomainError("not_an_introduction", _t("This is not an introduction."), "status")
    activity.introduction_status = status
    if status is IntroductionStatus.HELD:
        activity.match = match
        activity.ended_on = held_on or today()
        activity.starts_on = activity.starts_on or activity.ended_on
    activity.employer_answer = clean_text(employer_answer, "employer_answer")
    await session.flush()
    await audit(
        session,
        user,
        "record_introduction",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"activity": activity.id, "status": status.value, "match": match},
    )
    return activity


async def timeline(session: AsyncSession, enrolment: Enrolment) -> list[tuple[Activity, str | None]]:
    """The enrolment's activities, newest first, with the employer's or provider's organisation name."""
    rows = await session.execute(
        select(Activity, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Activity.organisation_id)
        .where(Activity.enrolment_id == enrolment.id)
        .order_by(Activity.starts_on.desc().nulls_first(), Activity.id.desc())
    )
    return [(a, name) for a, name in rows.tuples()]


async def programme_events(session: AsyncSession, enrolment: Enrolment) -> list[tuple[Event, ParticipationStatus]]:
    """The person's sign-ups for the programme's events (a meet & match afternoon, a plenary gathering), newest
    first: on their timeline without anyone adding them."""
    rows = await session.execute(
        select(Event, CandidateParticipation.status)
        .join(CandidateParticipation, CandidateParticipation.event_id == Event.id)
        .where(
            Event.programme_id == enrolment.programme_id,
            CandidateParticipation.candidate_id == enrolment.candidate_id,
        )
        .order_by(Event.date.desc(), Event.id.desc())
    )
    return [(event, status) for event, status in rows.tuples()]


# --- benefits -------------------------------------------------------------------------------------------------


async def add_benefit(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    benefit: BenefitKind,
    *,
    since: dt.date | None = None,
) -> BenefitPeriod:
    """A benefit the person has (at intake, or one that started later)."""
    await may_change(session, user, enrolment)
    check_day(since, "since")
    period = BenefitPeriod(enrolment_id=enrolment.id, benefit=benefit, since=since, recorded_by_id=user.id or None)
    session.add(period)
    await session.flush()
    await audit(
        session,
        user,
        "add_benefit",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"benefit": benefit.value},
    )
    return period


async def leave_benefit(
    session: AsyncSession, user: CurrentUser, enrolment: Enrolment, period_id: int, left_on: dt.date
) -> BenefitPeriod:
    """The day the person left a benefit ("uitstroom")."""
    await may_change(session, user, enrolment)
    period = await session.scalar(
        select(BenefitPeriod).where(BenefitPeriod.id == period_id, BenefitPeriod.enrolment_id == enrolment.id)
    )
    if period is None:
        raise NotFoundError(f"benefit {period_id}")
    check_day(left_on, "left_on", ahead_days=366)
    if period.since and left_on < period.since:
        raise DomainError("ends_before_start", _t("The end lies before the start."), "left_on")
    period.left_on = left_on
    await session.flush()
    await audit(
        session,
        user,
        "leave_benefit",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"benefit": period.benefit.value},
    )
    return period


async def benefits(session: AsyncSession, enrolment: Enrolment) -> list[BenefitPeriod]:
    return list(
        await session.scalars(
            select(BenefitPeriod)
            .where(BenefitPeriod.enrolment_id == enrolment.id)
            .order_by(BenefitPeriod.since.nulls_first(), BenefitPeriod.id)
        )
    )
