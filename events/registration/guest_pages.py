"""Pages of an event's guests (organisers of the organisation that owns the event): the list with a form to add
one, a guest's own form, and removing them. The door adds guests as walk-ins (badges.day.walk_in_pages)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import form_error, parse
from events.platform.models import EventGuest, GuestKind, Role
from events.platform.web import EventPageController, EventWeb
from events.registration.guests import GuestInput, add_guest, get_guest, list_guests, remove_guest, update_guest

organisers = requires(Role.ORGANISER)
LIST = "events/guests.html"
KINDS = [kind.value for kind in GuestKind]


def guest_values(guest: EventGuest) -> dict[str, Any]:
    return {
        "name": guest.name,
        "kind": guest.kind.value,
        "organisation_name": guest.organisation_name,
        "role": guest.role,
        "email": guest.email or "",
    }


async def _list_context(web: EventWeb, values: dict[str, Any], guest: EventGuest | None = None) -> dict[str, Any]:
    return {
        "event": web.event,
        "guests": await list_guests(web.db, web.user, web.event),
        "guest": guest,
        "values": values,
        "kinds": KINDS,
        "errors": {},
    }


def _input(values: dict[str, Any]) -> GuestInput:
    return parse(GuestInput, {**values, "email": (values.get("email") or "").strip() or None})


class GuestPages(EventPageController):
    path = "/events/{event_ref:str}/guests"
    guards = [organisers]

    @get("/", name="guests")
    async def guests_page(self, web: NamedDependency[EventWeb]) -> Template:
        """The event's guests, and a form to add one."""
        return Template(LIST, context=await _list_context(web, {"kind": GuestKind.OFFICIAL.value}))

    @post("/", name="guest-add")
    async def add(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        values = await web.values()
        try:
            await add_guest(web.db, web.user, web.event, _input(values))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return form_error(LIST, await _list_context(web, values), exc)
        return web.redirect("/guests?msg=saved")

    @get("/{guest_id:int}", name="guest")
    async def guest_page(self, web: NamedDependency[EventWeb], guest_id: FromPath[int]) -> Template:
        """One guest's form."""
        guest = await get_guest(web.db, web.user, web.event, guest_id)
        return Template(LIST, context=await _list_context(web, guest_values(guest), guest))

    @post("/{guest_id:int}", name="guest-update")
    async def update(self, web: NamedDependency[EventWeb], guest_id: FromPath[int]) -> Response[Any]:
        guest = await get_guest(web.db, web.user, web.event, guest_id)  # reach first
        values = await web.values()
        try:
            await update_guest(web.db, web.user, web.event, guest_id, _input(values))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return form_error(LIST, await _list_context(web, values, guest), exc)
        return web.redirect("/guests?msg=saved")

    @post("/{guest_id:int}/delete", name="guest-delete")
    async def delete(self, web: NamedDependency[EventWeb], guest_id: FromPath[int]) -> Redirect:
        await remove_guest(web.db, web.user, web.event, guest_id)
        return web.redirect("/guests?msg=deleted")
