"""What the programmes' JSON API reads, as plain answers: a programme with its set-up, a page of its enrolments
(counted and paged in the database), an enrolment as the user may read it, and an enrolment's outcomes.

Every function takes objects the caller already found within the user's reach (events.programmes.enrolments);
confidential parts are shown only to those who may read them, and that read is audited.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from events.followup.models import Outcome, OutcomeTerm
from events.platform.dates import today
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import (
    Activity,
    BenefitPeriod,
    Candidate,
    Enrolment,
    Organisation,
    Programme,
    ProgrammeStage,
    Role,
    TargetGroup,
    User,
)
from events.platform.reach import enrolment_reach, organisation_of
from events.platform.services import audit
from events.programmes import schemas as s
from events.programmes.activities import state
from events.programmes.enrolments import coach_ids, find_stage, find_target_group, stages, target_groups
from events.programmes.plan import referrer_organisation
from events.programmes.setup import employers, partners

PER_PAGE = 50
MAX_PER_PAGE = 200


class InvalidParameterError(DomainError):
    """A query parameter that cannot be read: 400, naming it."""

    status_code = 400

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__("invalid_parameter", f"{parameter}: {message}", parameter)


def whole(parameter: str, raw: str | None, *, default: int, maximum: int = 999_999_999) -> int:
    text = (raw or "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= maximum:
        raise InvalidParameterError(parameter, f"expected a whole number from 1 to {maximum}, got {raw!r}")
    return int(text)


def manages(user: CurrentUser, programme: Programme) -> bool:
    return user.everywhere or (user.role is Role.ORGANISER and programme.organisation_id == organisation_of(user))


def programme_row(user: CurrentUser, programme: Programme) -> s.ProgrammeRow:
    return s.ProgrammeRow(
        programme.id,
        programme.slug,
        programme.name,
        programme.description,
        programme.starts_on,
        programme.ends_on,
        manages(user, programme),
    )


def stage_row(stage: ProgrammeStage) -> s.StageRow:
    return s.StageRow(stage.id, stage.name, stage.kind.value, stage.position)


async def programme_detail(session: AsyncSession, user: CurrentUser, programme: Programme) -> s.ProgrammeDetail:
    """The programme with its period, target groups, stages in order, partners and employers."""
    return s.ProgrammeDetail(
        id=programme.id,
        slug=programme.slug,
        name=programme.name,
        description=programme.description,
        period=s.Period(programme.starts_on, programme.ends_on, programme.ends_on is None),
        target_groups=[s.TargetGroupRow(g.id, g.name) for g in await target_groups(session, programme.id)],
        stages=[stage_row(stage) for stage in await stages(session, programme.id)],
        partners=[s.PartnerRow(p.id, o.id, o.name, str(p.role or "")) for p, o in await partners(session, programme)],
        employers=[s.EmployerRow(o.id, o.name, bool(o.social_enterprise)) for o in await employers(session, programme)],
        manages=manages(user, programme),
    )


# --- enrolments -----------------------------------------------------------------------------------------------


async def enrolment_page(
    session: AsyncSession,
    user: CurrentUser,
    programme: Programme,
    *,
    stage: str | None,
    target_group: str | None,
    page: str | None,
    per_page: str | None,
) -> s.EnrolmentList:
    """A page of the programme's enrolments the user reaches, by name; ``stage`` and ``target_group`` (an id or a
    name) narrow it. A parameter that cannot be read is a 400 naming it."""
    number = whole("page", page, default=1)
    size = whole("per_page", per_page, default=PER_PAGE, maximum=MAX_PER_PAGE)
    conditions = [Enrolment.programme_id == programme.id, enrolment_reach(user), Candidate.erased_at.is_(None)]
    for parameter, raw in (("stage", stage), ("target_group", target_group)):
        text = (raw or "").strip()
        if not text:
            continue
        if len(text) > 100 or "\x00" in text:
            raise InvalidParameterError(parameter, "not one of the programme's")
        try:
            if parameter == "stage":
                conditions.append(Enrolment.stage_id == (await find_stage(session, programme, text)).id)
            else:
                conditions.append(Enrolment.target_group_id == (await find_target_group(session, programme, text)).id)
        except DomainError as error:
            raise InvalidParameterError(parameter, error.message) from None
    total = await session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .where(*conditions)
    )
    # An alias: the reach rule's subquery of the first stage correlates with Enrolment only, not with this join.
    current = aliased(ProgrammeStage)
    rows = await session.execute(
        select(Enrolment, Candidate.first_name, Candidate.last_name, current, TargetGroup)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .join(current, current.id == Enrolment.stage_id)
        .outerjoin(TargetGroup, TargetGroup.id == Enrolment.target_group_id)
        .where(*conditions)
        .order_by(Candidate.first_name, Candidate.last_name, Enrolment.id)
        .offset((number - 1) * size)
        .limit(size)
    )
    items = [
        s.EnrolmentRow(
            id=e.id,
            candidate_id=e.candidate_id,
            name=f"{first} {last}".strip(),
            target_group=s.TargetGroupRow(group.id, group.name) if group else None,
            stage=s.StageRef(stage_.id, stage_.name, stage_.kind.value),
            referred_on=e.referred_on,
            intake_on=e.intake_on,
            decision=e.decision.value if e.decision else None,
            ended_on=e.ended_on,
        )
        for e, first, last, stage_, group in rows.tuples()
    ]
    return s.EnrolmentList(items, int(total or 0), number, size)


async def reads_confidential(session: AsyncSession, user: CurrentUser, enrolment: Enrolment) -> bool:
    """The person's coaches and the programme's organisers read the enrolment's goals, barriers, the decision's
    reason and the notes on its timeline; a coach holding an intake of a referral nobody picked up does not."""
    if user.everywhere or user.id in await coach_ids(session, enrolment):
        return True
    programme = await session.get(Programme, enrolment.programme_id)
    return programme is not None and manages(user, programme)


async def enrolment_detail(session: AsyncSession, user: CurrentUser, enrolment: Enrolment) -> s.EnrolmentDetail:
    """The enrolment as the user may read it (never its criminal-justice data); a read of its confidential parts
    is audited."""
    programme = await session.get(Programme, enrolment.programme_id)
    candidate = await session.get(Candidate, enrolment.candidate_id)
    stage = await session.get(ProgrammeStage, enrolment.stage_id)
    group = await session.get(TargetGroup, enrolment.target_group_id) if enrolment.target_group_id else None
    if programme is None or candidate is None or stage is None:
        raise NotFoundError(f"enrolment {enrolment.id}")
    coaches = (
        await session.scalars(
            select(User).where(User.id.in_(await coach_ids(session, enrolment))).order_by(User.name, User.id)
        )
    ).all()
    confidential = await reads_confidential(session, user, enrolment)
    if confidential:
        await audit(session, user, "read_sensitive", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    return s.EnrolmentDetail(
        id=enrolment.id,
        programme=s.ProgrammeRef(programme.id, programme.slug, programme.name),
        candidate_id=candidate.id,
        name=candidate.full_name,
        target_group=s.TargetGroupRow(group.id, group.name) if group else None,
        stage=s.StageRef(stage.id, stage.name, stage.kind.value),
        referred_by=await referrer_organisation(session, enrolment),
        referrer_name=enrolment.referrer_name,
        referred_on=enrolment.referred_on,
        intake_on=enrolment.intake_on,
        decision=enrolment.decision.value if enrolment.decision else None,
        ended_on=enrolment.ended_on,
        drop_reason=enrolment.drop_reason.value if enrolment.drop_reason else None,
        contact_through=enrolment.contact_through,
        wishes=enrolment.wishes,
        coaches=[s.CoachRef(c.id, c.name) for c in coaches],
        goals=enrolment.goals if confidential else None,
        barriers=list(enrolment.barriers or []) if confidential else None,
        decision_reason=enrolment.decision_reason if confidential else None,
    )


def activity_row(
    activity: Activity, organisation: str | None, *, confidential: bool, day: dt.date | None = None
) -> s.ActivityRow:
    return s.ActivityRow(
        id=activity.id,
        kind=activity.kind.value,
        state=state(activity, day or today()).value,
        title=activity.title,
        organisation_id=activity.organisation_id,
        organisation=organisation,
        provider=activity.provider,
        event_id=activity.event_id,
        starts_on=activity.starts_on,
        planned_end=activity.planned_end,
        ended_on=activity.ended_on,
        completed=activity.completed,
        introduction_status=activity.introduction_status.value if activity.introduction_status else None,
        match=activity.match,
        employer_answer=activity.employer_answer if confidential else None,
        note=activity.note if confidential else None,
    )


async def organisation_name(session: AsyncSession, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    name = await session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))
    return str(name) if name is not None else None


def benefit_row(period: BenefitPeriod) -> s.BenefitRow:
    return s.BenefitRow(period.id, period.benefit.value, period.since, period.left_on)


async def enrolment_outcomes(
    session: AsyncSession, user: CurrentUser, enrolment: Enrolment
) -> list[s.EnrolmentOutcomeRow]:
    """The outcomes belonging to the enrolment, with their terms over time, oldest start first."""
    confidential = await reads_confidential(session, user, enrolment)
    rows = (
        await session.execute(
            select(Outcome, Organisation.name)
            .outerjoin(Organisation, Organisation.id == Outcome.organisation_id)
            .where(Outcome.enrolment_id == enrolment.id)
            .order_by(Outcome.start_date.nulls_last(), Outcome.id)
        )
    ).tuples()
    found = list(rows)
    terms: dict[int, list[s.OutcomeTermRow]] = {}
    if found:
        for term in await session.scalars(
            select(OutcomeTerm)
            .where(OutcomeTerm.outcome_id.in_([o.id for o, _ in found]))
            .order_by(OutcomeTerm.effective_on, OutcomeTerm.id)
        ):
            terms.setdefault(term.outcome_id, []).append(
                s.OutcomeTermRow(
                    term.effective_on,
                    term.hours_per_week,
                    term.contract_type.value if term.contract_type else None,
                    term.contract_months,
                )
            )
    if confidential and found:
        await audit(session, user, "read_sensitive", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    return [
        s.EnrolmentOutcomeRow(
            id=o.id,
            kind=o.kind.value,
            status=o.status.value,
            start_date=o.start_date,
            end_date=o.end_date,
            organisation_id=o.organisation_id,
            employer=str(name) if name is not None else None,
            event_id=o.event_id,
            contract_type=o.contract_type.value if o.contract_type else None,
            contract_months=o.contract_months,
            hours_per_week=o.hours_per_week,
            leaves_benefits=o.leaves_benefits,
            terms=terms.get(o.id, []),
            note=o.note if confidential else None,
        )
        for o, name in found
    ]
