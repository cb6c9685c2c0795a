"""The schedule's part of a person's data (events.platform.personal_data): the talks planned for them.

Erased, the planned talks stay (a published version is frozen, and the figures count its talks) without the
organiser's notes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.personal_data import Erasing, Person
from schedule.models import Meeting, ScheduleVersion, VersionStatus


class ScheduleData:
    """The meetings of every schedule version."""

    name = "schedule"
    tables = (Meeting.__tablename__,)
    months_after_event = 0

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        return {"planned_talks": await _planned_talks(session, person)}

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        return []

    async def erase(self, erasing: Erasing) -> None:
        pids = erasing.person.participation_ids
        if pids:
            await erasing.blank(Meeting, Meeting.candidate_participation_id.in_(pids), note="")


async def _planned_talks(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    """The talks of the newest published version of each of the person's events."""
    pids = person.participation_ids
    if not pids:
        return []
    newest = (
        select(ScheduleVersion.event_id, ScheduleVersion.id)
        .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
        .order_by(ScheduleVersion.event_id, ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
    )
    seen: dict[int, int] = {}
    for event_id, version_id in (await session.execute(newest)).tuples():
        seen.setdefault(int(event_id), int(version_id))
    if not seen:
        return []
    rows = await session.execute(
        select(Meeting.version_id, Meeting.round, Meeting.table, Meeting.employer_participation_id)
        .where(Meeting.candidate_participation_id.in_(pids), Meeting.version_id.in_(list(seen.values())))
        .order_by(Meeting.round)
    )
    events_of = {v: e for e, v in seen.items()}
    return [
        {"event": events_of[v], "round": r, "table": t, "employer": person.employers.get(emp, "")}
        for v, r, t, emp in rows.tuples()
    ]
