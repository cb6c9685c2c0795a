"""Programmes for organisers: make one, find it, rename it, set its targets, put events in it or take them out.

Organisers only: every function refuses anyone else exactly like a missing programme. The programme's page, with
its results against the targets, is the results' (events.results.pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import DEFAULT_STAGES, Event, Programme, ProgrammeStage, Role
from events.platform.names import slugify
from events.platform.reach import event_reach, organisation_of, owning_organisation
from events.platform.services import audit, event_ref_clause


def _organiser(user: CurrentUser) -> None:
    if user.role is not Role.ORGANISER:
        raise NotFoundError("programme")


def _reached(user: CurrentUser) -> ColumnElement[bool]:
    """The programmes an organiser reaches: their organisation's."""
    return true() if user.everywhere else Programme.organisation_id == organisation_of(user)


async def programmes(session: AsyncSession, user: CurrentUser) -> list[tuple[Programme, int]]:
    """Every programme by name, with its number of events."""
    _organiser(user)
    counts = dict(
        list(
            (
                await session.execute(
                    select(Event.programme_id, func.count())
                    .where(Event.programme_id.is_not(None))
                    .group_by(Event.programme_id)
                )
            ).tuples()
        )
    )
    found = (await session.scalars(select(Programme).where(_reached(user)).order_by(Programme.name))).all()
    return [(p, int(counts.get(p.id, 0))) for p in found]


def _name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise DomainError("required", i18n.gettext("This field is required."), "name")
    if len(name) > 200:
        raise DomainError("too_long", i18n.gettext("Use at most 200 characters."), "name")
    if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in name):
        raise DomainError("invalid", i18n.gettext("Remove the control characters."), "name")
    return name


async def free_name(session: AsyncSession, user: CurrentUser, value: Any, programme_id: int | None = None) -> str:
    """A programme's name from a form, spaces tidied, if no other programme of the organisation has it (in any
    case)."""
    name = _name(value)
    query = select(Programme.id).where(
        func.lower(Programme.name) == name.lower(), Programme.organisation_id == owning_organisation(user)
    )
    if programme_id is not None:
        query = query.where(Programme.id != programme_id)
    if await session.scalar(query) is not None:
        raise DomainError("name_taken", i18n.gettext("There is already a programme with this name."), "name")
    return name


async def free_slug(session: AsyncSession, wanted: str) -> str:
    """``wanted`` made a slug, numbered until no programme on the installation has it."""
    base = slugify(wanted, fallback="programme")
    slug, n = base, 2
    while await session.scalar(select(Programme.id).where(Programme.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


async def add_default_stages(session: AsyncSession, programme: Programme) -> list[ProgrammeStage]:
    """Give a new programme the default stages, in order."""
    stages = [
        ProgrammeStage(programme_id=programme.id, position=i, name=stage, kind=kind)
        for i, (stage, kind) in enumerate(DEFAULT_STAGES, 1)
    ]
    session.add_all(stages)
    await session.flush()
    return stages


async def create_programme(
    session: AsyncSession, user: CurrentUser, name: Any, description: Any = "", *, slug: str | None = None
) -> Programme:
    """A new programme of the user's organisation, with the default stages (events.platform.models.DEFAULT_STAGES)
    and a slug made of its name unless one is given."""
    _organiser(user)
    name = await free_name(session, user, name)
    programme = Programme(
        organisation_id=owning_organisation(user),
        slug=await free_slug(session, slug or name),
        name=name,
        description=str(description or "").strip(),
        targets={},
    )
    session.add(programme)
    await session.flush()
    await add_default_stages(session, programme)
    await audit(session, user, "create", "programme", programme.id)
    return programme


async def find_programme(session: AsyncSession, user: CurrentUser, ref: str | int) -> Programme:
    """A programme by id, slug or (exact, case-insensitive) name."""
    _organiser(user)
    text = str(ref).strip()
    found = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        found = await session.scalar(select(Programme).where(Programme.id == int(text), _reached(user)))
    if found is None:
        found = await session.scalar(select(Programme).where(Programme.slug == text.lower(), _reached(user)))
    if found is None:
        found = await session.scalar(
            select(Programme).where(func.lower(Programme.name) == text.lower(), _reached(user)).order_by(Programme.id)
        )
    if found is None:
        raise NotFoundError(f"programme {ref!r}")
    return found


async def update_programme(
    session: AsyncSession,
    user: CurrentUser,
    programme: Programme,
    *,
    name: str,
    description: Any,
    targets: dict[str, int],
) -> None:
    """Set the programme's name (one `free_name` gave), description and targets."""
    _organiser(user)
    programme.name = name
    programme.description = str(description or "").strip()
    programme.targets = targets
    await session.flush()
    await audit(session, user, "update", "programme", programme.id, detail={"targets": targets})


async def programme_events(session: AsyncSession, programme: Programme) -> Sequence[Event]:
    return (
        await session.scalars(select(Event).where(Event.programme_id == programme.id).order_by(Event.date, Event.id))
    ).all()


async def free_events(session: AsyncSession, user: CurrentUser) -> Sequence[Event]:
    """The organisation's events in no programme yet, newest first: what can be attached."""
    return (
        await session.scalars(
            select(Event)
            .where(Event.programme_id.is_(None), event_reach(user))
            .order_by(Event.date.desc(), Event.id.desc())
        )
    ).all()


async def attach_event(
    session: AsyncSession, user: CurrentUser, programme: Programme, event_ref: str | int, *, attach: bool = True
) -> Event:
    """Put an event in the programme (it leaves any other), or take it out."""
    _organiser(user)
    if not str(event_ref).strip():
        raise DomainError("required", i18n.gettext("Choose an event."), "event")
    event = await session.scalar(select(Event).where(event_ref_clause(event_ref), event_reach(user)).limit(1))
    if event is None or (not attach and event.programme_id != programme.id):
        raise DomainError("unknown_event", i18n.gettext("Choose an event."), "event")
    event.programme_id = programme.id if attach else None
    await session.flush()
    await audit(session, user, "attach" if attach else "detach", "programme", programme.id, detail={"event": event.id})
    return event
