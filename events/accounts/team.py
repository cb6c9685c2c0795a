"""An organisation's accounts, as its organisers manage them in the app: invitations by e-mail (colleagues of the
own organisation, and coaches of a partner organisation invited into one of its events or programmes), the list
with role, last login and two-factor state, and changes to a role, the account's state or its second factor.

Every change is audited. An account of another organisation answers exactly like a missing one (404): nobody
creates or changes an account outside their organisation. A partner's coaches are listed apart and read only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import i18n, twofactor
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.labels import role_label
from events.platform.models import Event, Organisation, OrganisationKind, Partnership, Programme, Role, User
from events.platform.organisations import clean_name, create_user, find_organisation, works_with
from events.platform.outbox import Outgoing, enqueue
from events.platform.reach import connected_organisations, organisation_of
from events.platform.security import digest
from events.platform.services import audit, check_email
from events.registration.employers import create_invitation

INVITATION_DAYS = 7
TEAM_ROLES = (Role.ORGANISER, Role.COACH, Role.DOOR)


@dataclass(frozen=True)
class Member:
    """One account as the team page shows it."""

    id: int
    name: str
    email: str
    role: str
    active: bool
    invited: bool  # the invitation is not accepted yet: no password
    last_login: dt.datetime | None
    two_factor: bool
    two_factor_required: bool
    organisation: str = ""
    where: tuple[str, ...] = field(default_factory=tuple)
    # An organiser allowed to read criminal-justice data of the organisation's programme participants.
    reads_justice: bool = False


@dataclass(frozen=True)
class Activity:
    """An event or a programme of the organisation that a partner's coach can be invited into."""

    key: str  # "event:<id>" or "programme:<id>"
    name: str


def require_organiser(user: CurrentUser) -> int:
    """The organiser's organisation; anyone else finds nothing here."""
    if user.role is not Role.ORGANISER or user.organisation_id is None:
        raise NotFoundError("account")
    return user.organisation_id


def _member(user: User, organisation: str = "", where: Sequence[str] = ()) -> Member:
    return Member(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role.value,
        active=user.is_active,
        invited=user.password_hash is None,
        last_login=user.last_login_at,
        two_factor=twofactor.is_on(user),
        two_factor_required=twofactor.required_for(user.role),
        organisation=organisation,
        where=tuple(where),
        reads_justice=user.reads_justice,
    )


async def members(session: AsyncSession, user: CurrentUser) -> list[Member]:
    """The accounts of the organiser's own organisation, by name."""
    organisation_id = require_organiser(user)
    found = await session.scalars(
        select(User).where(User.organisation_id == organisation_id).order_by(func.lower(User.name), User.id)
    )
    return [_member(u) for u in found]


async def partner_coaches(session: AsyncSession, user: CurrentUser) -> list[Member]:
    """The coaches of the partner organisations invited into the organisation's events and programmes, with
    where they were invited (read only: they are another organisation's accounts)."""
    organisation_id = require_organiser(user)
    rows = await session.execute(
        select(Partnership.organisation_id, Event.name, Programme.name)
        .outerjoin(Event, Event.id == Partnership.event_id)
        .outerjoin(Programme, Programme.id == Partnership.programme_id)
        .where(or_(Event.organisation_id == organisation_id, Programme.organisation_id == organisation_id))
    )
    where: dict[int, list[str]] = {}
    for partner_id, event_name, programme_name in rows.tuples():
        where.setdefault(partner_id, []).append(event_name or programme_name or "")
    if not where:
        return []
    partners = list(where)
    found = await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(partners)))
    names = dict(list(found.tuples()))  # a Result has keys(): dict() would take it for a mapping
    coaches = await session.scalars(
        select(User)
        .where(User.organisation_id.in_(partners), User.role == Role.COACH)
        .order_by(func.lower(User.name), User.id)
    )
    return [_member(c, names.get(c.organisation_id or 0, ""), sorted(where[c.organisation_id or 0])) for c in coaches]


async def activities(session: AsyncSession, user: CurrentUser) -> list[Activity]:
    """The organisation's events (newest first) and programmes, to invite a partner's coach into."""
    organisation_id = require_organiser(user)
    events = await session.execute(
        select(Event.id, Event.name, Event.date)
        .where(Event.organisation_id == organisation_id, Event.archived_at.is_(None))
        .order_by(Event.date.desc())
    )
    programmes = await session.execute(
        select(Programme.id, Programme.name)
        .where(Programme.organisation_id == organisation_id)
        .order_by(Programme.name)
    )
    found = [Activity(f"event:{i}", f"{name} ({date.isoformat()})") for i, name, date in events.tuples()]
    found += [Activity(f"programme:{i}", _t("Programme %(name)s", name=name)) for i, name in programmes.tuples()]
    return found


async def partner_names(session: AsyncSession, user: CurrentUser) -> list[str]:
    """The names of the partner organisations the organisation works with, for the invitation form's
    suggestions (never those that work only with other organisations)."""
    found = await session.scalars(
        select(Organisation.name)
        .where(
            Organisation.kind == OrganisationKind.PARTNER,
            Organisation.is_active.is_(True),
            Organisation.id.in_(connected_organisations(organisation_of(user))),
        )
        .order_by(func.lower(Organisation.name))
    )
    return list(found)


async def own_account(session: AsyncSession, user: CurrentUser, account_id: int) -> User:
    """An account of the organiser's own organisation; any other id answers like a missing one."""
    organisation_id = require_organiser(user)
    account = await session.scalar(
        select(User).where(User.id == account_id, User.organisation_id == organisation_id, User.role.in_(TEAM_ROLES))
    )
    if account is None:
        raise NotFoundError("account")
    return account


# --- invitations ---------------------------------------------------------------------------------------------


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise DomainError("required", _t("This field is required."), "name")
    if len(name) > 200:
        raise DomainError("too_long", _t("Use at most 200 characters."), "name")
    return name


def _address(value: str) -> str:
    try:
        return check_email(value)
    except DomainError:
        raise DomainError("invalid_email", _t("Type a valid e-mail address, like name@example.nl."), "email") from None


def _team_role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = Role.EMPLOYER
    if role not in TEAM_ROLES:
        raise DomainError("invalid_role", _t("Choose organiser, coach or door staff."), "role")
    return role


async def new_account(session: AsyncSession, email: str, role: Role, name: str, organisation: Organisation) -> User:
    """A new account without a password, or the same address invited before and not accepted yet (it may be
    invited again: a fresh link voids the old one). An address with an account of its own is refused."""
    address, name = _address(email), _name(name)
    account: User | None = await session.scalar(select(User).where(User.email == address))
    if account is None:
        return await create_user(
            session,
            email=address,
            role=role.value,
            name=name,
            organisation_row=organisation,
            locale=i18n.current_language(),
        )
    if account.organisation_id != organisation.id or account.password_hash is not None or not account.is_active:
        raise DomainError("email_taken", _t("%(email)s already has an account.", email=address), "email")
    account.name = name
    account.role = role
    await session.flush()
    return account


async def send_invitation(
    session: AsyncSession,
    user: CurrentUser,
    account: User,
    organisation: str,
    base_url: str,
    activity: str | None = None,
) -> str:
    """A fresh single-use link (earlier ones lapse) e-mailed through the outbox; returns the link's token."""
    token = await create_invitation(session, user, account, INVITATION_DAYS)
    link = f"{base_url}/join/{token}"
    lines = [
        _t("Hello %(name)s,", name=account.name),
        "",
        _t(
            "%(inviter)s invites you to meetmatch as %(role)s of %(organisation)s.",
            inviter=user.name,
            role=role_label(account.role.value),
            organisation=organisation,
        ),
    ]
    if activity:
        lines.append(_t("You can register and follow your candidates in %(activity)s.", activity=activity))
    lines += [
        "",
        _t("Choose your password with this link. It works once, for %(days)s days:", days=INVITATION_DAYS),
        link,
    ]
    if twofactor.required_for(account.role):
        lines += ["", _t("Then you set up two-factor login with an authenticator app on your phone.")]
    lines += ["", _t("Did you not expect this e-mail? Then you can ignore it.")]
    await enqueue(
        session,
        Outgoing(
            kind="invitation",
            dedupe_key=f"invitation:{digest(token)[:40]}",
            to_address=account.email,
            to_name=account.name,
            subject=_t("Your meetmatch account at %(organisation)s", organisation=organisation),
            text_body="\n".join(lines) + "\n",
        ),
    )
    return token


async def invite_colleague(
    session: AsyncSession, user: CurrentUser, *, name: str, email: str, role: str, base_url: str
) -> tuple[User, str]:
    """Invite an organiser, coach or door staff of the organiser's own organisation by e-mail."""
    organisation_id = require_organiser(user)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:  # pragma: no cover - the account's organisation exists (foreign key)
        raise NotFoundError("organisation")
    clean, address, wanted = _name(name), _address(email), _team_role(role)
    account = await new_account(session, address, wanted, clean, organisation)
    token = await send_invitation(session, user, account, organisation.name, base_url)
    await audit(session, user, "invite", "user", account.id, detail={"role": wanted.value})
    return account, token


async def _activity(session: AsyncSession, organisation_id: int, key: str) -> tuple[Event | Programme, str]:
    """The organisation's own event or programme named by a form's key ("event:12", "programme:3")."""
    kind, _, number = key.partition(":")
    found: Event | Programme | None = None
    if number.isascii() and number.isdigit() and len(number) < 10:
        if kind == "event":
            found = await session.scalar(
                select(Event).where(Event.id == int(number), Event.organisation_id == organisation_id)
            )
        elif kind == "programme":
            found = await session.scalar(
                select(Programme).where(Programme.id == int(number), Programme.organisation_id == organisation_id)
            )
    if found is None:
        raise DomainError("required", _t("Choose one of your events or programmes."), "activity")
    return found, found.name


async def _partner(session: AsyncSession, organisation_id: int, name: str) -> Organisation:
    """The partner organisation of this name, or a new one; never the organiser's own or an employer."""
    try:
        clean = clean_name(name, "organisation")
    except DomainError:
        raise DomainError("required", _t("Name the partner organisation."), "organisation") from None
    found = await find_organisation(session, clean)
    if found is None:
        partner = Organisation(name=clean, kind=OrganisationKind.PARTNER)
        session.add(partner)
        await session.flush()
        return partner
    if found.id == organisation_id:
        raise DomainError(
            "own_organisation", _t("That is your own organisation: invite a colleague instead."), "organisation"
        )
    if found.kind is not OrganisationKind.PARTNER or not found.is_active:
        raise DomainError(
            "not_partner", _t("%(name)s is not a partner organisation here.", name=found.name), "organisation"
        )
    return found


async def invite_partner_coach(
    session: AsyncSession,
    user: CurrentUser,
    *,
    name: str,
    email: str,
    organisation: str,
    activity: str,
    base_url: str,
) -> str | None:
    """Invite a coach of a partner organisation (existing, or made now) into one of the organisation's events or
    programmes: the partner organisation is invited into it, and the coach gets a link by e-mail (its token is
    returned; None for a coach of that partner who logs in already and needs no link)."""
    organisation_id = require_organiser(user)
    clean, address = _name(name), _address(email)
    target, target_name = await _activity(session, organisation_id, activity)
    # A savepoint: a refused address leaves no new partner organisation behind.
    async with session.begin_nested():
        partner = await _partner(session, organisation_id, organisation)
        if await _working_coach(session, address, partner):
            # A coach of this partner who logs in already: their organisation is invited, no link is needed.
            await _partnership(session, user, partner, target)
            return None
        if not await works_with(session, organisation_id, partner):
            # New accounts in a partner organisation that works only with other organisations would reach their
            # events: the first invitation names a coach of it who has an account; after that, colleagues too.
            raise DomainError(
                "partner_elsewhere",
                _t(
                    "%(name)s works with another organisation here. Invite one of its coaches who has an account "
                    "(by their e-mail address) first; after that you can invite new colleagues of theirs.",
                    name=partner.name,
                ),
                "email",
            )
        account = await new_account(session, address, Role.COACH, clean, partner)
    await _partnership(session, user, partner, target)
    token = await send_invitation(session, user, account, partner.name, base_url, target_name)
    await audit(session, user, "invite", "user", account.id, detail={"role": "coach", "partner": partner.id})
    return token


async def _working_coach(session: AsyncSession, address: str, partner: Organisation) -> bool:
    """Whether ``address`` is an active coach of ``partner`` who has chosen a password."""
    found = await session.scalar(
        select(User.id).where(
            User.email == address,
            User.organisation_id == partner.id,
            User.role == Role.COACH,
            User.is_active.is_(True),
            User.password_hash.is_not(None),
        )
    )
    return found is not None


async def _partnership(
    session: AsyncSession, user: CurrentUser, partner: Organisation, target: Event | Programme
) -> None:
    is_event = isinstance(target, Event)
    column = Partnership.event_id if is_event else Partnership.programme_id
    exists = await session.scalar(
        select(Partnership.id).where(Partnership.organisation_id == partner.id, column == target.id)
    )
    if exists is not None:
        return
    partnership = Partnership(
        organisation_id=partner.id,
        event_id=target.id if is_event else None,
        programme_id=None if is_event else target.id,
        invited_by_id=user.id or None,
    )
    session.add(partnership)
    await session.flush()
    await audit(session, user, "create", "partnership", partnership.id, detail={"organisation": partner.id})


async def invite_again(session: AsyncSession, user: CurrentUser, account_id: int, base_url: str) -> str:
    """A fresh link for a colleague who has not accepted yet (the old link stops working)."""
    account = await own_account(session, user, account_id)
    if account.password_hash is not None:
        raise DomainError("accepted", _t("This account has accepted its invitation already."), "_form")
    organisation = await session.get(Organisation, organisation_of(user))
    token = await send_invitation(session, user, account, organisation.name if organisation else "", base_url)
    await audit(session, user, "invite", "user", account.id, detail={"role": account.role.value, "again": True})
    return token


# --- changes ---------------------------------------------------------------------------------------------------


async def _other_active_organisers(session: AsyncSession, account: User) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                User.organisation_id == account.organisation_id,
                User.role == Role.ORGANISER,
                User.is_active.is_(True),
                User.id != account.id,
            )
        )
        or 0
    )


async def change_role(session: AsyncSession, user: CurrentUser, account_id: int, role: str) -> User:
    """Make a colleague an organiser, coach or door staff; the last active organiser stays one."""
    account = await own_account(session, user, account_id)
    wanted = _team_role(role)
    if wanted is account.role:
        return account
    if account.role is Role.ORGANISER and account.is_active and not await _other_active_organisers(session, account):
        raise DomainError("last_organiser", _t("The organisation's last active organiser keeps that role."), "role")
    before = account.role
    account.role = wanted
    account.event_id = None
    # A permission goes with the role it was given for: a new role starts without it.
    account.reads_justice = False
    await session.flush()
    await audit(session, user, "change_role", "user", account.id, detail={"from": before.value, "to": wanted.value})
    return account


async def set_account_active(session: AsyncSession, user: CurrentUser, account_id: int, *, active: bool) -> User:
    """Deactivate a colleague's account (it no longer logs in; nothing is deleted) or activate it again."""
    account = await own_account(session, user, account_id)
    if account.is_active == active:
        return account
    if not active:
        if account.id == user.id:
            raise DomainError("self", _t("You cannot deactivate your own account."), "_form")
        if account.role is Role.ORGANISER and not await _other_active_organisers(session, account):
            raise DomainError("last_organiser", _t("The organisation's last active organiser stays active."), "_form")
    account.is_active = active
    if not active:
        account.reads_justice = False
    await session.flush()
    await audit(session, user, "activate" if active else "deactivate", "user", account.id)
    return account


async def reset_two_factor(session: AsyncSession, user: CurrentUser, account_id: int) -> User:
    """Switch a colleague's second factor off (a lost phone): organisers and coaches set it up again at their
    next login, and their open sessions end (events.platform.services.load_active_user). Not one's own: that
    is the account page's, with a code."""
    account = await own_account(session, user, account_id)
    if account.id == user.id:
        raise DomainError("own_account", _t("Reset your own second factor on your account page."), "_form")
    await twofactor.switch_off(session, account)
    await audit(session, user, "two_factor_reset", "user", account.id)
    return account


async def allow_justice(session: AsyncSession, user: CurrentUser, account_id: int, *, allowed: bool) -> User:
    """Allow a fellow organiser to read the criminal-justice data (detention, release date, criminal record) of the
    organisation's programme participants, or take it back. Never one's own: another organiser decides."""
    account = await own_account(session, user, account_id)
    if account.id == user.id:
        raise DomainError("own_account", _t("Another organiser decides this for you."), "_form")
    if not (user.reads_justice or user.everywhere):
        # Only someone who holds the permission passes it on (the first one is given on the command line).
        message = _t("Only an organiser who reads criminal-justice data may allow others to.")
        raise DomainError("not_allowed", message, "_form")
    if account.role is not Role.ORGANISER:
        raise DomainError(
            "organisers_only", _t("Only organisers can be allowed this; coaches read it of their own people."), "_form"
        )
    if account.reads_justice != allowed:
        account.reads_justice = allowed
        await session.flush()
        await audit(session, user, "allow_justice" if allowed else "deny_justice", "user", account.id)
    return account
