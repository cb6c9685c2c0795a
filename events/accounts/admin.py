"""What the installation's administrator does: organisations with their counts (never a person's data), and
switching an organisation off and on. Used by the administrator's pages and `meetmatch organisations`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import Candidate, Event, Organisation, Role, User
from events.platform.services import audit


@dataclass(frozen=True)
class OrganisationCounts:
    id: int
    name: str
    kind: str
    active: bool
    accounts: int
    events: int
    candidates: int


def require_admin(user: CurrentUser | None) -> None:
    """Only the administrator (or the command line, ``None``) manages organisations; anyone else finds nothing."""
    if user is not None and user.role is not Role.ADMIN:
        raise NotFoundError("organisation")


async def organisation_counts(session: AsyncSession, user: CurrentUser | None = None) -> list[OrganisationCounts]:
    """Every organisation by name with how many accounts, events and candidates it has, in four queries."""
    require_admin(user)

    async def per_organisation(column: object) -> dict[int, int]:
        rows = await session.execute(select(column, func.count()).group_by(column))  # type: ignore[call-overload]
        return {int(key): int(count) for key, count in rows.tuples() if key is not None}

    accounts = await per_organisation(User.organisation_id)
    events = await per_organisation(Event.organisation_id)
    candidates = await per_organisation(Candidate.organisation_id)
    found = (await session.scalars(select(Organisation).order_by(func.lower(Organisation.name)))).all()
    return [
        OrganisationCounts(
            id=o.id,
            name=o.name,
            kind=o.kind.value,
            active=o.is_active,
            accounts=accounts.get(o.id, 0),
            events=events.get(o.id, 0),
            candidates=candidates.get(o.id, 0),
        )
        for o in found
    ]


async def set_active(
    session: AsyncSession, user: CurrentUser | None, organisation: Organisation, *, active: bool
) -> None:
    """Deactivate an organisation (its accounts no longer log in; nothing is deleted) or activate it again."""
    require_admin(user)
    organisation.is_active = active
    await session.flush()
    await audit(session, user, "activate" if active else "deactivate", "organisation", organisation.id)
