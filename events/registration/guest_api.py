"""The JSON API of an event's guests (partners, officials, press): organisers of the organisation that owns the
event list, add, change and remove them; anyone else gets a 404, as for a missing event."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events.platform.auth import requires
from events.platform.models import EventGuest, Role
from events.platform.web import EVENT_WEB, EventWeb
from events.registration.guests import GuestInput, add_guest, get_guest, list_guests, remove_guest, update_guest

organisers = requires(Role.ORGANISER)


class GuestRow(msgspec.Struct):
    id: int
    name: str
    # partner, official, press or other.
    kind: str
    organisation_name: str
    # Their function as the badge prints it ("wethouder Werk en Inkomen").
    role: str
    email: str | None
    walk_in: bool

    @classmethod
    def of(cls, guest: EventGuest) -> GuestRow:
        return cls(
            guest.id, guest.name, guest.kind.value, guest.organisation_name, guest.role, guest.email, guest.walk_in
        )


class GuestApi(Controller):
    path = "/api/events/{event_ref:str}/guests"
    tags = ["guests"]
    guards = [organisers]
    dependencies = EVENT_WEB

    @get("/", name="api:guests")
    async def list_all(self, web: NamedDependency[EventWeb]) -> list[GuestRow]:
        """The event's guests (neither candidate nor employer), by name."""
        return [GuestRow.of(g) for g in await list_guests(web.db, web.user, web.event)]

    @post("/", name="api:guest_create", status_code=HTTP_201_CREATED)
    async def create(self, web: NamedDependency[EventWeb], data: JSONBody[GuestInput]) -> GuestRow:
        """Add a guest: a partner, an official (a wethouder, an ambtenaar), the press or another guest."""
        return GuestRow.of(await add_guest(web.db, web.user, web.event, data))

    @get("/{guest_id:int}", name="api:guest")
    async def get_one(self, web: NamedDependency[EventWeb], guest_id: FromPath[int]) -> GuestRow:
        """One guest."""
        return GuestRow.of(await get_guest(web.db, web.user, web.event, guest_id))

    @put("/{guest_id:int}", name="api:guest_update")
    async def update(
        self, web: NamedDependency[EventWeb], guest_id: FromPath[int], data: JSONBody[GuestInput]
    ) -> GuestRow:
        """Change a guest."""
        return GuestRow.of(await update_guest(web.db, web.user, web.event, guest_id, data))

    @delete("/{guest_id:int}", name="api:guest_delete", status_code=HTTP_200_OK)
    async def remove(self, web: NamedDependency[EventWeb], guest_id: FromPath[int]) -> dict[str, bool]:
        """Take a guest off the event (their badge stops working)."""
        await remove_guest(web.db, web.user, web.event, guest_id)
        return {"deleted": True}
