"""The JSON API of an event's employers: their participation, rounds, openings and contact persons, and the
anonymised candidate cards an employer marks its interest on."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events.platform.auth import requires
from events.platform.deps import AppContext
from events.platform.models import Role
from events.platform.web import EVENT_WEB, EventWeb
from events.registration import preferences as prefs
from events.registration.employers import (
    add_contact,
    add_opening,
    employer_of,
    remove_contact,
    remove_employer,
    remove_opening,
    set_employer_rounds,
    update_employer,
    update_opening,
)
from events.registration.inputs import ContactInput, EmployerInput, OpeningInput
from events.registration.schemas import EmployerRow, OpeningRow

organisers = requires(Role.ORGANISER)


class RoundsRequest(msgspec.Struct, forbid_unknown_fields=True):
    rounds: list[int] | None


class ContactRow(msgspec.Struct):
    id: int
    name: str
    email: str | None
    phone: str | None
    has_login: bool
    invitation_url: str | None = None


class CardRow(msgspec.Struct):
    participation_id: int
    display_name: str
    sectors: list[str]
    hours_per_week: int | None
    own_words: str
    rounds: list[int]
    level: int | None
    wish: int | None


def invitation_url(ctx: AppContext, token: str | None) -> str | None:
    return f"{ctx.settings.base_url}/invite/{token}" if token else None


class EmployerAdminApi(Controller):
    path = "/api/events/{event_ref:str}"
    tags = ["employers"]
    dependencies = EVENT_WEB

    @get(
        "/employers/{employer_id:int}",
        name="api:employer",
        guards=[requires(Role.ORGANISER, Role.COACH, Role.EMPLOYER)],
    )
    async def get_one(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> EmployerRow:
        """One employer with its openings."""
        return EmployerRow.of(await employer_of(web.db, web.user, web.event, employer_id))

    @put("/employers/{employer_id:int}", name="api:employer_update", guards=[organisers])
    async def update(
        self, web: NamedDependency[EventWeb], employer_id: FromPath[int], data: JSONBody[EmployerInput]
    ) -> EmployerRow:
        """Change an employer's tables, seats and rounds."""
        return EmployerRow.of(await update_employer(web.db, web.user, web.event, employer_id, data))

    @delete("/employers/{employer_id:int}", name="api:employer_delete", guards=[organisers], status_code=HTTP_200_OK)
    async def remove(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> dict[str, bool]:
        """Take an employer out of the event."""
        await remove_employer(web.db, web.user, web.event, employer_id)
        return {"deleted": True}

    @put(
        "/employers/{employer_id:int}/rounds",
        name="api:employer_rounds",
        guards=[requires(Role.ORGANISER, Role.EMPLOYER)],
    )
    async def set_rounds(
        self, web: NamedDependency[EventWeb], employer_id: FromPath[int], data: JSONBody[RoundsRequest]
    ) -> EmployerRow:
        """The rounds the employer is present (its contacts may say so themselves)."""
        await set_employer_rounds(web.db, web.user, web.event, employer_id, data.rounds)
        return EmployerRow.of(await employer_of(web.db, web.user, web.event, employer_id))

    @get(
        "/employers/{employer_id:int}/cards",
        name="api:employer_cards",
        guards=[requires(Role.ORGANISER, Role.EMPLOYER)],
    )
    async def cards(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> list[CardRow]:
        """Anonymised candidate cards with the employer's own interest."""
        _, cards = await prefs.employer_cards(web.db, web.user, web.event, employer_id)
        return [
            CardRow(
                c.participation_id, c.display_name, c.sectors, c.hours_per_week, c.own_words, c.rounds, c.level, c.wish
            )
            for c in cards
        ]

    @post(
        "/employers/{employer_id:int}/openings",
        name="api:opening_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def add_opening(
        self, web: NamedDependency[EventWeb], employer_id: FromPath[int], data: JSONBody[OpeningInput]
    ) -> OpeningRow:
        """Add an opening the employer brings."""
        return OpeningRow.of(await add_opening(web.db, web.user, web.event, employer_id, data))

    @put("/openings/{opening_id:int}", name="api:opening_update", guards=[organisers])
    async def update_opening(
        self, web: NamedDependency[EventWeb], opening_id: FromPath[int], data: JSONBody[OpeningInput]
    ) -> OpeningRow:
        """Change an opening."""
        return OpeningRow.of(await update_opening(web.db, web.user, web.event, opening_id, data))

    @delete("/openings/{opening_id:int}", name="api:opening_delete", guards=[organisers], status_code=HTTP_200_OK)
    async def remove_opening(self, web: NamedDependency[EventWeb], opening_id: FromPath[int]) -> dict[str, bool]:
        """Remove an opening."""
        await remove_opening(web.db, web.user, web.event, opening_id)
        return {"deleted": True}

    @post(
        "/employers/{employer_id:int}/contacts",
        name="api:contact_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def add_contact(
        self, web: NamedDependency[EventWeb], employer_id: FromPath[int], data: JSONBody[ContactInput]
    ) -> ContactRow:
        """Add a contact person; with an e-mail address they get an employer login by invitation link."""
        contact, token = await add_contact(web.db, web.user, web.event, employer_id, data)
        return ContactRow(
            contact.id,
            contact.name,
            contact.email,
            contact.phone,
            contact.user_id is not None,
            invitation_url(web.ctx, token),
        )

    @delete("/contacts/{contact_id:int}", name="api:contact_delete", guards=[organisers], status_code=HTTP_200_OK)
    async def remove_contact(self, web: NamedDependency[EventWeb], contact_id: FromPath[int]) -> dict[str, bool]:
        """Remove a contact person."""
        await remove_contact(web.db, web.user, web.event, contact_id)
        return {"deleted": True}
