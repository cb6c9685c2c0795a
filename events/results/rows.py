"""The rows every figure of the results report is counted from: the confirmed outcomes of events, or of a programme
(its events' and its enrolments', each once; one query), the funnel step each outcome counts towards, and what the
figures' queries share.

Who checked in and the talks held are the badges' to tell (badges.queries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.models import ContractType, Outcome, OutcomeStatus
from events.platform.models import CandidateParticipation, Enrolment, ParticipationStatus, PathwayKind
from events.results.shapes import STEP_OF_KIND


@dataclass(frozen=True)
class OutcomeRow:
    event_id: int | None  # None for an outcome of a programme's enrolment logged outside any event
    candidate_id: int
    kind: PathwayKind
    organisation_id: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    contract_type: ContractType | None
    contract_months: int | None
    hours_per_week: int | None
    leaves_benefits: bool | None


_COLUMNS = (
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
)


async def confirmed_outcomes(session: AsyncSession, event_ids: Sequence[int]) -> list[OutcomeRow]:
    """The confirmed outcomes of these events: one query, one row per outcome (a few per candidate at most)."""
    query = select(*_COLUMNS).where(Outcome.event_id.in_(event_ids), Outcome.status == OutcomeStatus.CONFIRMED)
    return [OutcomeRow(*row) for row in (await session.execute(query)).tuples()]


async def programme_outcomes(session: AsyncSession, programme_id: int, event_ids: Sequence[int]) -> list[OutcomeRow]:
    """The confirmed outcomes of a programme: those of its events and those of its enrolments (logged with or
    without an event), each once, however it belongs: one query."""
    enrolments = select(Enrolment.id).where(Enrolment.programme_id == programme_id)
    belongs: ColumnElement[bool] = Outcome.enrolment_id.in_(enrolments)
    if event_ids:
        belongs = or_(Outcome.event_id.in_(event_ids), belongs)
    query = select(*_COLUMNS).where(belongs, Outcome.status == OutcomeStatus.CONFIRMED)
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
