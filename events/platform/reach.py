"""Who reaches what on an installation shared by several organisations, as query conditions every slice uses.

- An organiser reaches the events and programmes their organisation owns, and the people taking part in them
  (the candidates it owns and those signed up for its events); any other id answers like a missing one.
- A coach reaches their own candidates wherever they take part (and the cases shared with them), and the
  events of their own organisation and of the events and programmes it was invited into as a partner.
- An employer contact reaches the events its organisation takes part in; door staff the events of their own
  organisation, on the day only (events.platform.services.EventService).
- The administrator reaches no event and no person: counts only (events.accounts.admin).
- The command line and background jobs act for the whole installation (`CurrentUser.everywhere`).

Confidential fields (target group, barriers, the coach's note) are read by the candidate's coaches, by the
organisers of the organisation that owns the record, and by a professional the case is shared with.

Programmes (trajectories): an organiser reaches their organisation's programmes and everyone enrolled in them; a
coach reaches the programmes of their organisation and those it was invited into, the enrolments of the people they
coach there, and (to hold the intake) the referrals nobody has picked up yet in programmes where their organisation
coaches. A referrer sees what became of their own referrals: the stage, nothing confidential. Criminal-justice data
(detention, release date, criminal record) is read by the person's coaches and by organisers of the owning
organisation explicitly allowed it (`CurrentUser.reads_justice`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, select, true

from events.platform.errors import DomainError
from events.platform.identity import CurrentUser
from events.platform.models import (
    AuditEntry,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CaseShare,
    Consent,
    Enrolment,
    Event,
    PartnerRole,
    Partnership,
    Programme,
    ProgrammeStage,
    Role,
    User,
)

NOWHERE = -1  # an organisation id no row has: an account without an organisation reaches nothing by it


def organisation_of(user: CurrentUser) -> int:
    return user.organisation_id if user.organisation_id is not None else NOWHERE


def owned_events(organisation_id: int) -> Select[tuple[int]]:
    """The ids of the events the organisation owns."""
    return select(Event.id).where(Event.organisation_id == organisation_id)


def partner_events(organisation_id: int) -> Select[tuple[int]]:
    """The ids of the events the organisation was invited into, itself or through the event's programme."""
    direct = select(Partnership.event_id).where(
        Partnership.organisation_id == organisation_id, Partnership.event_id.is_not(None)
    )
    through_programme = select(Event.id).where(
        Event.programme_id.in_(
            select(Partnership.programme_id).where(
                Partnership.organisation_id == organisation_id, Partnership.programme_id.is_not(None)
            )
        )
    )
    return direct.union(through_programme)  # type: ignore[return-value]


def connected_organisations(organisation_id: int) -> Select[tuple[int]]:
    """The organisation itself, the partners it invited into its events and their programmes, and the
    organisations whose events or programmes it was invited into: whose coaches work alongside its own."""
    owned = owned_events(organisation_id)
    invited = select(Partnership.organisation_id).where(
        or_(
            Partnership.event_id.in_(owned),
            Partnership.programme_id.in_(select(Event.programme_id).where(Event.organisation_id == organisation_id)),
            Partnership.programme_id.in_(select(Programme.id).where(Programme.organisation_id == organisation_id)),
        )
    )
    inviting = select(Event.organisation_id).where(Event.id.in_(partner_events(organisation_id)))
    inviting_programmes = select(Programme.organisation_id).where(Programme.id.in_(partner_programmes(organisation_id)))
    return select(literal(organisation_id)).union(invited, inviting, inviting_programmes)  # type: ignore[return-value]


def coach_reach(user: CurrentUser) -> ColumnElement[bool]:
    """The coaches a user may pick (as a candidate's coach, for a hand-over, in an import), as a condition on
    User: those of their own organisation and of the organisations it works with (the command line: all)."""
    if user.everywhere:
        return true()
    return User.organisation_id.in_(connected_organisations(organisation_of(user)))


def coached_by(user_id: int, candidate_id: int | None = None) -> Select[tuple[int]]:
    """The ids of the candidates the user coaches (a subquery); with ``candidate_id``, that one's, if the user
    coaches them."""
    query = select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id == user_id)
    return query if candidate_id is None else query.where(CandidateCoach.candidate_id == candidate_id)


def shared_with(user_id: int, candidate_id: int | None = None) -> Select[tuple[int]]:
    """The ids of the candidates whose case is shared with the user (a subquery): shares not ended, on a consent
    not withdrawn (withdrawing ends the share too; the consent is checked here as well, so that a share can never
    outlive it); with ``candidate_id``, that one's."""
    query = (
        select(CaseShare.candidate_id)
        .join(Consent, Consent.id == CaseShare.consent_id)
        .where(CaseShare.professional_id == user_id, CaseShare.ended_at.is_(None), Consent.withdrawn_at.is_(None))
    )
    return query if candidate_id is None else query.where(CaseShare.candidate_id == candidate_id)


def event_reach(user: CurrentUser) -> ColumnElement[bool]:
    """Which events an organiser or coach reaches, as a condition on Event (employers and door staff: see
    EventService)."""
    if user.everywhere:
        return true()
    organisation = organisation_of(user)
    if user.role is Role.ORGANISER:
        return Event.organisation_id == organisation
    if user.role is Role.COACH:
        mine = select(CandidateParticipation.event_id).where(
            CandidateParticipation.candidate_id.in_(coached_by(user.id))
        )
        return or_(
            Event.organisation_id == organisation,
            Event.id.in_(partner_events(organisation)),
            Event.id.in_(mine),
        )
    return false()


def in_own_organisation(user: CurrentUser, event: Event) -> bool:
    """Whether the event belongs to the user's organisation (the command line: every event)."""
    return user.everywhere or event.organisation_id == organisation_of(user)


def organiser_candidates(organisation_id: int) -> Select[tuple[int]]:
    """The ids of the candidates an organisation's organisers reach: those it owns and those taking part in
    its events."""
    owned = select(Candidate.id).where(Candidate.organisation_id == organisation_id)
    taking_part = select(CandidateParticipation.candidate_id).where(
        CandidateParticipation.event_id.in_(owned_events(organisation_id))
    )
    return owned.union(taking_part)  # type: ignore[return-value]


def candidate_reach(user: CurrentUser, *, shared: bool = True) -> ColumnElement[bool]:
    """Which candidates the user reaches, as a condition on Candidate (erased people are the caller's). A coach
    reaches their own candidates and, with ``shared``, the cases shared with them; without it, what they may
    manage (change the record, the coaches, the consents, sign-ups): their own only."""
    if user.everywhere:
        return true()
    if user.role is Role.ORGANISER:
        return Candidate.id.in_(organiser_candidates(organisation_of(user)))
    if user.role is Role.COACH:
        if shared:
            return or_(Candidate.id.in_(coached_by(user.id)), Candidate.id.in_(shared_with(user.id)))
        return Candidate.id.in_(coached_by(user.id))
    return false()


def owned_candidates(user: CurrentUser) -> ColumnElement[bool]:
    """The candidates whose record the user's organisation owns, as a condition on Candidate: what an organiser
    exports or erases (the command line: everyone)."""
    return true() if user.everywhere else Candidate.organisation_id == organisation_of(user)


def audit_reach(user: CurrentUser) -> ColumnElement[bool]:
    """The audit entries an organiser reads: those written by an account of their organisation and those about
    a person it owns (about another organisation's person taking part in its events, only what its own accounts
    did; the command line: all)."""
    if user.everywhere:
        return true()
    organisation = organisation_of(user)
    return or_(
        AuditEntry.actor_id.in_(select(User.id).where(User.organisation_id == organisation)),
        AuditEntry.candidate_id.in_(select(Candidate.id).where(Candidate.organisation_id == organisation)),
    )


def reads_confidential(
    user: CurrentUser, candidate: Candidate, coach_ids: set[int], professional_ids: frozenset[int] = frozenset()
) -> bool:
    """Whether the user may read the candidate's confidential fields: one of their coaches (``coach_ids``), a
    professional the case is shared with now (``professional_ids``), an organiser of the organisation that owns
    the record, or the command line."""
    if user.everywhere:
        return True
    if user.id in coach_ids:
        return True
    if user.role is Role.COACH and user.id in professional_ids:
        return True
    return user.role is Role.ORGANISER and candidate.organisation_id == organisation_of(user)


def owning_organisation(user: CurrentUser) -> int:
    """The organisation that owns what the user creates (an event, a programme, a candidate): their own."""
    if user.organisation_id is None:
        raise DomainError("organisation", "this account belongs to no organisation", "organisation")
    return user.organisation_id


# --- programmes ---------------------------------------------------------------------------------------


def partner_programmes(organisation_id: int, *roles: PartnerRole) -> Select[tuple[int | None]]:
    """The ids of the programmes the organisation was invited into (with one of ``roles``, when given)."""
    query = select(Partnership.programme_id).where(
        Partnership.organisation_id == organisation_id, Partnership.programme_id.is_not(None)
    )
    if roles:
        query = query.where(Partnership.role.in_([r.value for r in roles]))
    return query


def programme_reach(user: CurrentUser) -> ColumnElement[bool]:
    """Which programmes a user reaches, as a condition on Programme: an organiser their organisation's, a coach
    also those their organisation was invited into (as referrer, coaching or training partner)."""
    if user.everywhere:
        return true()
    organisation = organisation_of(user)
    if user.role is Role.ORGANISER:
        return Programme.organisation_id == organisation
    if user.role is Role.COACH:
        return or_(Programme.organisation_id == organisation, Programme.id.in_(partner_programmes(organisation)))
    return false()


def intake_programmes(user: CurrentUser) -> Select[tuple[int]]:
    """The ids of the programmes in which the user's organisation holds intakes: its own, and those it was invited
    into as a coaching partner."""
    organisation = organisation_of(user)
    if user.everywhere:
        return select(Programme.id)
    return select(Programme.id).where(
        or_(
            Programme.organisation_id == organisation,
            Programme.id.in_(partner_programmes(organisation, PartnerRole.COACHING)),
        )
    )


def unclaimed_referrals() -> ColumnElement[bool]:
    """Enrolments nobody coaches yet, in their programme's first stage: referrals waiting to be picked up."""
    # Correlated with the outer query's Enrolment only: a query that also selects stages keeps its own.
    first_stage = (
        select(ProgrammeStage.id)
        .where(ProgrammeStage.programme_id == Enrolment.programme_id)
        .order_by(ProgrammeStage.position)
        .limit(1)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    return and_(
        Enrolment.stage_id == first_stage,
        Enrolment.decision.is_(None),
        ~Enrolment.candidate_id.in_(select(CandidateCoach.candidate_id)),
    )


def enrolment_reach(user: CurrentUser) -> ColumnElement[bool]:
    """Which enrolments a user reaches, as a condition on Enrolment: an organiser those of their organisation's
    programmes; a coach those of the people they coach in programmes they reach, and the referrals waiting for an
    intake in programmes where their organisation coaches. Referrers: see `referred_by`."""
    if user.everywhere:
        return true()
    if user.role is Role.ORGANISER:
        return Enrolment.programme_id.in_(
            select(Programme.id).where(Programme.organisation_id == organisation_of(user))
        )
    if user.role is Role.COACH:
        reached = select(Programme.id).where(programme_reach(user))
        return or_(
            and_(Enrolment.candidate_id.in_(coached_by(user.id)), Enrolment.programme_id.in_(reached)),
            and_(Enrolment.programme_id.in_(intake_programmes(user)), unclaimed_referrals()),
        )
    return false()


def referred_by(user: CurrentUser) -> ColumnElement[bool]:
    """The enrolments the user referred, as a condition on Enrolment (what they see of them: the stage only)."""
    return Enrolment.referred_by_id == user.id


def reads_justice(user: CurrentUser, programme_organisation_id: int, coach_ids: set[int]) -> bool:
    """Whether the user reads a participant's criminal-justice data: one of the person's coaches, an organiser of
    the programme's organisation explicitly allowed it, or the command line."""
    if user.everywhere or user.id in coach_ids:
        return True
    return user.role is Role.ORGANISER and user.reads_justice and programme_organisation_id == organisation_of(user)
