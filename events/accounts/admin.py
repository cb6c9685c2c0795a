"""What the installation's administrator does: organisations with their counts (never a person's data), a new
organising organisation with its first organiser (invited by e-mail, events.accounts.team), and switching an
organisation off and on. Used by the administrator's pages and `meetmatch organisations`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.accounts.team import new_account, send_invitation
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Candidate, Event, Organisation, OrganisationKind, Role, User
from events.platform.organisations import add_organisation
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


async def create_organising(
    session: AsyncSession, user: CurrentUser, *, name: str, organiser_name: str, email: str, base_url: str
) -> tuple[Organisation, str]:
    """A new organising organisation with its first organiser, who gets an invitation link by e-mail; returns the
    organisation and the link's token."""
    require_admin(user)
    # A savepoint: a refused first organiser leaves no organisation behind, not even on the page shown again.
    async with session.begin_nested():
        try:
            organisation = await add_organisation(session, name, OrganisationKind.ORGANISER)
        except DomainError as exc:
            message = {
                "duplicate_organisation": _t("An organisation of this name exists already."),
                "too_long": _t("Use at most 200 characters."),
            }.get(exc.code, _t("This field is required."))
            raise DomainError(exc.code, message, "name") from None
        try:
            first = await new_account(session, email, Role.ORGANISER, organiser_name, organisation)
        except DomainError as exc:
            # The organiser's name has a field of its own on the form (``name`` is the organisation's).
            raise DomainError(exc.code, exc.message, "organiser_name" if exc.field == "name" else exc.field) from None
    token = await send_invitation(session, user, first, organisation.name, base_url)
    await audit(session, user, "create", "organisation", organisation.id)
    await audit(session, user, "invite", "user", first.id, detail={"role": Role.ORGANISER.value})
    return organisation, token


async def organisation_by_id(session: AsyncSession, user: CurrentUser, organisation_id: int) -> Organisation:
    require_admin(user)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFoundError("organisation")
    return organisation
