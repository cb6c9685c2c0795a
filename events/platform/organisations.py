"""Organisations and the accounts that belong to them, as the command line, the demo and the app make them.

An account belongs to one organisation: organisers, coaches and door staff to an organising or a partner
organisation, an employer's contact to its employer. Only the administrator belongs to none. Making an account
never makes an organisation: `meetmatch organisations add` (or the administrator's page) does that.
"""

from __future__ import annotations

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import DomainError
from events.platform.models import Event, Organisation, OrganisationKind, Role, User
from events.platform.reach import connected_organisations
from events.platform.security import hash_password, password_problem
from events.platform.services import check_email

ADD_HINT = "create it first with: meetmatch organisations add NAME"


def clean_name(name: str, field: str = "organisation") -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise DomainError("required", "the organisation name is empty", field)
    if len(clean) > 200:
        raise DomainError("too_long", "the organisation name is longer than 200 characters", field)
    return clean


async def find_organisation(session: AsyncSession, name: str) -> Organisation | None:
    """The organisation of this name (spaces tidied, any case), if there is one."""
    clean = " ".join(str(name).split())
    found: Organisation | None = await session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == clean.lower())
    )
    return found


async def named_organisation(session: AsyncSession, name: str, field: str = "name") -> Organisation:
    """The organisation of this name; a DomainError naming ``field`` where there is none."""
    found = await find_organisation(session, name)
    if found is None:
        raise DomainError("unknown_organisation", f"there is no organisation named {name!r}", field)
    return found


async def add_organisation(
    session: AsyncSession, name: str, kind: OrganisationKind = OrganisationKind.ORGANISER
) -> Organisation:
    """A new organisation; a name in use (in any case) is refused."""
    clean = clean_name(name, "name")
    if await find_organisation(session, clean) is not None:
        raise DomainError("duplicate_organisation", f"an organisation named {clean!r} already exists", "name")
    organisation = Organisation(name=clean, kind=kind)
    session.add(organisation)
    await session.flush()
    return organisation


async def get_or_create_organisation(
    session: AsyncSession, name: str, kind: OrganisationKind = OrganisationKind.PARTNER
) -> Organisation:
    """An employer (or partner) named by an organiser: the one of that name, else a new one."""
    clean = clean_name(name)
    found = await find_organisation(session, clean)
    if found:
        return found
    organisation = Organisation(name=clean, kind=kind)
    session.add(organisation)
    await session.flush()
    return organisation


async def only_organising(session: AsyncSession) -> Organisation | None:
    """The installation's organising organisation when it has exactly one, else None."""
    found = (
        await session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.ORGANISER).limit(2))
    ).all()
    return found[0] if len(found) == 1 else None


async def organisation_for_account(session: AsyncSession, role: Role, name: str | None) -> Organisation | None:
    """The organisation a new account of ``role`` belongs to: the one named (which must exist), or, without a
    name, the installation's only organising organisation. An administrator belongs to none."""
    if role is Role.ADMIN:
        if name:
            raise DomainError(
                "invalid", "an administrator belongs to no organisation: leave out --organisation", "organisation"
            )
        return None
    if name:
        found = await find_organisation(session, name)
        if found is None:
            raise DomainError(
                "unknown_organisation", f"there is no organisation named {name!r}; {ADD_HINT}", "organisation"
            )
        return found
    if role is Role.EMPLOYER:
        raise DomainError("required", "an employer account needs --organisation (the employer's name)", "organisation")
    only = await only_organising(session)
    if only is None:
        raise DomainError(
            "required",
            "name the account's organisation with --organisation (this installation has "
            + ("no organising organisation yet; " + ADD_HINT if not await _any_organising(session) else "several")
            + ")",
            "organisation",
        )
    return only


async def _any_organising(session: AsyncSession) -> bool:
    return (
        await session.scalar(select(Organisation.id).where(Organisation.kind == OrganisationKind.ORGANISER)) is not None
    )


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    role: str,
    name: str | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    organisation: str | None = None,
    organisation_row: Organisation | None = None,
    event: Event | None = None,
    locale: str = "nl",
    active: bool = True,
) -> User:
    """Create an account in an existing organisation (by name, or the row itself); the message of a DomainError
    names the field that is wrong."""
    address = check_email(email)
    try:
        role_value = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise DomainError("invalid_role", f"unknown role {role!r} (choose from {choices})", "role") from None
    if await session.scalar(select(User.id).where(User.email == address)) is not None:
        raise DomainError("duplicate_email", f"a user with e-mail {address} already exists", "email")
    if password is not None and (problem := password_problem(password)):
        raise DomainError("weak_password", f"the password {problem}", "password")
    if organisation_row is None:
        organisation_row = await organisation_for_account(session, role_value, organisation)
    if event is not None and organisation_row is not None and event.organisation_id != organisation_row.id:
        raise DomainError("invalid", "door staff are limited to an event of their own organisation", "event")
    user = User(
        email=address,
        name=(name or address.split("@")[0]).strip(),
        role=role_value,
        password_hash=hash_password(password) if password else password_hash,
        organisation_id=organisation_row.id if organisation_row else None,
        event_id=event.id if event else None,
        locale=locale,
        is_active=active,
    )
    session.add(user)
    await session.flush()
    return user


async def works_with(session: AsyncSession, organisation_id: int, partner: Organisation) -> bool:
    """Whether a partner organisation may be drawn into the organisation's work (new accounts in it, an invitation
    into a programme): it has no accounts yet, or it already works with the organisation (events.platform.reach).
    Another organisation's partner is never taken over by naming it."""
    if not partner.is_active:
        return False
    anyone = await session.scalar(select(User.id).where(User.organisation_id == partner.id).limit(1))
    if anyone is None:
        return True
    connected = select(literal(partner.id)).where(literal(partner.id).in_(connected_organisations(organisation_id)))
    return await session.scalar(connected) is not None
