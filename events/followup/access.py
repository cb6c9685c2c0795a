"""What every follow-up service shares: whom an account follows up (the candidate's reach), and the history of
an outcome, kept for good."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.models import Outcome, OutcomeChange
from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import Candidate, Role
from events.platform.reach import candidate_reach


async def followed_candidate(session: AsyncSession, user: CurrentUser, candidate_id: int) -> Candidate:
    """The candidate, if this account follows them up (their coach, a professional their case is shared with
    (events.platform.reach), or an organiser who reaches them); else 404."""
    candidate: Candidate | None = await session.scalar(
        select(Candidate).where(Candidate.id == candidate_id, Candidate.erased_at.is_(None), candidate_reach(user))
    )
    if candidate is None or user.role not in (Role.ORGANISER, Role.COACH):
        raise NotFoundError("candidate")
    return candidate


async def record_change(
    session: AsyncSession, user: CurrentUser, outcome: Outcome, action: str, changes: dict[str, Any]
) -> None:
    """Keep one change to an outcome: who, when, what ({field: [before, after]})."""
    session.add(
        OutcomeChange(
            outcome_id=outcome.id,
            by_user_id=user.id or None,
            by_role=user.role.value,
            action=action,
            changes=changes,
        )
    )
    await session.flush()
