"""The coach's desk across programmes: the caseload by programme and stage (an organiser: each coach's), and what
is due: referrals to pick up, intakes to hold, introductions proposed and not followed up, releases in the coming
weeks (only for the people whose criminal-justice data the user reads: their coaches; every read audited), and the
checks 1, 3, 6 and 12 months after a placement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from events.followup.placements import PlacementCheck, due_placement_checks
from events.platform.dates import today
from events.platform.identity import CurrentUser
from events.platform.models import (
    Activity,
    ActivityKind,
    Candidate,
    CandidateCoach,
    Enrolment,
    IntroductionStatus,
    Programme,
    ProgrammeStage,
    Role,
    User,
)
from events.platform.reach import coached_by, enrolment_reach
from events.programmes import intake, plan

RELEASE_WEEKS = 6
# The reach rules' subqueries correlate on ProgrammeStage (a programme's first stage): the desk's own join of the
# stages goes through an alias, so that the subquery keeps its own table.
Stage = aliased(ProgrammeStage)


@dataclass(frozen=True)
class Case:
    """One person on the desk: where they are, and how to reach them (or that it goes through their coach)."""

    enrolment_id: int
    name: str
    programme: str
    stage: str
    email: str | None
    phone: str | None
    through: str
    detail: str = ""
    on: dt.date | None = None


@dataclass
class Desk:
    caseload: list[tuple[str, list[tuple[str, list[Case]]]]] = field(default_factory=list)
    coach_loads: list[tuple[str, str, str, int]] = field(default_factory=list)
    to_pick_up: list[Case] = field(default_factory=list)
    intakes: list[Case] = field(default_factory=list)
    introductions: list[Case] = field(default_factory=list)
    releases: list[Case] = field(default_factory=list)
    # Checks due 1, 3, 6 and 12 months after a placement (events.followup.placements), of the people the user
    # follows up.
    placement_checks: list[PlacementCheck] = field(default_factory=list)


def _case(e: Enrolment, c: Candidate, programme: str, stage: str, detail: str = "", on: dt.date | None = None) -> Case:
    return Case(
        enrolment_id=e.id,
        name=f"{c.first_name} {c.last_name}".strip(),
        programme=programme,
        stage=stage,
        email=c.email,
        phone=c.phone,
        through=e.contact_through or "",
        detail=detail,
        on=on,
    )


def _mine(user: CurrentUser):  # type: ignore[no-untyped-def]
    """Coaches see their own people; organisers everyone in their programmes."""
    condition = enrolment_reach(user)
    if user.role is Role.COACH:
        condition = and_(condition, Enrolment.candidate_id.in_(coached_by(user.id)))
    return condition


async def desk(session: AsyncSession, user: CurrentUser) -> Desk:
    """The user's desk (coaches and organisers)."""
    result = Desk()
    base = (
        select(Enrolment, Candidate, Programme.name, Stage.name)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .join(Stage, Stage.id == Enrolment.stage_id)
        .where(Candidate.erased_at.is_(None), Enrolment.ended_on.is_(None))
    )
    coached = Enrolment.candidate_id.in_(select(CandidateCoach.candidate_id))
    rows = (
        await session.execute(
            base.where(_mine(user), coached).order_by(
                Programme.name, Stage.position, Candidate.first_name, Candidate.last_name
            )
        )
    ).tuples()
    grouped: dict[str, dict[str, list[Case]]] = {}
    for e, c, programme, stage in rows:
        case = _case(e, c, programme, stage)
        grouped.setdefault(programme, {}).setdefault(stage, []).append(case)
        if e.decision is None:
            result.intakes.append(case)
    if user.role is Role.COACH:
        result.caseload = [(p, list(s.items())) for p, s in grouped.items()]
    else:
        loads = await session.execute(
            select(User.name, Programme.name, Stage.name, func.count())
            .select_from(Enrolment)
            .join(CandidateCoach, CandidateCoach.candidate_id == Enrolment.candidate_id)
            .join(User, User.id == CandidateCoach.coach_id)
            .join(Programme, Programme.id == Enrolment.programme_id)
            .join(Stage, Stage.id == Enrolment.stage_id)
            .where(enrolment_reach(user), Enrolment.ended_on.is_(None))
            .group_by(User.name, Programme.name, Stage.name, Stage.position)
            .order_by(User.name, Programme.name, Stage.position)
        )
        result.coach_loads = [(str(a), str(b), str(s), int(n)) for a, b, s, n in loads.tuples()]
    for e, c, p in await intake.to_pick_up(session, user):
        result.to_pick_up.append(_case(e, c, p.name, "", on=e.referred_on))
    intros = await session.execute(
        base.add_columns(Activity.title, Activity.starts_on)
        .join(Activity, Activity.enrolment_id == Enrolment.id)
        .where(
            _mine(user),
            Activity.kind == ActivityKind.INTRODUCTION,
            Activity.introduction_status == IntroductionStatus.PROPOSED,
        )
        .order_by(Activity.starts_on.nulls_last(), Activity.id)
    )
    for e, c, programme, stage, title, starts_on in intros.tuples():
        result.introductions.append(_case(e, c, programme, stage, detail=title or "", on=starts_on))
    result.releases = await _releases(session, user)
    result.placement_checks = await due_placement_checks(session, user, today())
    return result


async def _releases(session: AsyncSession, user: CurrentUser) -> list[Case]:
    """Releases in the coming weeks of the people the user coaches (whose criminal-justice data they read)."""
    if user.role is not Role.COACH:
        return []
    day = today()
    horizon = day + dt.timedelta(weeks=RELEASE_WEEKS)
    rows = await session.execute(
        select(Enrolment, Candidate, Programme.name, Stage.name)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .join(Stage, Stage.id == Enrolment.stage_id)
        .where(
            Candidate.erased_at.is_(None),
            Enrolment.ended_on.is_(None),
            enrolment_reach(user),
            Enrolment.candidate_id.in_(coached_by(user.id)),
        )
    )
    found = []
    for e, c, programme, stage in rows.tuples():
        if not e.justice:
            continue
        # The user coaches the person (the query's condition), so plan.justice lets them read it: its own check
        # is the one, and it writes the read to the audit log.
        release = (await plan.justice(session, user, e)).get("release_date")
        if not release:
            continue
        on = dt.date.fromisoformat(str(release))
        if day <= on <= horizon:
            found.append(_case(e, c, programme, stage, on=on))
    return sorted(found, key=lambda case: case.on or day)
