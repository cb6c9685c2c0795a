"""The rows every figure of the results report is counted from: the confirmed outcomes of events (one query), the
funnel step each outcome counts towards, and what the figures' queries share.

Who checked in and the talks held are the badges' to tell (badges.queries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.models import ContractType, Outcome, OutcomeStatus
from events.platform.models import CandidateParticipation, ParticipationStatus, PathwayKind
from events.results.shapes import STEP_OF_KIND


@dataclass(frozen=True)
class OutcomeRow:
    event_id: int | None  # never None here: the query asks for given events
    candidate_id: int
    kind: PathwayKind
    organisation_id: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    contract_type: ContractType | None
    contract_months: int | None
    hours_per_week: int | None
    leaves_benefits: bool | None


async def confirmed_outcomes(session: AsyncSession, event_ids: Sequence[int]) -> list[OutcomeRow]:
    """The confirmed outcomes of these events: one query, one row per outcome (a few per candidate at most)."""
    query = select(
        Outcome.event_id,
        Outcome.candidate_id,
        Outcome.kind,
        Outcome.organisation_id,
        Outcome.start_date,
        Outcome.end_date,
        Outcome.contract_type,
        Outcome.contract_months,
        Outcome.hours_per_week,
        Outcome.leaves_benefits,
    ).where(Outcome.event_id.in_(event_ids), Outcome.status == OutcomeStatus.CONFIRMED)
    return [OutcomeRow(*row) for row in (await session.execute(query)).tuples()]


def active_participation() -> Any:
    """A participation every figure counts: any but a cancelled one."""
    return CandidateParticipation.status != ParticipationStatus.CANCELLED


def step_sets(rows: Iterable[OutcomeRow]) -> dict[str, set[int]]:
    """The distinct candidates at each funnel step the rows count towards."""
    sets: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        step = STEP_OF_KIND.get(row.kind)
        if step:
            sets[step].add(row.candidate_id)
    return sets
