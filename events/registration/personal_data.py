"""Registration's part of a person's data (events.platform.personal_data): the candidate, their consents, coaches,
who their case was shared with and the notes on it, sign-ups for events and wishes.

Erased, the candidate's row stays as a placeholder (the figures count it) with names and contact data gone,
and so do their participations, coach links, shares and wishes; their consents keep when and how, not the wording;
the notes on their case are blanked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CaseNote,
    CaseShare,
    Consent,
    Event,
    Organisation,
    Preference,
    User,
)
from events.platform.personal_data import Erasing, Person, iso

# What an erased person is called where a name is shown (the row stays, so that the figures do).
ERASED_FIRST_NAME = "Erased"


class RegistrationData:
    """The candidate's own row, consents, coach links, participations and wishes."""

    name = "registration"
    tables = tuple(
        m.__tablename__
        for m in (Candidate, Consent, CandidateCoach, CaseShare, CaseNote, CandidateParticipation, Preference)
    )
    months_after_event = 0

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        candidate = await session.scalar(
            select(Candidate)
            .where(Candidate.id == person.candidate_id)
            .options(
                selectinload(Candidate.coaches).selectinload(CandidateCoach.coach), selectinload(Candidate.consents)
            )
        )
        assert candidate is not None  # noqa: S101 - the sweep found them
        participations = await session.scalars(
            select(CandidateParticipation)
            .where(CandidateParticipation.candidate_id == candidate.id)
            .options(selectinload(CandidateParticipation.event))
            .join(Event, Event.id == CandidateParticipation.event_id)
            .order_by(Event.date, Event.id)
        )
        return {
            "candidate": _candidate(candidate),
            "consents": [
                {
                    "purpose": c.purpose,
                    "text_version": c.text_version,
                    "method": c.method.value,
                    "given_at": iso(c.given_at),
                    "withdrawn_at": iso(c.withdrawn_at),
                }
                for c in candidate.consents
            ],
            "coaches": [
                {
                    "name": link.coach.name,
                    "email": link.coach.email,
                    "kind": link.kind.value,
                    "since": iso(link.created_at),
                }
                for link in candidate.coaches
            ],
            "participations": [_participation(p) for p in participations],
            "preferences": await _preferences(session, person),
            "case_shares": await _shares(session, person),
            "case_notes": await _notes(session, person),
        }

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        candidate = await session.get(Candidate, person.candidate_id)
        assert candidate is not None  # noqa: S101 - the sweep claimed them
        texts: list[str | None] = [candidate.own_words, candidate.coach_note]
        participations = await session.scalars(
            select(CandidateParticipation).where(CandidateParticipation.candidate_id == person.candidate_id)
        )
        texts += [t for p in participations for t in (p.accessibility, p.door_instruction)]
        texts += list(await session.scalars(select(Consent.purpose).where(Consent.candidate_id == person.candidate_id)))
        texts += list(await session.scalars(select(CaseNote.text).where(CaseNote.candidate_id == person.candidate_id)))
        return texts

    async def erase(self, erasing: Erasing) -> None:
        candidate = await erasing.session.get(Candidate, erasing.person.candidate_id)
        assert candidate is not None  # noqa: S101 - the sweep claimed them
        candidate.first_name, candidate.last_name = ERASED_FIRST_NAME, f"#{candidate.id}"
        candidate.email = candidate.phone = candidate.city = candidate.target_group = None
        candidate.date_of_birth = None
        candidate.own_words = candidate.coach_note = ""
        candidate.barriers = []
        erasing.tables.add(Candidate.__tablename__)
        await erasing.blank(Consent, Consent.candidate_id == candidate.id, purpose="")
        await erasing.blank(CaseNote, CaseNote.candidate_id == candidate.id, text="")
        if erasing.person.participation_ids:
            await erasing.blank(
                CandidateParticipation,
                CandidateParticipation.id.in_(erasing.person.participation_ids),
                accessibility="",
                interpreter_language=None,
                door_instruction="",
            )


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "date_of_birth": iso(c.date_of_birth),
        "city": c.city,
        "sectors": list(c.sectors or []),
        "hours_per_week": c.hours_per_week,
        "own_words": c.own_words,
        "target_group": c.target_group,
        "barriers": list(c.barriers or []),
        "coach_note": c.coach_note,
        "locale": c.locale,
        "registered_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


def _participation(p: CandidateParticipation) -> dict[str, Any]:
    return {
        "id": p.id,
        "event": {"id": p.event.id, "name": p.event.name, "date": iso(p.event.date)},
        "status": p.status.value,
        "rounds": p.rounds,
        "min_talks": p.min_meetings,
        "max_talks": p.max_meetings,
        "needs_interpreter": p.needs_interpreter,
        "interpreter_language": p.interpreter_language,
        "accessibility": p.accessibility,
        "door_instruction": p.door_instruction,
        "walk_in": p.walk_in,
        "registered_at": iso(p.created_at),
    }


async def _preferences(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    if not person.participation_ids:
        return []
    rows = await session.scalars(
        select(Preference)
        .where(Preference.candidate_participation_id.in_(person.participation_ids))
        .order_by(Preference.id)
    )
    return [
        {
            "participation": p.candidate_participation_id,
            "employer": person.employers.get(p.employer_participation_id, ""),
            "side": p.side.value,
            "level": p.level,
        }
        for p in rows
    ]


async def _shares(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    """Who the person's case was shared with, on which consent, from when until when."""
    rows = await session.execute(
        select(CaseShare, User.name, User.email, Organisation.name, Consent.purpose)
        .join(User, User.id == CaseShare.professional_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .join(Consent, Consent.id == CaseShare.consent_id)
        .where(CaseShare.candidate_id == person.candidate_id)
        .order_by(CaseShare.created_at, CaseShare.id)
    )
    return [
        {
            "professional": name,
            "email": email,
            "organisation": organisation,
            "consent": purpose,
            "since": iso(share.created_at),
            "ended_at": iso(share.ended_at),
        }
        for share, name, email, organisation, purpose in rows.tuples()
    ]


async def _notes(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(CaseNote, User.name)
        .outerjoin(User, User.id == CaseNote.author_id)
        .where(CaseNote.candidate_id == person.candidate_id)
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    return [{"text": note.text, "by": name, "at": iso(note.created_at)} for note, name in rows.tuples()]
