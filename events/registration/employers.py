"""An event's employers: their participation (tables, seats, rounds), openings and contact persons, and the
invitations that give a contact person an employer login. Organisers manage them; an employer's own contacts may
set its rounds."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    OPENING_KINDS,
    SECTORS,
    EmployerContact,
    EmployerParticipation,
    Event,
    Invitation,
    Opening,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from events.platform.names import clean_name
from events.platform.organisations import create_user, get_or_create_organisation
from events.platform.security import MIN_PASSWORD_LENGTH, digest, hash_password, password_problem
from events.platform.services import EventService, audit, check_email
from events.registration.inputs import ContactInput, EmployerInput, OpeningInput
from events.registration.services import check_rounds, found, require_role

INVITATION_DAYS = 14
_Part = TypeVar("_Part", Opening, EmployerContact)

# --- employers ---------------------------------------------------------------------------------------


async def employer_of(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int
) -> EmployerParticipation:
    """One employer participation of the event, as the caller may see it (an employer only its own)."""
    query = (
        select(EmployerParticipation)
        .where(EmployerParticipation.id == employer_id, EmployerParticipation.event_id == event.id)
        .options(
            selectinload(EmployerParticipation.organisation),
            selectinload(EmployerParticipation.openings),
            selectinload(EmployerParticipation.contacts),
        )
    )
    if user.role is Role.EMPLOYER:
        query = query.where(EmployerParticipation.organisation_id == (user.organisation_id or -1))
    elif user.role is not Role.ORGANISER and user.role is not Role.COACH:
        raise NotFoundError("employer")
    return await found(session, query, "employer")


async def add_employer(
    session: AsyncSession, user: CurrentUser, event: Event, data: EmployerInput
) -> EmployerParticipation:
    """Add an organisation (existing or new) to the event as an employer."""
    require_role(user, Role.ORGANISER)
    if data.seats > event.max_seats:
        raise DomainError("too_many_seats", _t("this event allows at most %(n)s per table", n=event.max_seats), "seats")
    organisation = await get_or_create_organisation(session, data.organisation, OrganisationKind.EMPLOYER)
    if organisation.kind is not OrganisationKind.EMPLOYER:
        # An organising or partner organisation never takes part as an employer: its accounts are not an
        # employer's, and an employer's contact made in it would join that organisation.
        raise DomainError(
            "not_an_employer",
            _t("%(name)s is not an employer here; give the employer's own name", name=organisation.name),
            "organisation",
        )
    exists = await session.scalar(
        select(EmployerParticipation.id).where(
            EmployerParticipation.event_id == event.id, EmployerParticipation.organisation_id == organisation.id
        )
    )
    if exists:
        raise DomainError(
            "duplicate_employer",
            _t("%(name)s already takes part in this event", name=organisation.name),
            "organisation",
        )
    employer = EmployerParticipation(
        event_id=event.id,
        organisation_id=organisation.id,
        tables=data.tables,
        seats=data.seats,
        rounds=check_rounds(data.rounds, event),
        notes=data.notes,
    )
    session.add(employer)
    await session.flush()
    await audit(session, user, "create", "employer_participation", employer.id)
    return await employer_of(session, user, event, employer.id)


async def update_employer(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, data: EmployerInput
) -> EmployerParticipation:
    require_role(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    if data.seats > event.max_seats:
        raise DomainError("too_many_seats", _t("this event allows at most %(n)s per table", n=event.max_seats), "seats")
    await _rename_organisation(session, user, event, employer, data.organisation)
    employer.tables = data.tables
    employer.seats = data.seats
    employer.rounds = check_rounds(data.rounds, event)
    employer.notes = data.notes
    await session.flush()
    await audit(session, user, "update", "employer_participation", employer.id)
    session.expire(employer)
    # Not `employer.id`: the expired row would load it again synchronously, which an async session cannot do.
    return await employer_of(session, user, event, employer_id)


async def _rename_organisation(
    session: AsyncSession, user: CurrentUser, event: Event, employer: EmployerParticipation, wanted: str
) -> None:
    """A new name for the employer's organisation renames the organisation itself: the participation, the
    employer's own logins and its other events stay with it. Refused, with the reason, where the name is another
    organisation's (that would move the participation away from the employer's logins) or where an event
    outside this organiser's reach uses the organisation (a rename would change their event)."""
    organisation = employer.organisation
    name = " ".join(wanted.split())
    if name == organisation.name:
        return
    if not name:
        raise DomainError("required", _t("This field is required."), "organisation")
    other = await session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id)
    )
    if other is not None:
        raise DomainError(
            "organisation_exists",
            _t(
                "%(name)s is another organisation. A new name never moves an employer to another organisation: "
                "to have %(name)s take part instead, remove this employer and add %(name)s.",
                name=other.name,
            ),
            "organisation",
        )
    shared = select(EmployerParticipation.event_id).where(
        EmployerParticipation.organisation_id == organisation.id, EmployerParticipation.event_id != event.id
    )
    if await EventService(session, user).outside_reach(shared):
        raise DomainError(
            "organisation_shared",
            _t(
                "%(name)s also takes part in another organiser's event, so its name cannot be changed here.",
                name=organisation.name,
            ),
            "organisation",
        )
    organisation.name = name
    await session.flush()
    await audit(session, user, "update", "organisation", organisation.id, detail={"renamed_for_event": event.id})


async def set_employer_rounds(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, rounds: list[int] | None
) -> EmployerParticipation:
    """The rounds an employer is present: its own contacts may say so, and organisers."""
    require_role(user, Role.ORGANISER, Role.EMPLOYER)
    employer = await employer_of(session, user, event, employer_id)
    employer.rounds = check_rounds(rounds, event)
    await session.flush()
    await audit(session, user, "update_rounds", "employer_participation", employer.id)
    return employer


async def remove_employer(session: AsyncSession, user: CurrentUser, event: Event, employer_id: int) -> None:
    require_role(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    await session.delete(employer)
    await session.flush()
    await audit(session, user, "delete", "employer_participation", employer_id)


def _check_opening(data: OpeningInput) -> None:
    if data.kind not in OPENING_KINDS:
        raise DomainError("invalid_kind", _t("%(kind)s is not a kind of opening", kind=data.kind.value), "kind")
    if data.sector is not None and data.sector not in SECTORS:
        raise DomainError("invalid_sector", _t("unknown sector %(sector)s", sector=data.sector), "sector")


async def add_opening(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, data: OpeningInput
) -> Opening:
    require_role(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    _check_opening(data)
    opening = Opening(
        employer_participation_id=employer.id,
        title=data.title.strip(),
        kind=data.kind,
        hours_per_week=data.hours_per_week,
        sector=data.sector,
        description=data.description.strip(),
    )
    session.add(opening)
    await session.flush()
    await audit(session, user, "create", "opening", opening.id)
    return opening


async def _employers_part(session: AsyncSession, model: type[_Part], part_id: int, event: Event, name: str) -> _Part:
    """An opening or a contact person of one of the event's employers; NotFoundError(``name``) otherwise."""
    query = (
        select(model)
        .join(EmployerParticipation, EmployerParticipation.id == model.employer_participation_id)
        .where(model.id == part_id, EmployerParticipation.event_id == event.id)
    )
    return await found(session, query, name)


async def _opening_of(session: AsyncSession, event: Event, opening_id: int) -> Opening:
    return await _employers_part(session, Opening, opening_id, event, "opening")


async def update_opening(
    session: AsyncSession, user: CurrentUser, event: Event, opening_id: int, data: OpeningInput
) -> Opening:
    require_role(user, Role.ORGANISER)
    _check_opening(data)
    opening = await _opening_of(session, event, opening_id)
    opening.title = data.title.strip()
    opening.kind = data.kind
    opening.hours_per_week = data.hours_per_week
    opening.sector = data.sector
    opening.description = data.description.strip()
    await session.flush()
    await audit(session, user, "update", "opening", opening.id)
    return opening


async def remove_opening(session: AsyncSession, user: CurrentUser, event: Event, opening_id: int) -> None:
    require_role(user, Role.ORGANISER)
    opening = await _opening_of(session, event, opening_id)
    await session.delete(opening)
    await session.flush()
    await audit(session, user, "delete", "opening", opening_id)


async def add_contact(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int, data: ContactInput
) -> tuple[EmployerContact, str | None]:
    """A contact person at the employer's tables; with an e-mail address they get an employer login
    by invitation. Returns the contact and the invitation token (to build the link), if one was made."""
    require_role(user, Role.ORGANISER)
    employer = await employer_of(session, user, event, employer_id)
    name = clean_name(data.name, "name")
    address = check_email(data.email) if data.email else None
    account: User | None = None
    token: str | None = None
    if address:
        account = await session.scalar(select(User).where(User.email == address))
        if account is not None and (
            account.role is not Role.EMPLOYER or account.organisation_id != employer.organisation_id
        ):
            raise DomainError(
                "email_taken",
                _t(
                    "%(email)s already has an account that is not of %(name)s",
                    email=address,
                    name=employer.organisation.name,
                ),
                "email",
            )
        if account is None:
            account = await create_user(
                session,
                email=address,
                role=Role.EMPLOYER.value,
                name=name,
                organisation=employer.organisation.name,
            )
        if account.password_hash is None and await _invited_here(session, user, account):
            # A link for an account another organisation invited would void theirs and hand this organiser the
            # login: the contact is linked, and the invitation stays the one they sent.
            token = await create_invitation(session, user, account)
    contact = EmployerContact(
        employer_participation_id=employer.id,
        user_id=account.id if account else None,
        name=name,
        email=address,
        phone=data.phone,
    )
    session.add(contact)
    await session.flush()
    await audit(session, user, "create", "employer_contact", contact.id)
    return contact, token


async def remove_contact(session: AsyncSession, user: CurrentUser, event: Event, contact_id: int) -> None:
    require_role(user, Role.ORGANISER)
    contact = await _employers_part(session, EmployerContact, contact_id, event, "contact")
    await session.delete(contact)
    await session.flush()
    await audit(session, user, "delete", "employer_contact", contact_id)


# --- invitations -------------------------------------------------------------------------------------


async def _invited_here(session: AsyncSession, user: CurrentUser, account: User) -> bool:
    """Whether an account waiting for its password may be (re)invited by this user: nobody of another organisation
    invited it (the command line may always)."""
    if user.everywhere:
        return True
    inviters = select(Invitation.created_by_id).where(Invitation.user_id == account.id)
    other = await session.scalar(
        select(User.id).where(User.id.in_(inviters), User.organisation_id != user.organisation_id).limit(1)
    )
    return other is None


async def create_invitation(
    session: AsyncSession, user: CurrentUser, account: User, days: int = INVITATION_DAYS
) -> str:
    """A single-use link token that lets ``account`` choose a password within ``days``; earlier open invitations
    lapse."""
    await session.execute(delete(Invitation).where(Invitation.user_id == account.id, Invitation.used_at.is_(None)))
    token = secrets.token_urlsafe(24)
    session.add(
        Invitation(
            user_id=account.id,
            token_hash=digest(token),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=days),
            created_by_id=user.id or None,
        )
    )
    await session.flush()
    return token


async def open_invitation(session: AsyncSession, token: str) -> tuple[Invitation, User]:
    """The invitation for a link token, if it is unused and not expired (else NotFoundError)."""
    invitation: Invitation | None = await session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at < dt.datetime.now(dt.UTC):
        raise NotFoundError("invitation")
    account = await session.get(User, invitation.user_id)
    if account is None or not account.is_active:
        raise NotFoundError("invitation")
    return invitation, account


async def accept_invitation(session: AsyncSession, token: str, password: str) -> User:
    """Set the invited account's password; the link then stops working."""
    invitation, account = await open_invitation(session, token)
    if password_problem(password):
        message = _t("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        raise DomainError("weak_password", message, "password")
    account.password_hash = hash_password(password)
    invitation.used_at = dt.datetime.now(dt.UTC)
    await session.flush()
    return account
