"""An enrolment's confidential parts: the person's own goals, the barriers worked on, the target group, and
criminal-justice data (detention, release date, criminal record), read only by the person's coaches and the
organisers allowed it, every read audited (events.platform.reach.reads_justice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    BARRIERS,
    Enrolment,
    Organisation,
    Programme,
    TargetGroup,
)
from events.platform.reach import (
    reads_justice,
)
from events.platform.services import audit
from events.programmes.enrolments import clean_text, coach_ids, may_change

# Criminal-justice data has its own place (Enrolment.justice), read by fewer people than the other barriers.
JUSTICE_BARRIER = "criminal_record"
ENROLMENT_BARRIERS = (*(b for b in BARRIERS if b != JUSTICE_BARRIER), "childcare", "housing")


def _barriers(values: Sequence[str]) -> list[str]:
    wrong = [b for b in values if b not in ENROLMENT_BARRIERS]
    if wrong:
        raise DomainError("invalid_barrier", _t("unknown barrier %(barrier)s", barrier=wrong[0]), "barriers")
    return list(dict.fromkeys(values))


# --- confidential parts ---------------------------------------------------------------------------------------


async def update_plan(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    *,
    goals: str | None = None,
    barriers: Sequence[str] | None = None,
    target_group: TargetGroup | None = None,
) -> Enrolment:
    """The person's own goals, the barriers worked on and the target group (their coaches and the programme's
    organisers)."""
    await may_change(session, user, enrolment)
    if goals is not None:
        enrolment.goals = clean_text(goals, "goals")
    if barriers is not None:
        enrolment.barriers = _barriers(barriers)
    if target_group is not None:
        if target_group.programme_id != enrolment.programme_id:
            raise DomainError(
                "unknown_target_group", _t("Choose one of the programme's target groups."), "target_group"
            )
        enrolment.target_group_id = target_group.id
    await session.flush()
    await audit(session, user, "update", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    return enrolment


async def may_read_justice(session: AsyncSession, user: CurrentUser, enrolment: Enrolment) -> bool:
    organisation = await session.scalar(select(Programme.organisation_id).where(Programme.id == enrolment.programme_id))
    return reads_justice(user, int(organisation or 0), await coach_ids(session, enrolment))


async def justice(session: AsyncSession, user: CurrentUser, enrolment: Enrolment) -> dict[str, Any]:
    """The criminal-justice data, for those who may read it; every read is audited. Anyone else is refused."""
    if not await may_read_justice(session, user, enrolment):
        raise NotFoundError("justice")
    await audit(session, user, "read_justice", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    return dict(enrolment.justice or {})


async def set_justice(
    session: AsyncSession,
    user: CurrentUser,
    enrolment: Enrolment,
    *,
    detained: bool,
    release_date: dt.date | None,
    criminal_record: bool,
) -> dict[str, Any]:
    """Record detention, the release date and a criminal record (those who may read them)."""
    if not await may_read_justice(session, user, enrolment):
        raise NotFoundError("justice")
    enrolment.justice = {
        "detained": bool(detained),
        "release_date": release_date.isoformat() if release_date else None,
        "criminal_record": bool(criminal_record),
    }
    await session.flush()
    await audit(session, user, "update_justice", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    return dict(enrolment.justice)


async def referrer_organisation(session: AsyncSession, enrolment: Enrolment) -> str | None:
    if enrolment.referred_by_organisation_id is None:
        return None
    name = await session.scalar(
        select(Organisation.name).where(Organisation.id == enrolment.referred_by_organisation_id)
    )
    return str(name) if name is not None else None
