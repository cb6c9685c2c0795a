"""Pages of an event's employers (organisers): an employer's tables, seats and rounds, its openings and its
contact persons (with an e-mail address, a contact gets an employer login by invitation link)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import form_error, parse, rounds_field
from events.platform.identity import CurrentUser
from events.platform.models import (
    OPENING_KINDS,
    SECTORS,
    Event,
    Organisation,
    OrganisationKind,
    Role,
)
from events.platform.redirects import see_other
from events.platform.web import EventPageController, EventWeb
from events.registration.employers import (
    add_contact,
    add_employer,
    add_opening,
    employer_of,
    remove_contact,
    remove_employer,
    remove_opening,
    update_employer,
)
from events.registration.inputs import ContactInput, EmployerInput, OpeningInput
from events.registration.pages import FORM_ID

organisers = requires(Role.ORGANISER)
In = TypeVar("In")
Out = TypeVar("Out")


def back_to_employer(event: Event, employer_id: str, anchor: str) -> Redirect:
    """After removing something of an employer: back to its page (or the event's, when no valid id came)."""
    target = (
        f"/events/{event.slug}/employers/{employer_id}" if FORM_ID.fullmatch(employer_id) else f"/events/{event.slug}"
    )
    return see_other(f"{target}?msg=deleted#{anchor}")


FORM = "events/employer_form.html"


class BackForm(msgspec.Struct):
    """The employer whose page to go back to, after removing one of its openings or contacts."""

    employer_id: str = ""


async def employer_context(
    db_session: AsyncSession, event: Event, employer: Any, values: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """What the employer's form shows: its values (the employer's own, unless the form's come back), the known
    organisations to pick from, and ``extra``."""
    known = (
        await db_session.scalars(
            select(Organisation.name).where(Organisation.kind == OrganisationKind.EMPLOYER).order_by(Organisation.name)
        )
    ).all()
    if employer is not None and not values:
        values = {
            "organisation": employer.organisation.name,
            "tables": employer.tables,
            "seats": employer.seats,
            "rounds": employer.rounds or [],
            "notes": employer.notes,
        }
    values.setdefault("tables", 1)
    values.setdefault("seats", 1)
    return {
        "event": event,
        "employer": employer,
        "values": values,
        "errors": {},
        "organisations": known,
        "opening_kinds": [k.value for k in OPENING_KINDS],
        "sectors": SECTORS,
        **extra,
    }


async def employer_form_error(
    web: EventWeb, employer: Any, exc: DomainError, values: dict[str, Any], **extra: Any
) -> Template:
    """The employer's form again, with the message beside the field at fault."""
    return form_error(FORM, await employer_context(web.db, web.event, employer, values, **extra), exc)


async def _employer_form(
    web: EventWeb, employer_id: int | None, save: Callable[[EmployerInput], Awaitable[Any]]
) -> Response[Any]:
    """The employer's form as sent (``employer_id`` None: a new one): saved and on to its page, or shown again."""
    values = await web.values(lists=("rounds",))
    shown = dict(values)
    try:
        rounds_field(values, total=web.event.rounds)
        saved = await save(parse(EmployerInput, values))
    except DomainError as exc:
        employer = None if employer_id is None else await employer_of(web.db, web.user, web.event, employer_id)
        return await employer_form_error(web, employer, exc, shown)
    return web.redirect(f"/employers/{saved.id if employer_id is None else employer_id}?msg=saved")


async def _add_to_employer(
    web: EventWeb,
    employer_id: int,
    kind: type[In],
    add: Callable[[AsyncSession, CurrentUser, Event, int, In], Awaitable[Out]],
    shown_as: str,
) -> Out | Template:
    """An opening or contact person of an employer, as sent: what ``add`` gave, or the form again with the message
    beside the field at fault and the values sent shown back under ``shown_as``."""
    employer = await employer_of(web.db, web.user, web.event, employer_id)
    values = await web.values()
    try:
        return await add(web.db, web.user, web.event, employer_id, parse(kind, values))
    except DomainError as exc:
        return await employer_form_error(web, employer, exc, {}, **{shown_as: values})


class EmployerAdminPages(EventPageController):
    path = "/events"
    guards = [organisers]

    @get("/{event_ref:str}/employers/new", name="employer_new")
    async def new_employer(self, event: NamedDependency[Event], db_session: NamedDependency[AsyncSession]) -> Template:
        return Template(FORM, context=await employer_context(db_session, event, None, {}))

    @post("/{event_ref:str}/employers/new", name="employer_create")
    async def create_employer(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        return await _employer_form(web, None, lambda data: add_employer(web.db, web.user, web.event, data))

    @get("/{event_ref:str}/employers/{employer_id:int}", name="employer_page")
    async def employer_page(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> Template:
        employer = await employer_of(web.db, web.user, web.event, employer_id)
        return Template(FORM, context=await employer_context(web.db, web.event, employer, {}))

    @post("/{event_ref:str}/employers/{employer_id:int}", name="employer_update")
    async def update_employer(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> Response[Any]:
        await employer_of(web.db, web.user, web.event, employer_id)  # reach first
        return await _employer_form(
            web, employer_id, lambda data: update_employer(web.db, web.user, web.event, employer_id, data)
        )

    @post("/{event_ref:str}/employers/{employer_id:int}/delete", name="employer_delete")
    async def delete_employer(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> Redirect:
        await remove_employer(web.db, web.user, web.event, employer_id)
        return web.redirect("?msg=deleted")

    @post("/{event_ref:str}/employers/{employer_id:int}/openings", name="opening_create")
    async def add_opening(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> Response[Any]:
        added = await _add_to_employer(web, employer_id, OpeningInput, add_opening, "opening_values")
        if isinstance(added, Template):
            return added
        return web.redirect(f"/employers/{employer_id}?msg=saved#openings")

    @post("/{event_ref:str}/openings/{opening_id:int}/delete", name="opening_delete")
    async def delete_opening(self, web: NamedDependency[EventWeb], opening_id: FromPath[int]) -> Redirect:
        back = (await web.form(BackForm)).employer_id
        await remove_opening(web.db, web.user, web.event, opening_id)
        return back_to_employer(web.event, back, "openings")

    @post("/{event_ref:str}/employers/{employer_id:int}/contacts", name="contact_create")
    async def add_contact(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> Response[Any]:
        added = await _add_to_employer(web, employer_id, ContactInput, add_contact, "contact_values")
        if isinstance(added, Template):
            return added
        contact, token = added
        employer = await employer_of(web.db, web.user, web.event, employer_id)
        invitation = {"name": contact.name, "url": f"{web.settings.base_url}/invite/{token}"} if token else None
        context = await employer_context(web.db, web.event, employer, {}, invitation=invitation)
        return Template(FORM, context=context, status_code=201)

    @post("/{event_ref:str}/contacts/{contact_id:int}/delete", name="contact_delete")
    async def delete_contact(self, web: NamedDependency[EventWeb], contact_id: FromPath[int]) -> Redirect:
        back = (await web.form(BackForm)).employer_id
        await remove_contact(web.db, web.user, web.event, contact_id)
        return back_to_employer(web.event, back, "contacts")
