"""What the demo's two editions share: a candidate added with their first coach and the consent that coach
recorded."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.models import Candidate, CandidateCoach, CoachKind, Consent, ConsentMethod, User

# (name, e-mail, organisation, kind); the first two take turns as a candidate's first coach.
COACHES = (
    ("Anouk Jansen", "coach@demo.meetmatch.nl", "Werkse!", CoachKind.JOBCOACH),
    ("Mohamed El Amrani", "consulent@demo.meetmatch.nl", "Werkse!", CoachKind.CONSULENT),
    ("Petra Visser", "reclassering@demo.meetmatch.nl", "Reclassering Haaglanden", CoachKind.PROBATION),
)
CONSENT_PURPOSE = "Gegevens delen met de werkgevers van Samen Werkt! en opvolging door de coach"


async def add_candidate(
    session: AsyncSession,
    candidate: Candidate,
    coach: User,
    kind: CoachKind,
    method: ConsentMethod,
    *,
    purpose: str = CONSENT_PURPOSE,
) -> None:
    """Add ``candidate`` (flushed, so that it has its id), ``coach`` as their coach of ``kind``, and the consent
    ``coach`` recorded by ``method``."""
    session.add(candidate)
    await session.flush()
    session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coach.id, kind=kind))
    session.add(Consent(candidate_id=candidate.id, purpose=purpose, method=method, recorded_by_id=coach.id))
