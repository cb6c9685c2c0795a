"""An event's guests: people who are neither candidate nor employer (a partner, an official such as a wethouder or
an ambtenaar, the press). Organisers of the organisation that owns the event manage them; door staff add them as
walk-ins (badges.day.walk_ins) and check them in; the badges slice prints their badge with their role
(badges.people reads them through `guest_rows`). Every function checks the caller's role and reach itself (out of
reach answers like missing), flushes, and leaves the commit to the caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Annotated

import msgspec
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.platform import personal_data
from events.platform.dates import add_months
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import EVENT_TZ, Event, EventGuest, GuestKind, Role
from events.platform.names import clean_name
from events.platform.reach import in_own_organisation
from events.platform.services import audit, check_email
from events.platform.settings import Settings
from events.registration.services import found


class GuestInput(msgspec.Struct, forbid_unknown_fields=True):
    """A guest as an organiser (or, at the door, door staff) enters them."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: GuestKind = GuestKind.OTHER
    organisation_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    # Their function as the badge prints it: "wethouder Werk en Inkomen".
    role: Annotated[str, msgspec.Meta(max_length=200)] = ""
    email: str | None = None


def _manages(user: CurrentUser, event: Event) -> None:
    """Organisers of the organisation that owns the event (the command line: every event); anyone else is told
    "not found", as for a missing event."""
    if not user.everywhere and (user.role is not Role.ORGANISER or not in_own_organisation(user, event)):
        raise NotFoundError("event")


def _fields(data: GuestInput) -> dict[str, object]:
    email = data.email.strip() if data.email else ""
    return {
        "name": clean_name(data.name, "name", max_length=200),
        "kind": data.kind,
        "organisation_name": " ".join(data.organisation_name.split()),
        "role": " ".join(data.role.split()),
        "email": check_email(email) if email else None,
    }


async def list_guests(session: AsyncSession, user: CurrentUser, event: Event) -> Sequence[EventGuest]:
    """The event's guests, by name."""
    _manages(user, event)
    query = select(EventGuest).where(EventGuest.event_id == event.id)
    return (await session.scalars(query.order_by(func.lower(EventGuest.name), EventGuest.id))).all()


async def get_guest(session: AsyncSession, user: CurrentUser, event: Event, guest_id: int) -> EventGuest:
    """One guest of the event."""
    _manages(user, event)
    query = select(EventGuest).where(EventGuest.id == guest_id, EventGuest.event_id == event.id)
    return await found(session, query, "guest")


async def add_guest(
    session: AsyncSession, user: CurrentUser, event: Event, data: GuestInput, *, walk_in: bool = False
) -> EventGuest:
    """Add a guest to the event (`walk_in`: registered at the door by someone who works it: the caller checked
    that)."""
    if not walk_in:
        _manages(user, event)
    if event.archived_at is not None:
        raise DomainError("archived", _t("this event is archived"), "event")
    guest = EventGuest(event_id=event.id, walk_in=walk_in, **_fields(data))
    session.add(guest)
    await session.flush()
    await audit(session, user, "walk_in" if walk_in else "create", "event_guest", guest.id)
    return guest


async def update_guest(
    session: AsyncSession, user: CurrentUser, event: Event, guest_id: int, data: GuestInput
) -> EventGuest:
    """Change a guest's name, kind, organisation, function or e-mail."""
    guest = await get_guest(session, user, event, guest_id)
    for key, value in _fields(data).items():
        setattr(guest, key, value)
    await session.flush()
    await audit(session, user, "update", "event_guest", guest.id)
    return guest


async def remove_guest(session: AsyncSession, user: CurrentUser, event: Event, guest_id: int) -> None:
    """Take a guest off the event: their badge stops working and their check-in goes with them."""
    guest = await get_guest(session, user, event, guest_id)
    await session.delete(guest)
    await session.flush()
    await audit(session, user, "delete", "event_guest", guest_id)


# -- what other slices read -------------------------------------------------------------------------------


async def guest_rows(
    session: AsyncSession, event: Event, only: Collection[int] | None = None
) -> Sequence[Row[tuple[int, str, str, GuestKind, str, str | None]]]:
    """(id, name, organisation name, kind, function, e-mail) of the event's guests (or these ones), by name: the
    badges slice's holders."""
    query = select(
        EventGuest.id, EventGuest.name, EventGuest.organisation_name, EventGuest.kind, EventGuest.role, EventGuest.email
    ).where(EventGuest.event_id == event.id)
    if only is not None:
        query = query.where(EventGuest.id.in_(list(only)))
    return (await session.execute(query.order_by(func.lower(EventGuest.name), EventGuest.id))).all()


async def registered_at_door(session: AsyncSession, event: Event, guest_id: int) -> bool:
    """Whether this guest of the event was registered at the door."""
    walk_in = await session.scalar(
        select(EventGuest.walk_in).where(EventGuest.id == guest_id, EventGuest.event_id == event.id)
    )
    return bool(walk_in)


ANONYMOUS = "—"


async def anonymise_guests(session: AsyncSession, event_ids: Collection[int], at: dt.datetime) -> int:
    """Blank the names, functions and e-mail addresses of these events' guests (retention); how many it changed.
    The rows stay, so that the event's figures (who came) still count them."""
    if not event_ids:
        return 0
    result = await session.execute(
        update(EventGuest)
        .where(EventGuest.event_id.in_(list(event_ids)), EventGuest.anonymised_at.is_(None))
        .values(name=ANONYMOUS, role="", email=None, anonymised_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def guest_retention_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    """The daily job (events.platform.jobs): the guests of every event whose retention date has passed (the date
    its candidates are anonymised, events.privacy.retention) lose their names, functions and e-mail addresses."""
    today = now.astimezone(EVENT_TZ).date()
    keep = personal_data.months_after_event()
    async with sessions() as session:
        rows = await session.execute(
            select(Event.id, Event.date, Event.retention_months).where(
                Event.id.in_(select(EventGuest.event_id).where(EventGuest.anonymised_at.is_(None)))
            )
        )
        due = [event_id for event_id, day, months in rows.tuples() if add_months(day, keep + months) <= today]
        changed = await anonymise_guests(session, due, now)
        await session.commit()
    return f"guests: {changed} guest(s) of {len(due)} event(s) anonymised"
