"""Pages of an event's employers (organisers): an employer's tables, seats and rounds, its openings and its
contact persons (with an e-mail address, a contact gets an employer login by invitation link)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.errors import DomainError
from events.platform.forms import form_error, form_values, parse, rounds_field
from events.platform.models import (
    OPENING_KINDS,
    SECTORS,
    Event,
    Organisation,
    OrganisationKind,
    Role,
)
from events.platform.redirects import see_other
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


def back_to_employer(event: Event, employer_id: str, anchor: str) -> Redirect:
    """After removing something of an employer: back to its page (or the event's, when no valid id came)."""
    target = (
        f"/events/{event.slug}/employers/{employer_id}" if FORM_ID.fullmatch(employer_id) else f"/events/{event.slug}"
    )
    return see_other(f"{target}?msg=deleted#{anchor}")


FORM = "events/employer_form.html"


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
    db_session: AsyncSession, event: Event, employer: Any, exc: DomainError, values: dict[str, Any], **extra: Any
) -> Template:
    """The employer's form again, with the message beside the field at fault."""
    return form_error(FORM, await employer_context(db_session, event, employer, values, **extra), exc)


class EmployerAdminPages(Controller):
    path = "/events"
    include_in_schema = False
    guards = [organisers]

    @get("/{event_ref:str}/employers/new", name="employer_new")
    async def new_employer(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        return Template(FORM, context=await employer_context(db_session, event, None, {}))

    @post("/{event_ref:str}/employers/new", name="employer_create")
    async def create_employer(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        values = form_values(await request.form(), lists=("rounds",))
        shown = dict(values)
        try:
            rounds_field(values, total=event.rounds)
            employer = await add_employer(db_session, current_user, event, parse(EmployerInput, values))
        except DomainError as exc:
            return await employer_form_error(db_session, event, None, exc, shown)
        return see_other(f"/events/{event.slug}/employers/{employer.id}?msg=saved")

    @get("/{event_ref:str}/employers/{employer_id:int}", name="employer_page")
    async def employer_page(
        self,
        event: NamedDependency[Event],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        employer = await employer_of(db_session, current_user, event, employer_id)
        return Template(FORM, context=await employer_context(db_session, event, employer, {}))

    @post("/{event_ref:str}/employers/{employer_id:int}", name="employer_update")
    async def update_employer(
        self,
        event: NamedDependency[Event],
        employer_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        employer = await employer_of(db_session, current_user, event, employer_id)
        values = form_values(await request.form(), lists=("rounds",))
        shown = dict(values)
        try:
            rounds_field(values, total=event.rounds)
            await update_employer(db_session, current_user, event, employer_id, parse(EmployerInput, values))
        except DomainError as exc:
            employer = await employer_of(db_session, current_user, event, employer_id)
            return await employer_form_error(db_session, event, employer, exc, shown)
        return see_other(f"/events/{event.slug}/employers/{employer.id}?msg=saved")

    @post("/{event_ref:str}/employers/{employer_id:int}/delete", name="employer_delete")
    async def delete_employer(
        self,
        event: NamedDependency[Event],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        await remove_employer(db_session, current_user, event, employer_id)
        return see_other(f"/events/{event.slug}?msg=deleted")

    @post("/{event_ref:str}/employers/{employer_id:int}/openings", name="opening_create")
    async def add_opening(
        self,
        event: NamedDependency[Event],
        employer_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        employer = await employer_of(db_session, current_user, event, employer_id)
        values = form_values(await request.form())
        try:
            await add_opening(db_session, current_user, event, employer_id, parse(OpeningInput, values))
        except DomainError as exc:
            return await employer_form_error(db_session, event, employer, exc, {}, opening_values=values)
        return see_other(f"/events/{event.slug}/employers/{employer_id}?msg=saved#openings")

    @post("/{event_ref:str}/openings/{opening_id:int}/delete", name="opening_delete")
    async def delete_opening(
        self,
        event: NamedDependency[Event],
        opening_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        back = str((await request.form()).get("employer_id", ""))
        await remove_opening(db_session, current_user, event, opening_id)
        return back_to_employer(event, back, "openings")

    @post("/{event_ref:str}/employers/{employer_id:int}/contacts", name="contact_create")
    async def add_contact(
        self,
        event: NamedDependency[Event],
        employer_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Response[Any]:
        employer = await employer_of(db_session, current_user, event, employer_id)
        values = form_values(await request.form())
        try:
            contact, token = await add_contact(
                db_session, current_user, event, employer_id, parse(ContactInput, values)
            )
        except DomainError as exc:
            return await employer_form_error(db_session, event, employer, exc, {}, contact_values=values)
        employer = await employer_of(db_session, current_user, event, employer_id)
        invitation = {"name": contact.name, "url": f"{ctx.settings.base_url}/invite/{token}"} if token else None
        context = await employer_context(db_session, event, employer, {}, invitation=invitation)
        return Template(FORM, context=context, status_code=201)

    @post("/{event_ref:str}/contacts/{contact_id:int}/delete", name="contact_delete")
    async def delete_contact(
        self,
        event: NamedDependency[Event],
        contact_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        back = str((await request.form()).get("employer_id", ""))
        await remove_contact(db_session, current_user, event, contact_id)
        return back_to_employer(event, back, "contacts")
