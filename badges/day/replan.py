"""What a re-plan on the day starts from: the first round it can still change, who counts as absent, and the
walk-ins it brings in (the re-plan itself is `schedule.replanning`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import clock
from badges.day import services as day
from badges.models import HolderKind
from events.platform.models import CandidateParticipation, Event
from events.platform.services import candidate_short_names


def default_round(event: Event, now: dt.datetime) -> int | None:
    """The first round a re-plan can still change: the next one to start."""
    where = clock.position(event, now)
    if where.round is None:
        return None
    if where.phase == "round":
        return where.round + 1 if where.round < event.rounds else None
    return where.round


async def absentees(
    session: AsyncSession, event: Event, now: dt.datetime, *, not_arrived: bool, employers_not_arrived: bool
) -> tuple[list[day.PersonState], list[int]]:
    """Candidates a re-plan treats as absent (marked absent, and with `not_arrived` everyone not checked in),
    and the employers (participation ids) none of whose people checked in, with `employers_not_arrived`."""
    seen = await day.picture(session, event, now)
    candidates = [
        p
        for p in seen.people
        if p.holder.kind is HolderKind.CANDIDATE and (p.state == "absent" or (not_arrived and p.state != "present"))
    ]
    employers: list[int] = []
    if employers_not_arrived:
        here: dict[int, bool] = {}
        for p in seen.people:
            if p.holder.kind is HolderKind.EMPLOYER and p.holder.employer_id is not None:
                here[p.holder.employer_id] = here.get(p.holder.employer_id, False) or p.state == "present"
        employers = [e for e, present in here.items() if not present]
    return candidates, employers


async def walk_in_names(session: AsyncSession, event: Event) -> list[str]:
    walk_ins = await session.scalars(
        select(CandidateParticipation.id).where(
            CandidateParticipation.event_id == event.id, CandidateParticipation.walk_in.is_(True)
        )
    )
    names = await candidate_short_names(session, event.id)
    return sorted((names[pid] for pid in walk_ins if pid in names), key=str.casefold)
