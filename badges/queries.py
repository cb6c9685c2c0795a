"""What other slices may read of the badges' tables: the talks held at the tables and who checked in.

The event day writes them (badges.day); the follow-up, the results, the accounts' pages and the demo read them
only through these functions, never by the table (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import CheckIn, FollowUp, HeldTalk
from events.platform.models import EmployerParticipation, Organisation

# The employer's answers that count as a wish to follow the talk up.
WISHES = (FollowUp.YES, FollowUp.MAYBE)


@dataclass(frozen=True)
class HeldTalkRow:
    """A talk that took place (scanned or ticked on a table sheet), with the employer it was held with."""

    id: int
    event_id: int
    candidate_participation_id: int
    employer_participation_id: int
    organisation_id: int
    employer: str
    round: int | None  # the round it was planned in; None for an unplanned talk
    planned: bool
    at: dt.datetime
    follow_up: FollowUp | None
    note: str


async def held_talks(
    session: AsyncSession,
    *,
    ids: Collection[int] | None = None,
    events: Collection[int] | None = None,
    candidate_participations: Collection[int] | None = None,
    employer_participations: Collection[int] | None = None,
) -> list[HeldTalkRow]:
    """The talks held that match every filter given, in the order they took place."""
    query = (
        select(
            HeldTalk.id,
            HeldTalk.event_id,
            HeldTalk.candidate_participation_id,
            HeldTalk.employer_participation_id,
            EmployerParticipation.organisation_id,
            Organisation.name,
            HeldTalk.round,
            HeldTalk.planned,
            HeldTalk.at,
            HeldTalk.follow_up,
            HeldTalk.note,
        )
        .join(EmployerParticipation, EmployerParticipation.id == HeldTalk.employer_participation_id)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .order_by(HeldTalk.at, HeldTalk.id)
    )
    for column, wanted in (
        (HeldTalk.id, ids),
        (HeldTalk.event_id, events),
        (HeldTalk.candidate_participation_id, candidate_participations),
        (HeldTalk.employer_participation_id, employer_participations),
    ):
        if wanted is not None:
            query = query.where(column.in_(list(wanted)))
    return [HeldTalkRow(*row) for row in (await session.execute(query)).tuples()]


def by_round(talks: Collection[HeldTalkRow]) -> list[HeldTalkRow]:
    """Talks round by round (unplanned ones last), each round in the order they took place."""
    return sorted(talks, key=lambda t: (t.round is None, t.round or 0, t.at, t.id))


@dataclass(frozen=True)
class TalkCounts:
    """An event's talks held: how many, with how many candidates, and how many candidates an employer wants
    to follow up (yes or maybe)."""

    talks: int
    talked: int
    follow_up: int


async def talk_counts(session: AsyncSession, event_ids: Collection[int]) -> dict[int, TalkCounts]:
    """The talk counts of each of these events that held any talk: one grouped query."""
    wished = HeldTalk.follow_up.in_(WISHES)
    rows = await session.execute(
        select(
            HeldTalk.event_id,
            func.count(),
            func.count(distinct(HeldTalk.candidate_participation_id)),
            # COUNT(DISTINCT CASE ...) skips the NULLs of talks without a wish.
            func.count(distinct(case((wished, HeldTalk.candidate_participation_id)))),
        )
        .where(HeldTalk.event_id.in_(list(event_ids)))
        .group_by(HeldTalk.event_id)
    )
    return {int(e): TalkCounts(int(n), int(talked), int(wish)) for e, n, talked, wish in rows.tuples()}


def checked_in(events: Collection[int] | None = None) -> Select[tuple[int | None]]:
    """The candidate participations checked in (at these events): a subquery to filter participations with."""
    query = select(CheckIn.candidate_participation_id).where(CheckIn.candidate_participation_id.is_not(None))
    if events is not None:
        query = query.where(CheckIn.event_id.in_(list(events)))
    return query
