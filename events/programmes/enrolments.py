"""People in a programme: referral, enrolment, the intake and its decision, the stages with their history, and the
confidential parts of an enrolment (goals, barriers, criminal-justice data).

Who reaches what is events.platform.reach's: `programme_reach`, `enrolment_reach`, `referred_by`, `reads_justice`.
Every function refuses what the user does not reach exactly like a missing id (NotFoundError), and bad input with a
DomainError naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.dates import today
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CoachKind,
    Consent,
    ConsentMethod,
    Enrolment,
    Programme,
    ProgrammeStage,
    Role,
    StageChange,
    StageKind,
    TargetGroup,
    User,
)
from events.platform.names import clean_name
from events.platform.reach import (
    coach_reach,
    enrolment_reach,
    organisation_of,
    programme_reach,
)
from events.platform.services import audit, check_email

REFERRAL_PURPOSE = "Aanmelding voor %(programme)s doorgeven aan de organisatie van het traject"


def _is_id(text: str) -> bool:
    """ASCII digits only ("²".isdigit() is true, and int() refuses it) and within the id column's range."""
    return re.fullmatch(r"[0-9]{1,9}", text) is not None


# --- programmes -----------------------------------------------------------------------------------------------


async def reached_programmes(session: AsyncSession, user: CurrentUser) -> Sequence[Programme]:
    """The programmes the user reaches, by name."""
    return (await session.scalars(select(Programme).where(programme_reach(user)).order_by(Programme.name))).all()


async def get_programme(session: AsyncSession, user: CurrentUser, ref: str | int) -> Programme:
    """A programme the user reaches, by id or slug."""
    text = str(ref).strip()
    if "\x00" in text:
        # No programme's address holds a NUL (and PostgreSQL refuses to compare one): missing, on every database.
        raise NotFoundError(f"programme {ref!r}")
    query = select(Programme).where(programme_reach(user))
    found = None
    if _is_id(text):
        found = await session.scalar(query.where(Programme.id == int(text)))
    if found is None:
        found = await session.scalar(query.where(Programme.slug == text.lower()))
    if found is None:
        raise NotFoundError(f"programme {ref!r}")
    return found


def manages(user: CurrentUser, programme: Programme) -> None:
    """Organisers of the programme's organisation (and the command line) manage it; anyone else is refused like a
    missing programme."""
    if not (user.everywhere or (user.role is Role.ORGANISER and programme.organisation_id == organisation_of(user))):
        raise NotFoundError("programme")


async def stages(session: AsyncSession, programme_id: int) -> list[ProgrammeStage]:
    return list(
        await session.scalars(
            select(ProgrammeStage).where(ProgrammeStage.programme_id == programme_id).order_by(ProgrammeStage.position)
        )
    )


async def target_groups(session: AsyncSession, programme_id: int) -> list[TargetGroup]:
    return list(
        await session.scalars(
            select(TargetGroup).where(TargetGroup.programme_id == programme_id).order_by(TargetGroup.name)
        )
    )


def _matching(name: str, options: Sequence[Any], field: str, code: str) -> Any:
    """The option whose name is ``name`` regardless of case and surrounding spaces, else a DomainError listing the
    allowed names."""
    wanted = " ".join(name.split()).casefold()
    for option in options:
        if option.name.casefold() == wanted:
            return option
    allowed = ", ".join(o.name for o in options)
    raise DomainError(code, _t("%(name)s is not one of: %(allowed)s", name=name.strip(), allowed=allowed), field)


async def find_stage(session: AsyncSession, programme: Programme, ref: str | int) -> ProgrammeStage:
    """One of the programme's stages, by id or name (case and spaces ignored)."""
    options = await stages(session, programme.id)
    if isinstance(ref, int) or _is_id(str(ref).strip()):
        for stage in options:
            if stage.id == int(ref):
                return stage
        raise DomainError("unknown_stage", _t("Choose one of the programme's stages."), "stage")
    return _matching(str(ref), options, "stage", "unknown_stage")  # type: ignore[no-any-return]


async def find_target_group(session: AsyncSession, programme: Programme, ref: str | int) -> TargetGroup:
    """One of the programme's target groups, by id or name (case and spaces ignored)."""
    options = await target_groups(session, programme.id)
    if isinstance(ref, int) or _is_id(str(ref).strip()):
        for group in options:
            if group.id == int(ref):
                return group
        raise DomainError("unknown_target_group", _t("Choose one of the programme's target groups."), "target_group")
    return _matching(str(ref), options, "target_group", "unknown_target_group")  # type: ignore[no-any-return]


# --- enrolments -----------------------------------------------------------------------------------------------


async def get_enrolment(session: AsyncSession, user: CurrentUser, enrolment_id: int) -> Enrolment:
    """An enrolment the user reaches (events.platform.reach.enrolment_reach), of a person not erased."""
    found = await session.scalar(
        select(Enrolment)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .where(Enrolment.id == enrolment_id, enrolment_reach(user), Candidate.erased_at.is_(None))
    )
    if found is None:
        raise NotFoundError(f"enrolment {enrolment_id}")
    return found


async def programme_enrolments(
    session: AsyncSession, user: CurrentUser, programme: Programme
) -> list[tuple[Enrolment, Candidate]]:
    """The programme's enrolments the user reaches, with their person, by name."""
    rows = await session.execute(
        select(Enrolment, Candidate)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .where(Enrolment.programme_id == programme.id, enrolment_reach(user), Candidate.erased_at.is_(None))
        .order_by(Candidate.first_name, Candidate.last_name, Enrolment.id)
    )
    return [(e, c) for e, c in rows.tuples()]


async def _first_stage(session: AsyncSession, programme_id: int) -> ProgrammeStage:
    found = await session.scalar(
        select(ProgrammeStage).where(ProgrammeStage.programme_id == programme_id).order_by(ProgrammeStage.position)
    )
    if found is None:
        raise DomainError("no_stages", _t("The programme has no stages yet."), "stage")
    return found


def check_day(day: dt.date | None, field: str, *, ahead_days: int = 0) -> dt.date | None:
    """A date from a form or the API within reason: not before 1900, and at most ``ahead_days`` after today (an
    ending or a referral lies in the past; an intake or a training may be planned). Far-off dates would break
    every computation that counts months from them (retention, checks)."""
    if day is None:
        return None
    if day.year < 1900:
        raise DomainError("invalid_date", _t("Give a date after 1900."), field)
    if day > today() + dt.timedelta(days=ahead_days):
        raise DomainError("in_future", _t("This date lies too far in the future."), field)
    return day


def clean_text(value: Any, field: str, limit: int = 4000) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError("too_long", _t("Use at most %(n)s characters.", n=limit), field)
    return text


@dataclass(frozen=True)
class Referral:
    """What a referrer passes on: who, how to reach them (or through whom), what they want, and that the person
    agreed to it being passed on."""

    first_name: str
    last_name: str
    consent: bool
    email: str = ""
    phone: str = ""
    contact_through: str = ""
    wishes: str = ""
    referrer_name: str = ""


async def refer(session: AsyncSession, user: CurrentUser, programme: Programme, referral: Referral) -> Enrolment:
    """A referral to the programme by a coach or organiser of an organisation that reaches it: the person is
    registered with the programme's organisation (which takes it from here) in the programme's first stage."""
    if user.role not in (Role.COACH, Role.ORGANISER) and not user.everywhere:
        raise NotFoundError("programme")
    await get_programme(session, user, programme.id)
    if not referral.consent:
        raise DomainError("consent_required", _t("The person must agree that the referral is passed on."), "consent")
    email = check_email(referral.email) if referral.email.strip() else None
    phone = clean_text(referral.phone, "phone", 40) or None
    through = clean_text(referral.contact_through, "contact_through", 300)
    if not (email or phone or through):
        raise DomainError(
            "contact_required",
            _t("Give an e-mail address, a phone number or through whom to reach the person."),
            "contact_through",
        )
    candidate = Candidate(
        organisation_id=programme.organisation_id,
        first_name=clean_name(referral.first_name, "first_name", max_length=100),
        last_name=clean_name(referral.last_name, "last_name", max_length=150),
        email=email,
        phone=phone,
        created_by_id=user.id or None,
    )
    new = True
    # Only the programme's own organisation matches a referral to someone it knows: a referrer of another
    # organisation typing an address must not learn whom it belongs to, nor that they are in the programme. Their
    # referral is a record of its own, which the intake may bring together with a known person.
    if email and programme.organisation_id == user.organisation_id:
        known = await session.scalar(
            select(Candidate).where(
                func.lower(Candidate.email) == email,
                Candidate.organisation_id == programme.organisation_id,
                Candidate.erased_at.is_(None),
            )
        )
        if known is not None:
            candidate, new = known, False
    if new:
        session.add(candidate)
        await session.flush()
    elif await session.scalar(
        select(Enrolment.id).where(Enrolment.programme_id == programme.id, Enrolment.candidate_id == candidate.id)
    ):
        raise DomainError("already_enrolled", _t("This person is already in the programme."), "email")
    consent = Consent(
        candidate_id=candidate.id,
        purpose=REFERRAL_PURPOSE % {"programme": programme.name},
        method=ConsentMethod.VERBAL,
        recorded_by_id=user.id or None,
    )
    session.add(consent)
    await session.flush()
    enrolment = await _enrol(
        session,
        user,
        programme,
        candidate,
        referred_by_organisation_id=user.organisation_id,
        referred_by_id=user.id or None,
        referrer_name=clean_text(referral.referrer_name, "referrer_name", 200) or user.name,
        referred_on=today(),
        consent_id=consent.id,
    )
    enrolment.contact_through = through
    enrolment.wishes = clean_text(referral.wishes, "wishes")
    await session.flush()
    await audit(session, user, "refer", "enrolment", enrolment.id, candidate_id=candidate.id)
    return enrolment


async def enrol(
    session: AsyncSession,
    user: CurrentUser,
    programme: Programme,
    candidate: Candidate,
    *,
    target_group: TargetGroup | None = None,
    stage: ProgrammeStage | None = None,
    referred_by_organisation_id: int | None = None,
    referrer_name: str = "",
    referred_on: dt.date | None = None,
    intake_on: dt.date | None = None,
    coach_ids: Sequence[int] = (),
) -> Enrolment:
    """Put a person of the programme's organisation in the programme (organisers; the import does it row by row)."""
    manages(user, programme)
    if candidate.organisation_id != programme.organisation_id:
        raise NotFoundError(f"candidate {candidate.id}")
    if await session.scalar(
        select(Enrolment.id).where(Enrolment.programme_id == programme.id, Enrolment.candidate_id == candidate.id)
    ):
        raise DomainError("already_enrolled", _t("This person is already in the programme."), "candidate")
    enrolment = await _enrol(
        session,
        user,
        programme,
        candidate,
        target_group_id=target_group.id if target_group else None,
        stage=stage,
        referred_by_organisation_id=referred_by_organisation_id,
        referrer_name=clean_text(referrer_name, "referrer_name", 200),
        referred_on=check_day(referred_on, "referred_on") or today(),
        intake_on=check_day(intake_on, "intake_on", ahead_days=366),
    )
    for coach_id in coach_ids:
        await add_coach(session, user, enrolment, coach_id)
    await audit(session, user, "enrol", "enrolment", enrolment.id, candidate_id=candidate.id)
    return enrolment


async def _enrol(
    session: AsyncSession,
    user: CurrentUser,
    programme: Programme,
    candidate: Candidate,
    *,
    stage: ProgrammeStage | None = None,
    **fields: Any,
) -> Enrolment:
    if stage is not None and stage.programme_id != programme.id:
        raise DomainError("unknown_stage", _t("Choose one of the programme's stages."), "stage")
    if fields.get("target_group_id") is not None and not await session.scalar(
        select(TargetGroup.id).where(
            TargetGroup.id == fields["target_group_id"], TargetGroup.programme_id == programme.id
        )
    ):
        raise DomainError("unknown_target_group", _t("Choose one of the programme's target groups."), "target_group")
    first = stage or await _first_stage(session, programme.id)
    enrolment = Enrolment(
        programme_id=programme.id,
        candidate_id=candidate.id,
        stage_id=first.id,
        created_by_id=user.id or None,
        barriers=[],
        justice={},
        **fields,
    )
    if first.kind is not StageKind.ACTIVE:
        enrolment.ended_on = fields.get("intake_on") or fields.get("referred_on") or today()
    session.add(enrolment)
    await session.flush()
    session.add(
        StageChange(enrolment_id=enrolment.id, from_stage_id=None, to_stage_id=first.id, by_user_id=user.id or None)
    )
    await session.flush()
    return enrolment


async def add_coach(session: AsyncSession, user: CurrentUser, enrolment: Enrolment, coach_id: int) -> None:
    """Make a coach the person's coach (the coaches a user may pick: events.platform.reach.coach_reach)."""
    coach = await session.scalar(select(User).where(User.id == coach_id, coach_reach(user)))
    if coach is None or coach.role is not Role.COACH or not coach.is_active:
        raise DomainError("unknown_coach", _t("choose an active coach"), "coach")
    if await session.get(CandidateCoach, (enrolment.candidate_id, coach_id)) is None:
        session.add(CandidateCoach(candidate_id=enrolment.candidate_id, coach_id=coach_id, kind=CoachKind.JOBCOACH))
        await session.flush()
    await audit(
        session,
        user,
        "add_coach",
        "enrolment",
        enrolment.id,
        candidate_id=enrolment.candidate_id,
        detail={"coach": coach_id},
    )


async def coach_ids(session: AsyncSession, enrolment: Enrolment) -> set[int]:
    return set(
        await session.scalars(
            select(CandidateCoach.coach_id).where(CandidateCoach.candidate_id == enrolment.candidate_id)
        )
    )


async def may_change(session: AsyncSession, user: CurrentUser, enrolment: Enrolment) -> None:
    """The person's coaches and the programme's organisers change an enrolment; a coach who only sees a waiting
    referral picks it up first."""
    if user.everywhere:
        return
    programme = await session.get(Programme, enrolment.programme_id)
    if user.role is Role.ORGANISER and programme is not None and programme.organisation_id == organisation_of(user):
        return
    if user.id in await coach_ids(session, enrolment):
        return
    raise DomainError("pick_up_first", _t("Pick up the referral first."), "enrolment")
