"""Pages of wishes and interest: a coach sets a candidate's wishes with the candidate beside them, an employer
marks its interest on anonymised candidate cards and says which rounds it is there; on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_error, form_values, parse, rounds_field
from events.platform.i18n import gettext as _t
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Event,
    PreferenceSide,
    Role,
)
from events.platform.redirects import see_other
from events.platform.services import EventService
from events.registration import preferences as prefs
from events.registration.candidates import participation_of, update_participation
from events.registration.employers import set_employer_rounds
from events.registration.inputs import ParticipationInput
from events.registration.pages import FORM_ID

# Check-in and no-show are set on the event day, not here.
EDITABLE_STATUSES = ("registered", "confirmed", "cancelled")


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


async def _own(db_session: AsyncSession, current_user: CurrentUser, event: Event) -> Sequence[EmployerParticipation]:
    """The employer's own participation in the event (none, or one)."""
    return await EventService(db_session, current_user).employers(event)


class WishPages(Controller):
    """Wishes (coaches, with the candidate beside them) and interest (employers), on a phone."""

    path = "/events/{event_ref:str}"
    include_in_schema = False

    @get("/wishes/{participation_id:int}", name="wishes", guards=[requires(Role.ORGANISER, Role.COACH)])
    async def wishes_page(
        self,
        event: NamedDependency[Event],
        participation_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        participation = await participation_of(db_session, current_user, event, participation_id)
        return Template("events/wishes.html", context=await _wishes_context(db_session, event, participation))

    @post("/wishes/{participation_id:int}", name="wishes_set", guards=[requires(Role.ORGANISER, Role.COACH)])
    async def set_wish(
        self,
        event: NamedDependency[Event],
        participation_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        await participation_of(db_session, current_user, event, participation_id)  # reach first
        form = await request.form()
        employer_id, level = _pair(form.get("employer_id"), form.get("level"))
        side = PreferenceSide.CANDIDATE
        await prefs.set_preference(db_session, current_user, event, participation_id, employer_id, level, side)
        return see_other(f"/events/{event.slug}/wishes/{participation_id}#employer-{employer_id}")

    @post(
        "/wishes/{participation_id:int}/details",
        name="participation_update",
        guards=[requires(Role.ORGANISER, Role.COACH)],
    )
    async def update_details(
        self,
        event: NamedDependency[Event],
        participation_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        participation = await participation_of(db_session, current_user, event, participation_id)
        values = form_values(await request.form(), lists=("rounds",))
        try:
            rounds_field(values, total=event.rounds)
            values["needs_interpreter"] = values.get("needs_interpreter") == "true"
            await update_participation(
                db_session, current_user, event, participation_id, parse(ParticipationInput, values)
            )
        except DomainError as exc:
            context = await _wishes_context(db_session, event, participation)
            return form_error("events/wishes.html", context, exc)
        return see_other(f"/events/{event.slug}/wishes/{participation_id}?msg=saved")

    @get("/cards", name="employer_cards", guards=[requires(Role.EMPLOYER)])
    async def cards_page(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        own = await _own(db_session, current_user, event)
        if not own:
            raise NotFoundError("employer")
        employer, cards = await prefs.employer_cards(db_session, current_user, event, own[0].id)
        return Template("events/cards.html", context={"event": event, "employer": employer, "cards": cards})

    @post("/cards", name="employer_cards_set", guards=[requires(Role.EMPLOYER)])
    async def set_interest(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        own = await _own(db_session, current_user, event)
        form = await request.form()
        participation_id, level = _pair(form.get("participation_id"), form.get("level"))
        if own:
            await prefs.set_preference(db_session, current_user, event, participation_id, own[0].id, level)
        return see_other(f"/events/{event.slug}/cards#card-{participation_id}")

    @post("/rounds", name="employer_rounds_set", guards=[requires(Role.EMPLOYER)])
    async def set_rounds(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        own = await _own(db_session, current_user, event)
        values = form_values(await request.form(), lists=("rounds",))
        if own:
            try:
                rounds_field(values, total=event.rounds)
                await set_employer_rounds(db_session, current_user, event, own[0].id, values["rounds"])
            except DomainError:
                return see_other(f"/events/{event.slug}/cards?msg=rounds_failed")
        return see_other(f"/events/{event.slug}/cards?msg=saved")


def _pair(first: Any, level: Any) -> tuple[int, int | None]:
    if not FORM_ID.fullmatch(str(first or "")):
        raise DomainError("invalid", _t("choose someone"), "id")
    text = str(level or "")
    if text in ("", "clear"):
        return int(str(first)), None
    if text not in ("0", "1", "2", "3"):
        raise DomainError("invalid_level", _t("choose no, maybe, yes or very much"), "level")
    return int(str(first)), int(text)
