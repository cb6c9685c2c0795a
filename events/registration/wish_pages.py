"""Pages of wishes and interest: a coach sets a candidate's wishes with the candidate beside them, an employer
marks its interest on anonymised candidate cards and says which rounds it is there; on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_error, parse, rounds_field
from events.platform.i18n import gettext as _t
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Event,
    PreferenceSide,
    Role,
)
from events.platform.services import EventService
from events.platform.web import EventPageController, EventWeb
from events.registration import preferences as prefs
from events.registration.candidates import participation_of, update_participation
from events.registration.employers import set_employer_rounds
from events.registration.inputs import ParticipationInput
from events.registration.pages import FORM_ID

# Check-in and no-show are set on the event day, not here.
EDITABLE_STATUSES = ("registered", "confirmed", "cancelled")


class LevelForm(msgspec.Struct):
    """A wish or an interest as sent: for whom (an employer for a candidate's wish, a candidate's sign-up for an
    employer's interest) and how much ("0" to "3"; "clear" or nothing: none)."""

    employer_id: str = ""
    participation_id: str = ""
    level: str = ""


async def _wishes_context(
    db_session: AsyncSession, event: Event, participation: CandidateParticipation
) -> dict[str, Any]:
    """The wishes page of one sign-up: every employer of the event (by name) with the candidate's levels."""
    employers = sorted(await prefs.load_employers(db_session, event), key=lambda e: e.organisation.name.lower())
    levels = await prefs.levels_for(db_session, participation.id)
    return {
        "event": event,
        "participation": participation,
        "employers": employers,
        "levels": levels,
        "statuses": EDITABLE_STATUSES,
        "errors": {},
    }


async def _own(web: EventWeb) -> Sequence[EmployerParticipation]:
    """The employer's own participation in the event (none, or one)."""
    return await EventService(web.db, web.user).employers(web.event)


class WishPages(EventPageController):
    """Wishes (coaches, with the candidate beside them) and interest (employers), on a phone."""

    path = "/events/{event_ref:str}"

    @get("/wishes/{participation_id:int}", name="wishes", guards=[requires(Role.ORGANISER, Role.COACH)])
    async def wishes_page(self, web: NamedDependency[EventWeb], participation_id: FromPath[int]) -> Template:
        participation = await participation_of(web.db, web.user, web.event, participation_id)
        return Template("events/wishes.html", context=await _wishes_context(web.db, web.event, participation))

    @post("/wishes/{participation_id:int}", name="wishes_set", guards=[requires(Role.ORGANISER, Role.COACH)])
    async def set_wish(self, web: NamedDependency[EventWeb], participation_id: FromPath[int]) -> Redirect:
        await participation_of(web.db, web.user, web.event, participation_id)  # reach first
        form = await web.form(LevelForm)
        employer_id, level = _pair(form.employer_id, form.level)
        side = PreferenceSide.CANDIDATE
        await prefs.set_preference(web.db, web.user, web.event, participation_id, employer_id, level, side)
        return web.redirect(f"/wishes/{participation_id}#employer-{employer_id}")

    @post(
        "/wishes/{participation_id:int}/details",
        name="participation_update",
        guards=[requires(Role.ORGANISER, Role.COACH)],
    )
    async def update_details(self, web: NamedDependency[EventWeb], participation_id: FromPath[int]) -> Response[Any]:
        participation = await participation_of(web.db, web.user, web.event, participation_id)
        values = await web.values(lists=("rounds",))
        try:
            rounds_field(values, total=web.event.rounds)
            values["needs_interpreter"] = values.get("needs_interpreter") == "true"
            data = parse(ParticipationInput, values)
            await update_participation(web.db, web.user, web.event, participation_id, data)
        except DomainError as exc:
            context = await _wishes_context(web.db, web.event, participation)
            return form_error("events/wishes.html", context, exc)
        return web.redirect(f"/wishes/{participation_id}?msg=saved")

    @get("/cards", name="employer_cards", guards=[requires(Role.EMPLOYER)])
    async def cards_page(self, web: NamedDependency[EventWeb]) -> Template:
        own = await _own(web)
        if not own:
            raise NotFoundError("employer")
        employer, cards = await prefs.employer_cards(web.db, web.user, web.event, own[0].id)
        return Template("events/cards.html", context={"event": web.event, "employer": employer, "cards": cards})

    @post("/cards", name="employer_cards_set", guards=[requires(Role.EMPLOYER)])
    async def set_interest(self, web: NamedDependency[EventWeb]) -> Redirect:
        own = await _own(web)
        form = await web.form(LevelForm)
        participation_id, level = _pair(form.participation_id, form.level)
        if own:
            await prefs.set_preference(web.db, web.user, web.event, participation_id, own[0].id, level)
        return web.redirect(f"/cards#card-{participation_id}")

    @post("/rounds", name="employer_rounds_set", guards=[requires(Role.EMPLOYER)])
    async def set_rounds(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        own = await _own(web)
        values = await web.values(lists=("rounds",))
        if own:
            try:
                rounds_field(values, total=web.event.rounds)
                await set_employer_rounds(web.db, web.user, web.event, own[0].id, values["rounds"])
            except DomainError:
                return web.redirect("/cards?msg=rounds_failed")
        return web.redirect("/cards?msg=saved")


def _pair(first: str, level: str) -> tuple[int, int | None]:
    if not FORM_ID.fullmatch(first):
        raise DomainError("invalid", _t("choose someone"), "id")
    if level in ("", "clear"):
        return int(first), None
    if level not in ("0", "1", "2", "3"):
        raise DomainError("invalid_level", _t("choose no, maybe, yes or very much"), "level")
    return int(first), int(level)
