"""Candidates: their record and consent, their coaches (several may share one, a caseload may be handed over),
and their sign-ups for events. Coaches register and sign up their own candidates; organisers all of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    BARRIERS,
    SECTORS,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CoachKind,
    Consent,
    Event,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    Role,
    User,
)
from events.platform.names import clean_name
from events.platform.reach import coach_reach, owned_candidates, owning_organisation
from events.platform.services import CandidateService, audit, check_email
from events.registration.case_shares import end_shares_of_consent
from events.registration.inputs import CandidateInput, ConsentInput, ParticipationInput
from events.registration.services import check_rounds, found, require_role

# --- candidates --------------------------------------------------------------------------------------


def _check_candidate(data: CandidateInput) -> str | None:
    unknown = [s for s in data.sectors if s not in SECTORS]
    if unknown:
        raise DomainError("invalid_sector", _t("unknown sector %(sector)s", sector=unknown[0]), "sectors")
    wrong = [b for b in data.barriers if b not in BARRIERS]
    if wrong:
        raise DomainError("invalid_barrier", _t("unknown barrier %(barrier)s", barrier=wrong[0]), "barriers")
    return check_email(data.email) if data.email else None


def _candidate_fields(data: CandidateInput, email: str | None) -> dict[str, object]:
    return {
        # Trimmed, and refused when empty or holding control or direction-changing characters (events.platform.names).
        "first_name": clean_name(data.first_name, "first_name", max_length=100),
        "last_name": clean_name(data.last_name, "last_name", max_length=150),
        "email": email,
        "phone": (data.phone or "").strip() or None,
        "date_of_birth": data.date_of_birth,
        "city": (data.city or "").strip() or None,
        "sectors": list(dict.fromkeys(data.sectors)),
        "hours_per_week": data.hours_per_week,
        "own_words": data.own_words.strip(),
        "target_group": (data.target_group or "").strip() or None,
        "barriers": list(dict.fromkeys(data.barriers)),
        "coach_note": data.coach_note.strip(),
    }


async def register_candidate(
    session: AsyncSession,
    user: CurrentUser,
    data: CandidateInput,
    consent: ConsentInput,
    *,
    coach_id: int | None = None,
    coach_kind: CoachKind = CoachKind.JOBCOACH,
) -> Candidate:
    """Register a candidate with the consent record; a coach becomes the candidate's coach."""
    require_role(user, Role.ORGANISER, Role.COACH)
    email = _check_candidate(data)
    owner = owning_organisation(user)
    # Known people are matched within the organisation only: another organisation's record is never touched.
    same_email = select(Candidate.id).where(func.lower(Candidate.email) == email, Candidate.organisation_id == owner)
    if email and await session.scalar(same_email):
        raise DomainError(
            "duplicate_person",
            _t("a candidate with e-mail %(email)s is already registered; ask an organiser", email=email),
            "email",
        )
    candidate = Candidate(**_candidate_fields(data, email), organisation_id=owner, created_by_id=user.id or None)
    session.add(candidate)
    await session.flush()
    coach = user.id if user.role is Role.COACH else coach_id
    if coach is not None:
        await _link_coach(session, user, candidate.id, coach, coach_kind)
    session.add(
        Consent(
            candidate_id=candidate.id,
            purpose=consent.purpose.strip(),
            method=consent.method,
            recorded_by_id=user.id or None,
        )
    )
    await session.flush()
    await audit(session, user, "create", "candidate", candidate.id, candidate_id=candidate.id)
    return await CandidateService(session, user).get(candidate.id)


async def _link_coach(
    session: AsyncSession, user: CurrentUser, candidate_id: int, coach_id: int, kind: CoachKind
) -> None:
    coach = await session.scalar(select(User).where(User.id == coach_id, coach_reach(user)))
    if coach is None or coach.role is not Role.COACH or not coach.is_active:
        raise DomainError("unknown_coach", _t("choose an active coach"), "coach")
    existing = await session.get(CandidateCoach, (candidate_id, coach_id))
    if existing is None:
        session.add(CandidateCoach(candidate_id=candidate_id, coach_id=coach_id, kind=kind))
    else:
        existing.kind = kind
    await session.flush()


async def update_candidate(
    session: AsyncSession, user: CurrentUser, candidate_id: int, data: CandidateInput
) -> Candidate:
    """Change a candidate's record (their coaches and organisers)."""
    candidate = await CandidateService(session, user).get(candidate_id, manage=True)
    email = _check_candidate(data)
    if email and await session.scalar(
        select(Candidate.id).where(
            func.lower(Candidate.email) == email,
            Candidate.id != candidate.id,
            Candidate.organisation_id == candidate.organisation_id,
        )
    ):
        raise DomainError("duplicate_person", _t("another candidate has e-mail %(email)s", email=email), "email")
    for key, value in _candidate_fields(data, email).items():
        setattr(candidate, key, value)
    await session.flush()
    await audit(session, user, "update", "candidate", candidate.id, candidate_id=candidate.id)
    return candidate


async def add_consent(session: AsyncSession, user: CurrentUser, candidate_id: int, data: ConsentInput) -> Consent:
    candidate = await CandidateService(session, user).get(candidate_id, manage=True)
    consent = Consent(
        candidate_id=candidate.id, purpose=data.purpose.strip(), method=data.method, recorded_by_id=user.id or None
    )
    session.add(consent)
    await session.flush()
    await audit(session, user, "consent", "candidate", candidate.id, candidate_id=candidate.id)
    return consent


async def withdraw_consent(session: AsyncSession, user: CurrentUser, candidate_id: int, consent_id: int) -> None:
    candidate = await CandidateService(session, user).get(candidate_id, manage=True)
    consent = await session.get(Consent, consent_id)
    if consent is None or consent.candidate_id != candidate.id:
        raise NotFoundError("consent")
    consent.withdrawn_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await audit(session, user, "withdraw_consent", "candidate", candidate.id, candidate_id=candidate.id)
    # A case shared on this consent is shared no longer (events.platform.reach checks the consent as well).
    await end_shares_of_consent(session, user, consent.id)


async def assign_coach(
    session: AsyncSession, user: CurrentUser, candidate_id: int, coach_id: int, kind: CoachKind = CoachKind.JOBCOACH
) -> None:
    """Add a coach to a candidate (organisers; a coach may add a colleague to their own candidate)."""
    candidate = await CandidateService(session, user).get(candidate_id, manage=True)
    await _link_coach(session, user, candidate.id, coach_id, kind)
    await audit(
        session, user, "assign_coach", "candidate", candidate.id, candidate_id=candidate.id, detail={"coach": coach_id}
    )


async def remove_coach(session: AsyncSession, user: CurrentUser, candidate_id: int, coach_id: int) -> None:
    candidate = await CandidateService(session, user).get(candidate_id, manage=True)
    link = await session.get(CandidateCoach, (candidate.id, coach_id))
    if link is None:
        raise NotFoundError("coach")
    if user.role is Role.COACH and coach_id != user.id:
        # A coach may step back from a shared candidate, never take a colleague off.
        raise DomainError("not_your_link", _t("only an organiser can take another coach off a candidate"), "coach")
    if len(candidate.coaches) <= 1:
        raise DomainError("last_coach", _t("a candidate keeps at least one coach; hand them over instead"), "coach")
    await session.delete(link)
    await session.flush()
    await audit(
        session, user, "remove_coach", "candidate", candidate.id, candidate_id=candidate.id, detail={"coach": coach_id}
    )


async def hand_over_caseload(session: AsyncSession, user: CurrentUser, from_coach_id: int, to_coach_id: int) -> int:
    """Move every candidate of one coach to another; returns how many moved. The coach themselves, or an organiser:
    then only the candidates their organisation owns, of a coach their organisation works with (a partner's coach
    who also works for another organisation keeps that organisation's candidates)."""
    if not (user.role is Role.ORGANISER or (user.role is Role.COACH and user.id == from_coach_id)):
        raise NotFoundError("coach")
    if (
        user.role is Role.ORGANISER
        and await session.scalar(select(User.id).where(User.id == from_coach_id, coach_reach(user))) is None
    ):
        raise NotFoundError("coach")
    target = await session.scalar(select(User).where(User.id == to_coach_id, coach_reach(user)))
    if target is None or target.role is not Role.COACH or not target.is_active or to_coach_id == from_coach_id:
        raise DomainError("unknown_coach", _t("choose another active coach"), "to_coach")
    query = select(CandidateCoach).where(CandidateCoach.coach_id == from_coach_id)
    if user.role is Role.ORGANISER:
        query = query.where(CandidateCoach.candidate_id.in_(select(Candidate.id).where(owned_candidates(user))))
    links = (await session.scalars(query)).all()
    moved = 0
    for link in links:
        if await session.get(CandidateCoach, (link.candidate_id, to_coach_id)) is None:
            session.add(CandidateCoach(candidate_id=link.candidate_id, coach_id=to_coach_id, kind=link.kind))
        await session.delete(link)
        moved += 1
        await audit(
            session,
            user,
            "hand_over",
            "candidate",
            link.candidate_id,
            candidate_id=link.candidate_id,
            detail={"from": from_coach_id, "to": to_coach_id},
        )
    await session.flush()
    await audit(session, user, "hand_over", "coach", from_coach_id, detail={"to": to_coach_id, "candidates": moved})
    return moved


async def coaches(session: AsyncSession, user: CurrentUser) -> Sequence[User]:
    """The active coaches the user may pick: their organisation's and those of the organisations it works with."""
    query = select(User).where(User.role == Role.COACH, User.is_active.is_(True), coach_reach(user))
    return (await session.scalars(query.order_by(User.name))).all()


# --- sign-ups ----------------------------------------------------------------------------------------


def _check_participation(event: Event, data: ParticipationInput) -> list[int] | None:
    rounds = check_rounds(data.rounds, event)
    if data.min_meetings is not None and data.max_meetings is not None and data.max_meetings < data.min_meetings:
        raise DomainError("max_below_min", _t("the maximum number of talks is below the minimum"), "max_meetings")
    return rounds


async def sign_up(
    session: AsyncSession, user: CurrentUser, event: Event, candidate_id: int, data: ParticipationInput
) -> CandidateParticipation:
    """Sign a candidate up for an event."""
    candidate = await CandidateService(session, user).get(candidate_id)
    if event.archived_at is not None:
        raise DomainError("archived", _t("this event is archived"), "event")
    if candidate.consents and not any(c.withdrawn_at is None for c in candidate.consents):
        raise DomainError("no_consent", _t("the candidate has withdrawn their consent"), "candidate")
    rounds = _check_participation(event, data)
    exists = await session.scalar(
        select(CandidateParticipation.id).where(
            CandidateParticipation.event_id == event.id, CandidateParticipation.candidate_id == candidate.id
        )
    )
    if exists:
        raise DomainError(
            "already_signed_up", _t("%(name)s is already signed up", name=candidate.full_name), "candidate"
        )
    participation = CandidateParticipation(
        event_id=event.id, candidate_id=candidate.id, registered_by_id=user.id or None
    )
    _apply_participation(participation, data, rounds)
    session.add(participation)
    await session.flush()
    await _owned_by_the_organiser(session, candidate, event)
    await audit(session, user, "sign_up", "candidate_participation", participation.id, candidate_id=candidate.id)
    return participation


async def _owned_by_the_organiser(session: AsyncSession, candidate: Candidate, event: Event) -> None:
    """A candidate a partner's coach registered belongs to the organising organisation of the first event they
    are signed up for: its organisers then read their record and answer the person's questions about it (a
    partner organisation has no organisers). A candidate already owned by an organising organisation stays
    theirs."""
    if candidate.organisation_id == event.organisation_id:
        return
    kind = await session.scalar(select(Organisation.kind).where(Organisation.id == candidate.organisation_id))
    if kind is OrganisationKind.ORGANISER:
        return
    elsewhere = await session.scalar(
        select(CandidateParticipation.id).where(
            CandidateParticipation.candidate_id == candidate.id, CandidateParticipation.event_id != event.id
        )
    )
    if elsewhere is None:
        candidate.organisation_id = event.organisation_id
        await session.flush()


def _apply_participation(
    participation: CandidateParticipation, data: ParticipationInput, rounds: list[int] | None
) -> None:
    participation.rounds = rounds
    participation.min_meetings = data.min_meetings
    participation.max_meetings = data.max_meetings
    if participation.status in (ParticipationStatus.CHECKED_IN, ParticipationStatus.NO_SHOW):
        # What the door recorded on the day is not undone from a registration form.
        if data.status.value != participation.status.value:
            raise DomainError(
                "status_locked", _t("the status was set at the event and cannot be changed here"), "status"
            )
    else:
        participation.status = ParticipationStatus(data.status.value)
    participation.needs_interpreter = data.needs_interpreter
    participation.interpreter_language = (data.interpreter_language or "").strip() or None
    participation.accessibility = data.accessibility.strip()


async def sign_up_of(session: AsyncSession, event: Event, participation_id: int) -> CandidateParticipation:
    """The event's sign-up ``participation_id`` with its candidate, whoever asks (the caller checks the reach);
    NotFoundError when the event has no such sign-up."""
    query = (
        select(CandidateParticipation)
        .where(CandidateParticipation.id == participation_id, CandidateParticipation.event_id == event.id)
        .options(selectinload(CandidateParticipation.candidate))
    )
    return await found(session, query, "participation")


async def participation_of(
    session: AsyncSession, user: CurrentUser, event: Event, participation_id: int
) -> CandidateParticipation:
    """A candidate's sign-up, for their coaches and organisers only."""
    require_role(user, Role.ORGANISER, Role.COACH)
    participation = await sign_up_of(session, event, participation_id)
    await CandidateService(session, user).get(participation.candidate_id)  # reach check
    return participation


async def update_participation(
    session: AsyncSession, user: CurrentUser, event: Event, participation_id: int, data: ParticipationInput
) -> CandidateParticipation:
    participation = await participation_of(session, user, event, participation_id)
    _apply_participation(participation, data, _check_participation(event, data))
    await session.flush()
    await audit(
        session, user, "update", "candidate_participation", participation.id, candidate_id=participation.candidate_id
    )
    return participation
