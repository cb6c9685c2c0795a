"""The way through a programme: the referrals waiting for an intake and who picks them up, the intake's decision
(strict selection refuses with a reason), the moves from stage to stage with their history, and what a referrer
sees of their referrals (the stage, nothing confidential).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.dates import today
from events.platform.errors import DomainError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CoachKind,
    Decision,
    DropReason,
    Enrolment,
    Programme,
    ProgrammeStage,
    Role,
    StageChange,
    StageKind,
    User,
)
from events.platform.reach import (
    intake_programmes,
    programme_reach,
    referred_by,
    unclaimed_referrals,
)
from events.platform.services import audit
from events.programmes.enrolments import check_day, clean_text, may_change, stages

# --- referrals and intake -------------------------------------------------------------------------------------


async def to_pick_up(session: AsyncSession, user: CurrentUser) -> list[tuple[Enrolment, Candidate, Programme]]:
    """The referrals waiting for an intake in the programmes where the user's organisation coaches (coaches) or
    that it owns (organisers), oldest first."""
    if user.role not in (Role.COACH, Role.ORGANISER) and not user.everywhere:
        return []
    rows = await session.execute(
        select(Enrolment, Candidate, Programme)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(
            Enrolment.programme_id.in_(intake_programmes(user)),
            programme_reach(user),
            unclaimed_referrals(),
            Candidate.erased_at.is_(None),
        )
        .order_by(Enrolment.referred_on, Enrolment.id)
    )
    return [(e, c, p) for e, c, p in rows.tuples()]


async def pick_up(session: AsyncSession, user: CurrentUser, enrolment: Enrolment) -> Enrolment:
    """A coach takes a waiting referral: they become the person's coach and the enrolment moves to the next stage
    (the intake)."""
    if user.role is not Role.COACH:
        raise DomainError("coaches_only", _t("Only a coach can pick up a referral."), "coach")
    waiting = await session.scalar(
        select(Enrolment.id).where(
            Enrolment.id == enrolment.id,
            Enrolment.programme_id.in_(intake_programmes(user)),
            unclaimed_referrals(),
        )
    )
    if waiting is None:
        raise DomainError("taken", _t("This referral has been picked up already."), "enrolment")
    session.add(CandidateCoach(candidate_id=enrolment.candidate_id, coach_id=user.id, kind=CoachKind.JOBCOACH))
    await session.flush()
    following = [s for s in await stages(session, enrolment.programme_id) if s.kind is StageKind.ACTIVE]
    current = next((i for i, s in enumerate(following) if s.id == enrolment.stage_id), None)
    if current is not None and current + 1 < len(following):
        await _move(session, user, enrolment, following[current + 1])
    await audit(session, user, "pick_up", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    return enrolment


def stage_kind(options: list[ProgrammeStage], enrolment: Enrolment) -> StageKind | None:
    return next((s.kind for s in options if s.id == enrolment.stage_id), None)


async def decide(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    decision: Decision,
    *,
    reason: str = "",
    intake_on: dt.date | None = None,
) -> Enrolment:
    """The intake's decision. Refused (strict selection) ends the enrolment on the intake's day with the reason,
    in the stage where it was refused (shown as not taken in); accepted keeps it where it is."""
    await may_change(session, user, enrolment)
    reason = clean_text(reason, "reason", 2000)
    if decision is Decision.REFUSED and not reason:
        raise DomainError("reason_required", _t("Say why the person is not taken in."), "reason")
    enrolment.decision = decision
    enrolment.decision_reason = reason
    enrolment.intake_on = check_day(intake_on, "intake_on", ahead_days=366) or enrolment.intake_on or today()
    if decision is Decision.REFUSED:
        enrolment.ended_on = min(enrolment.intake_on, today())
    elif (
        enrolment.ended_on is not None
        and stage_kind(await stages(session, enrolment.programme_id), enrolment) is StageKind.ACTIVE
    ):
        # Taken in after all (a refusal reconsidered): the trajectory runs again.
        enrolment.ended_on = None
    await session.flush()
    await audit(
        session,
        user,
        "decide",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"decision": decision.value},
    )
    return enrolment


async def move(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    stage: ProgrammeStage,
    *,
    drop_reason: DropReason | None = None,
    on: dt.date | None = None,
) -> Enrolment:
    """Move the enrolment to another of its programme's stages, kept in the history. Ending it as dropped asks for
    the reason; moving back to an active stage reopens it."""
    await may_change(session, user, enrolment)
    if stage.programme_id != enrolment.programme_id:
        raise DomainError("unknown_stage", _t("Choose one of the programme's stages."), "stage")
    check_day(on, "on")
    if stage.kind is StageKind.DROPPED and drop_reason is None:
        raise DomainError("reason_required", _t("Say why the trajectory ended."), "drop_reason")
    await _move(session, user, enrolment, stage, drop_reason=drop_reason, on=on)
    await audit(
        session,
        user,
        "move",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"stage": stage.name},
    )
    return enrolment


async def _move(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    stage: ProgrammeStage,
    *,
    drop_reason: DropReason | None = None,
    on: dt.date | None = None,
) -> None:
    if stage.id == enrolment.stage_id:
        return
    session.add(
        StageChange(
            enrolment_id=enrolment.id,
            from_stage_id=enrolment.stage_id,
            to_stage_id=stage.id,
            by_user_id=user.id or None,
            drop_reason=drop_reason if stage.kind is StageKind.DROPPED else None,
        )
    )
    enrolment.stage_id = stage.id
    if stage.kind is StageKind.ACTIVE:
        enrolment.ended_on = None
        enrolment.drop_reason = None
    else:
        enrolment.ended_on = on or today()
        enrolment.drop_reason = drop_reason if stage.kind is StageKind.DROPPED else None
    await session.flush()


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    from_stage: str | None
    to_stage: str | None
    by: str
    drop_reason: DropReason | None


async def stage_history(session: AsyncSession, enrolment: Enrolment) -> list[HistoryLine]:
    """Every move of the enrolment, oldest first, with who made it."""
    names = {s.id: s.name for s in await stages(session, enrolment.programme_id)}
    rows = await session.execute(
        select(StageChange, User.name)
        .outerjoin(User, User.id == StageChange.by_user_id)
        .where(StageChange.enrolment_id == enrolment.id)
        .order_by(StageChange.at, StageChange.id)
    )
    return [
        HistoryLine(
            at=change.at,
            from_stage=names.get(change.from_stage_id or 0),
            to_stage=names.get(change.to_stage_id or 0),
            by=str(name or ""),
            drop_reason=change.drop_reason,
        )
        for change, name in rows.tuples()
    ]


# --- what a referrer sees -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralState:
    """A referral as its referrer sees it: who, where, since when, the stage. Nothing confidential."""

    enrolment_id: int
    name: str
    programme: str
    referred_on: dt.date
    stage: str
    ended: bool


async def my_referrals(session: AsyncSession, user: CurrentUser) -> list[ReferralState]:
    rows = await session.execute(
        select(Enrolment, Candidate.first_name, Candidate.last_name, Programme.name, ProgrammeStage.name)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .join(ProgrammeStage, ProgrammeStage.id == Enrolment.stage_id)
        .where(referred_by(user), Candidate.erased_at.is_(None))
        .order_by(Enrolment.referred_on.desc(), Enrolment.id.desc())
    )
    return [
        ReferralState(
            enrolment_id=e.id,
            name=f"{first} {last}".strip(),
            programme=str(programme),
            referred_on=e.referred_on,
            stage=str(stage),
            ended=e.ended_on is not None,
        )
        for e, first, last, programme, stage in rows.tuples()
    ]
