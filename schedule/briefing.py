"""The employer's briefing pack: the candidates it will meet in the published schedule, round by round,
as the anonymised cards it may see before the event."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.models import EmployerParticipation, Event
from events.registration import preferences as prefs
from schedule import services
from schedule.models import Meeting as MeetingRow


@dataclass(frozen=True, slots=True)
class BriefingTalk:
    round: int
    table: int
    card: Any  # events.registration.preferences.CandidateCard, or None when the candidate may no longer be shown


@dataclass(frozen=True, slots=True)
class Briefing:
    employer: EmployerParticipation
    version: int | None  # the published version it follows; None before anything is published
    talks: dict[int, list[BriefingTalk]]  # by round


async def briefing(session: AsyncSession, user: Any, event: Event, employer_id: int) -> Briefing:
    """The candidates an employer will meet, round by round, as the anonymised cards it may see before the
    event (first name and initial, interests, hours, their own words; never contact data, coach or notes).
    Organisers may print any employer's; an employer only its own (anything else answers 404)."""
    employer, cards = await prefs.employer_cards(session, user, event, employer_id)
    shown = await services.current(session, event)
    talks: dict[int, list[BriefingTalk]] = defaultdict(list)
    if shown is not None:
        by_participation = {c.participation_id: c for c in cards}
        rows = await session.execute(
            select(MeetingRow.round, MeetingRow.table, MeetingRow.candidate_participation_id)
            .where(MeetingRow.version_id == shown.id, MeetingRow.employer_participation_id == employer.id)
            .order_by(MeetingRow.round, MeetingRow.table, MeetingRow.id)
        )
        for rnd, table, candidate_id in rows.all():
            talks[rnd].append(BriefingTalk(rnd, table, by_participation.get(candidate_id)))
    return Briefing(employer, shown.number if shown else None, dict(talks))
