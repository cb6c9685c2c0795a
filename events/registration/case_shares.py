"""Sharing one case, with consent: a candidate's coach shares the case with a named professional of another
organisation (partners meet about shared cases, like Werkse!'s "Zeg JA team"), recording the candidate's consent
for it. The professional then reads the case, confidential fields included (every read audited), and adds to it:
notes on the case (events.registration.case_shares.add_note) and outcomes, as the coaches do
(events.followup.services); nothing more (the record, its coaches, consents and sign-ups stay with the candidate's
own coaches and organisers: `CandidateService.get` without ``shared``). The share lasts until a coach, an organiser
of the owning organisation or the professional ends it, or until that consent is withdrawn. Every step is audited.

Choosing the professional: by the e-mail address of an active coach account of another active organising or partner
organisation. A coach of the sharing coach's own organisation, or of the one that owns the record, is added as a
coach instead, and is told so (those colleagues are listed on the candidate's page anyway). Every other address
(unknown, an employer or organiser account, a deactivated account or organisation) gets one and the same answer,
so the form cannot be used to learn which addresses hold an account elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CaseNote,
    CaseShare,
    Consent,
    ConsentMethod,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from events.platform.reach import organisation_of
from events.platform.services import CandidateService, active_professionals, audit, check_email

NOTE_LENGTH = 4000


class ShareInput(msgspec.Struct, forbid_unknown_fields=True):
    """A case to share: with whom (an e-mail address) and how the candidate gave consent for it."""

    email: Annotated[str, msgspec.Meta(max_length=254)]
    method: ConsentMethod


class NoteInput(msgspec.Struct, forbid_unknown_fields=True):
    """A note added to a case."""

    text: Annotated[str, msgspec.Meta(max_length=NOTE_LENGTH)]


@dataclass(frozen=True)
class ShareView:
    """A share as the candidate's page and the API show it."""

    id: int
    professional_id: int
    professional: str
    professional_email: str
    organisation: str
    since: dt.datetime
    shared_by: str
    consent_id: int
    consent_purpose: str
    consent_given_at: dt.datetime
    consent_method: str
    ended_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    organisation: str
    text: str
    at: dt.datetime


def _is_coach(user: CurrentUser, candidate: Candidate) -> bool:
    return user.role is Role.COACH and any(link.coach_id == user.id for link in candidate.coaches)


def _owning_organiser(user: CurrentUser, candidate: Candidate) -> bool:
    return user.role is Role.ORGANISER and candidate.organisation_id == organisation_of(user)


async def _professional(session: AsyncSession, user: CurrentUser, candidate: Candidate, email: str) -> User:
    """The coach account of another organisation that the case may be shared with, or a DomainError on ``email``."""
    address = check_email(email, "email")
    row = (
        (
            await session.execute(
                select(User, Organisation)
                .join(Organisation, Organisation.id == User.organisation_id)
                .where(User.email == address)
            )
        )
        .tuples()
        .first()
    )
    nobody = DomainError(
        "unknown_professional", _t("There is no professional with this address the case can be shared with."), "email"
    )
    if row is None:
        raise nobody
    professional, organisation = row
    if professional.role is Role.COACH and professional.organisation_id in (
        candidate.organisation_id,
        organisation_of(user),
    ):
        raise DomainError(
            "own_organisation",
            _t("This coach works in your own organisation: add them as a coach of the candidate instead."),
            "email",
        )
    usable = (
        professional.role is Role.COACH
        and professional.is_active
        and organisation.is_active
        and organisation.kind in (OrganisationKind.ORGANISER, OrganisationKind.PARTNER)
    )
    if not usable:
        raise nobody
    if any(link.coach_id == professional.id for link in candidate.coaches):
        raise ConflictError("already_coach", _t("This professional already coaches the candidate."), "email")
    if professional.id in active_professionals(candidate):
        raise ConflictError("already_shared", _t("The case is already shared with this professional."), "email")
    return professional


async def share_case(session: AsyncSession, user: CurrentUser, candidate_id: int, data: ShareInput) -> CaseShare:
    """Share the case with a professional of another organisation, recording the candidate's consent for it (the
    candidate's coaches only)."""
    candidate = await CandidateService(session, user).get(candidate_id)
    if not _is_coach(user, candidate):
        raise DomainError("not_coach", _t("Only the candidate's coach can share their case."), "email")
    professional = await _professional(session, user, candidate, data.email)
    organisation = await session.get(Organisation, professional.organisation_id)
    assert organisation is not None  # noqa: S101 - joined above
    consent = Consent(
        candidate_id=candidate.id,
        purpose=_t(
            "Share the case with %(name)s (%(organisation)s)", name=professional.name, organisation=organisation.name
        ),
        method=data.method,
        recorded_by_id=user.id,
    )
    session.add(consent)
    await session.flush()
    share = CaseShare(
        candidate_id=candidate.id, professional_id=professional.id, consent_id=consent.id, shared_by_id=user.id
    )
    session.add(share)
    await session.flush()
    await audit(session, user, "consent", "candidate", candidate.id, candidate_id=candidate.id)
    await audit(
        session,
        user,
        "share_case",
        "case_share",
        share.id,
        candidate_id=candidate.id,
        detail={"professional": professional.id, "organisation": organisation.id, "consent": consent.id},
    )
    return share


async def _end(session: AsyncSession, user: CurrentUser, share: CaseShare, reason: str) -> None:
    share.ended_at = dt.datetime.now(dt.UTC)
    share.ended_by_id = user.id or None
    await session.flush()
    await audit(
        session,
        user,
        "end_share",
        "case_share",
        share.id,
        candidate_id=share.candidate_id,
        detail={"professional": share.professional_id, "reason": reason},
    )


async def end_share(session: AsyncSession, user: CurrentUser, candidate_id: int, share_id: int) -> None:
    """End a share: the candidate's coaches, an organiser of the owning organisation, or the professional."""
    candidate = await CandidateService(session, user).get(candidate_id, shared=True)
    share = await session.get(CaseShare, share_id)
    if share is None or share.candidate_id != candidate.id:
        raise NotFoundError("share")
    if not (_is_coach(user, candidate) or _owning_organiser(user, candidate) or share.professional_id == user.id):
        raise DomainError(
            "not_allowed", _t("Only the candidate's coach or an organiser can end this sharing."), "share"
        )
    if share.ended_at is not None:
        raise ConflictError("already_ended", _t("This sharing has already ended."), "share")
    await _end(session, user, share, "ended")


async def end_shares_of_consent(session: AsyncSession, user: CurrentUser, consent_id: int) -> int:
    """End every share given on this consent (it was withdrawn); how many ended."""
    shares = (
        await session.scalars(select(CaseShare).where(CaseShare.consent_id == consent_id, CaseShare.ended_at.is_(None)))
    ).all()
    for share in shares:
        await _end(session, user, share, "consent_withdrawn")
    return len(shares)


async def shares(session: AsyncSession, candidate: Candidate, *, active_only: bool = True) -> list[ShareView]:
    """The candidate's shares (a candidate the caller reached), oldest first."""
    shared_by = User.__table__.alias("shared_by")
    query = (
        select(CaseShare, User, Organisation.name, Consent, shared_by.c.name)
        .join(User, User.id == CaseShare.professional_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .join(Consent, Consent.id == CaseShare.consent_id)
        .outerjoin(shared_by, shared_by.c.id == CaseShare.shared_by_id)
        .where(CaseShare.candidate_id == candidate.id)
        .order_by(CaseShare.created_at, CaseShare.id)
    )
    if active_only:
        query = query.where(CaseShare.ended_at.is_(None), Consent.withdrawn_at.is_(None))
    return [
        ShareView(
            id=share.id,
            professional_id=professional.id,
            professional=professional.name,
            professional_email=professional.email,
            organisation=organisation,
            since=share.created_at,
            shared_by=by or "—",
            consent_id=consent.id,
            consent_purpose=consent.purpose,
            consent_given_at=consent.given_at,
            consent_method=consent.method.value,
            ended_at=share.ended_at,
        )
        for share, professional, organisation, consent, by in (await session.execute(query)).tuples()
    ]


async def owning_organisation_name(session: AsyncSession, candidate: Candidate) -> str:
    return str(await session.scalar(select(Organisation.name).where(Organisation.id == candidate.organisation_id)))


# --- notes on the case -----------------------------------------------------------------------------


async def _confidential_case(session: AsyncSession, user: CurrentUser, candidate_id: int) -> Candidate:
    """The candidate, for those who read the confidential part of the case; anyone else gets "not found"."""
    service = CandidateService(session, user)
    candidate = await service.get(candidate_id, shared=True)
    if not service.confidential(candidate):
        raise NotFoundError("candidate")
    return candidate


async def add_note(session: AsyncSession, user: CurrentUser, candidate_id: int, data: NoteInput) -> CaseNote:
    """Add a note to the case (those who read its confidential fields: coaches, owning organisers, a professional
    it is shared with)."""
    candidate = await _confidential_case(session, user, candidate_id)
    text = data.text.strip()
    if not text:
        raise DomainError("required", _t("Write the note."), "text")
    note = CaseNote(candidate_id=candidate.id, author_id=user.id or None, text=text)
    session.add(note)
    await session.flush()
    await audit(session, user, "add_note", "case_note", note.id, candidate_id=candidate.id)
    return note


async def notes(
    session: AsyncSession, user: CurrentUser, candidate: Candidate, *, confidential: bool
) -> list[NoteView]:
    """The case's notes, newest first, for a reader of the confidential fields (``confidential``, as
    `CandidateService.confidential` said); the read is audited. Anyone else: none."""
    if not confidential:
        return []
    rows = (
        await session.execute(
            select(CaseNote, User.name, Organisation.name)
            .outerjoin(User, User.id == CaseNote.author_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(CaseNote.candidate_id == candidate.id)
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        )
    ).tuples()
    found = [
        NoteView(n.id, author or "—", organisation or "", n.text, n.created_at) for n, author, organisation in rows
    ]
    if found:
        await audit(session, user, "read", "case_notes", None, candidate_id=candidate.id)
    return found


async def case_notes(session: AsyncSession, user: CurrentUser, candidate_id: int) -> list[NoteView]:
    """The case's notes for the API (404 for anyone who does not read the confidential fields)."""
    candidate = await _confidential_case(session, user, candidate_id)
    return await notes(session, user, candidate, confidential=True)


async def share_list(
    session: AsyncSession, user: CurrentUser, candidate_id: int, *, active_only: bool = False
) -> Sequence[ShareView]:
    """The candidate's shares for someone who reaches the candidate (the API)."""
    candidate = await CandidateService(session, user).get(candidate_id, shared=True)
    return await shares(session, candidate, active_only=active_only)
