"""Pages for filling an event: event settings, employers, candidates, wishes, interest, the overview."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import breaks_field, form_values, parse, rounds_field
from events.platform.i18n import gettext as _t
from events.platform.models import (
    BARRIERS,
    OPENING_KINDS,
    SECTORS,
    CoachKind,
    ConsentMethod,
    Event,
    Organisation,
    OrganisationKind,
    PreferenceSide,
    Role,
)
from events.platform.services import CandidateService, EventService
from events.registration import preferences as prefs
from events.registration import services as reg

organisers = requires(Role.ORGANISER)
# Check-in and no-show are set on the event day, not here.
EDITABLE_STATUSES = ("registered", "confirmed", "cancelled")


class CopyForm(msgspec.Struct):
    date: dt.date
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")] | None = None


# Ids typed into forms: ASCII digits within the id column's range.
_ID = re.compile(r"[0-9]{1,9}")


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


def back_to_employer(event: Event, employer_id: str, anchor: str) -> Redirect:
    """After removing something of an employer: back to its page (or the event's, when no valid id came)."""
    target = f"/events/{event.slug}/employers/{employer_id}" if _ID.fullmatch(employer_id) else f"/events/{event.slug}"
    return see_other(f"{target}?msg=deleted#{anchor}")


def form_error(template: str, context: dict[str, Any], exc: DomainError) -> Template:
    """The same form again, with the message beside the field at fault."""
    errors = {exc.field or "_form": exc.message}
    return Template(template, context={**context, "errors": errors}, status_code=422)


def event_form_values(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {
            "first_round_start": "14:00",
            "round_minutes": 10,
            "changeover_minutes": 5,
            "rounds": 6,
            "default_min_meetings": 2,
            "default_max_meetings": 4,
            "max_seats": 1,
            "retention_months": 12,
        }
    return {
        "name": event.name,
        "slug": event.slug,
        "date": event.date.isoformat(),
        "venue": event.venue,
        "address": event.address,
        "description": event.description,
        "first_round_start": event.first_round_start.strftime("%H:%M"),
        "round_minutes": event.round_minutes,
        "changeover_minutes": event.changeover_minutes,
        "rounds": event.rounds,
        "breaks": ", ".join(f"{b['after_round']}:{b['minutes']}" for b in event.breaks or []),
        "default_min_meetings": event.default_min_meetings,
        "default_max_meetings": event.default_max_meetings,
        "max_seats": event.max_seats,
        "retention_months": event.retention_months,
    }


async def read_event_form(request: Request[Any, Any, Any]) -> reg.EventInput:
    values = form_values(await request.form())
    values["breaks"] = breaks_field(values.get("breaks"))
    return parse(reg.EventInput, values)


class EventAdminPages(Controller):
    path = "/events"
    include_in_schema = False
    guards = [organisers]

    @get("/new", name="event_new")
    async def new_event(self) -> Template:
        return Template(
            "events/event_form.html", context={"event": None, "values": event_form_values(None), "errors": {}}
        )

    @post("/new", name="event_create")
    async def create_event(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        form = form_values(await request.form())
        try:
            data = await read_event_form(request)
            event = await reg.create_event(db_session, current_user, data)
        except DomainError as exc:
            return form_error("events/event_form.html", {"event": None, "values": form}, exc)
        return see_other(f"/events/{event.slug}?msg=saved")

    @get("/{event_ref:str}/edit", name="event_edit")
    async def edit_event(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        event = await EventService(db_session, current_user).get(event_ref)
        return Template(
            "events/event_form.html", context={"event": event, "values": event_form_values(event), "errors": {}}
        )

    @post("/{event_ref:str}/edit", name="event_update")
    async def update_event(
        self,
        event_ref: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        form = form_values(await request.form())
        try:
            data = await read_event_form(request)
            event = await reg.update_event(db_session, current_user, event, data)
        except DomainError as exc:
            return form_error("events/event_form.html", {"event": event, "values": form}, exc)
        return see_other(f"/events/{event.slug}?msg=saved")

    @post("/{event_ref:str}/copy", name="event_copy")
    async def copy_event(
        self,
        event_ref: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        values = form_values(await request.form())
        try:
            data = parse(CopyForm, values)
            copy = await reg.copy_event(db_session, current_user, event, data.date, data.name)
        except DomainError as exc:
            return see_other(f"/events/{event.slug}?msg=copy_failed&field={exc.field or ''}")
        return see_other(f"/events/{copy.slug}/edit?msg=copied")

    @post("/{event_ref:str}/archive", name="event_archive")
    async def archive_event(
        self,
        event_ref: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        event = await EventService(db_session, current_user).get(event_ref)
        archived = (await request.form()).get("archived", "1") == "1"
        await reg.set_archived(db_session, current_user, event, archived)
        return see_other(f"/events/{event.slug}?msg={'archived' if archived else 'saved'}")

    @get("/{event_ref:str}/preferences", name="event_preferences")
    async def preferences_page(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        event = await EventService(db_session, current_user).get(event_ref)
        grid = await prefs.preference_grid(db_session, current_user, event)
        capacity = await prefs.capacity(db_session, current_user, event)
        return Template("events/preferences.html", context={"event": event, "grid": grid, "capacity": capacity})

    # --- employers ---

    @get("/{event_ref:str}/employers/new", name="employer_new")
    async def new_employer(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        event = await EventService(db_session, current_user).get(event_ref)
        return Template("events/employer_form.html", context=await self._employer_context(db_session, event, None, {}))

    async def _employer_context(
        self, db_session: AsyncSession, event: Event, employer: Any, values: dict[str, Any]
    ) -> dict[str, Any]:
        known = (
            await db_session.scalars(
                select(Organisation.name)
                .where(Organisation.kind == OrganisationKind.EMPLOYER)
                .order_by(Organisation.name)
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
        }

    @post("/{event_ref:str}/employers/new", name="employer_create")
    async def create_employer(
        self,
        event_ref: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        values = form_values(await request.form(), lists=("rounds",))
        shown = dict(values)
        try:
            rounds_field(values, total=event.rounds)
            employer = await reg.add_employer(db_session, current_user, event, parse(reg.EmployerInput, values))
        except DomainError as exc:
            return form_error(
                "events/employer_form.html", await self._employer_context(db_session, event, None, shown), exc
            )
        return see_other(f"/events/{event.slug}/employers/{employer.id}?msg=saved")

    @get("/{event_ref:str}/employers/{employer_id:int}", name="employer_page")
    async def employer_page(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        event = await EventService(db_session, current_user).get(event_ref)
        employer = await reg.employer_of(db_session, current_user, event, employer_id)
        return Template(
            "events/employer_form.html", context=await self._employer_context(db_session, event, employer, {})
        )

    @post("/{event_ref:str}/employers/{employer_id:int}", name="employer_update")
    async def update_employer(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        employer = await reg.employer_of(db_session, current_user, event, employer_id)
        values = form_values(await request.form(), lists=("rounds",))
        shown = dict(values)
        try:
            rounds_field(values, total=event.rounds)
            await reg.update_employer(db_session, current_user, event, employer_id, parse(reg.EmployerInput, values))
        except DomainError as exc:
            employer = await reg.employer_of(db_session, current_user, event, employer_id)
            return form_error(
                "events/employer_form.html", await self._employer_context(db_session, event, employer, shown), exc
            )
        return see_other(f"/events/{event.slug}/employers/{employer.id}?msg=saved")

    @post("/{event_ref:str}/employers/{employer_id:int}/delete", name="employer_delete")
    async def delete_employer(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        event = await EventService(db_session, current_user).get(event_ref)
        await reg.remove_employer(db_session, current_user, event, employer_id)
        return see_other(f"/events/{event.slug}?msg=deleted")

    @post("/{event_ref:str}/employers/{employer_id:int}/openings", name="opening_create")
    async def add_opening(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        employer = await reg.employer_of(db_session, current_user, event, employer_id)
        values = form_values(await request.form())
        try:
            await reg.add_opening(db_session, current_user, event, employer_id, parse(reg.OpeningInput, values))
        except DomainError as exc:
            context = await self._employer_context(db_session, event, employer, {})
            context["opening_values"] = values
            return form_error("events/employer_form.html", context, exc)
        return see_other(f"/events/{event.slug}/employers/{employer_id}?msg=saved#openings")

    @post("/{event_ref:str}/openings/{opening_id:int}/delete", name="opening_delete")
    async def delete_opening(
        self,
        event_ref: FromPath[str],
        opening_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        event = await EventService(db_session, current_user).get(event_ref)
        back = str((await request.form()).get("employer_id", ""))
        await reg.remove_opening(db_session, current_user, event, opening_id)
        return back_to_employer(event, back, "openings")

    @post("/{event_ref:str}/employers/{employer_id:int}/contacts", name="contact_create")
    async def add_contact(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        employer = await reg.employer_of(db_session, current_user, event, employer_id)
        values = form_values(await request.form())
        try:
            contact, token = await reg.add_contact(
                db_session, current_user, event, employer_id, parse(reg.ContactInput, values)
            )
        except DomainError as exc:
            context = await self._employer_context(db_session, event, employer, {})
            context["contact_values"] = values
            return form_error("events/employer_form.html", context, exc)
        employer = await reg.employer_of(db_session, current_user, event, employer_id)
        context = await self._employer_context(db_session, event, employer, {})
        context["invitation"] = (
            {"name": contact.name, "url": f"{ctx.settings.base_url}/invite/{token}"} if token else None
        )
        return Template("events/employer_form.html", context=context, status_code=201)

    @post("/{event_ref:str}/contacts/{contact_id:int}/delete", name="contact_delete")
    async def delete_contact(
        self,
        event_ref: FromPath[str],
        contact_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        event = await EventService(db_session, current_user).get(event_ref)
        back = str((await request.form()).get("employer_id", ""))
        await reg.remove_contact(db_session, current_user, event, contact_id)
        return back_to_employer(event, back, "contacts")


# --- candidates (coaches and organisers) -------------------------------------------------------------


def candidate_form_values(candidate: Any) -> dict[str, Any]:
    if candidate is None:
        return {"sectors": [], "barriers": [], "method": "verbal"}
    return {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "email": candidate.email or "",
        "phone": candidate.phone or "",
        "date_of_birth": candidate.date_of_birth.isoformat() if candidate.date_of_birth else "",
        "city": candidate.city or "",
        "sectors": list(candidate.sectors or []),
        "hours_per_week": candidate.hours_per_week or "",
        "own_words": candidate.own_words,
        "target_group": candidate.target_group or "",
        "barriers": list(candidate.barriers or []),
        "coach_note": candidate.coach_note,
    }


CANDIDATE_FIELDS = set(reg.CandidateInput.__struct_fields__)


class CandidateAdminPages(Controller):
    path = "/candidates"
    include_in_schema = False
    guards = [requires(Role.ORGANISER, Role.COACH)]

    def _context(self, candidate: Any, values: dict[str, Any], coaches: Any = ()) -> dict[str, Any]:
        return {
            "candidate": candidate,
            "values": values,
            "errors": {},
            "sectors": SECTORS,
            "barriers": BARRIERS,
            "methods": [m.value for m in ConsentMethod],
            "coaches": coaches,
            "coach_kinds": [k.value for k in CoachKind],
        }

    @get("/new", name="candidate_new")
    async def new_candidate(self, db_session: NamedDependency[AsyncSession]) -> Template:
        return Template(
            "events/candidate_form.html",
            context=self._context(None, candidate_form_values(None), await reg.coaches(db_session)),
        )

    @post("/new", name="candidate_create")
    async def create_candidate(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        values = form_values(await request.form(), lists=("sectors", "barriers"))
        try:
            data = parse(reg.CandidateInput, {k: v for k, v in values.items() if k in CANDIDATE_FIELDS})
            consent = parse(
                reg.ConsentInput, {"purpose": values.get("purpose", ""), "method": values.get("method", "verbal")}
            )
            coach_id = int(values["coach_id"]) if _ID.fullmatch(str(values.get("coach_id", ""))) else None
            candidate = await reg.register_candidate(db_session, current_user, data, consent, coach_id=coach_id)
        except DomainError as exc:
            return form_error(
                "events/candidate_form.html", self._context(None, values, await reg.coaches(db_session)), exc
            )
        return see_other(f"/candidates/{candidate.id}?msg=saved")

    @get("/{candidate_id:int}/edit", name="candidate_edit")
    async def edit_candidate(
        self,
        candidate_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        candidate = await CandidateService(db_session, current_user).get(candidate_id, sensitive=True)
        return Template(
            "events/candidate_form.html", context=self._context(candidate, candidate_form_values(candidate))
        )

    @post("/{candidate_id:int}/edit", name="candidate_update")
    async def update_candidate(
        self,
        candidate_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        candidate = await CandidateService(db_session, current_user).get(candidate_id)
        values = form_values(await request.form(), lists=("sectors", "barriers"))
        try:
            data = parse(reg.CandidateInput, {k: v for k, v in values.items() if k in CANDIDATE_FIELDS})
            await reg.update_candidate(db_session, current_user, candidate_id, data)
        except DomainError as exc:
            return form_error("events/candidate_form.html", self._context(candidate, values), exc)
        return see_other(f"/candidates/{candidate_id}?msg=saved")

    @post("/{candidate_id:int}/signup", name="candidate_signup")
    async def sign_up(
        self,
        candidate_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        values = form_values(await request.form(), lists=("rounds",))
        event = await EventService(db_session, current_user).get(str(values.get("event", "")) or "-")
        try:
            rounds_field(values, total=event.rounds)
            data = parse(reg.ParticipationInput, {k: v for k, v in values.items() if k != "event"})
            participation = await reg.sign_up(db_session, current_user, event, candidate_id, data)
        except DomainError as exc:
            return see_other(f"/candidates/{candidate_id}?msg=signup_failed&reason={exc.code}")
        return see_other(f"/events/{event.slug}/wishes/{participation.id}?msg=signed_up")


class CoachPages(Controller):
    """Who coaches whom: a second coach for a candidate, and handing a caseload over."""

    path = "/coaches"
    include_in_schema = False
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @post("/assign/{candidate_id:int}", name="coach_assign")
    async def assign(
        self,
        candidate_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        await CandidateService(db_session, current_user).get(candidate_id)  # reach first
        form = await request.form()
        coach_id = str(form.get("coach_id", ""))
        kind = str(form.get("kind", "jobcoach"))
        if not _ID.fullmatch(coach_id) or kind not in {k.value for k in CoachKind}:
            raise DomainError("invalid", _t("Choose a coach."), "coach_id")
        await reg.assign_coach(db_session, current_user, candidate_id, int(coach_id), CoachKind(kind))
        return see_other(f"/candidates/{candidate_id}?msg=saved")

    @post("/unassign/{candidate_id:int}/{coach_id:int}", name="coach_unassign")
    async def unassign(
        self,
        candidate_id: FromPath[int],
        coach_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        await reg.remove_coach(db_session, current_user, candidate_id, coach_id)
        target = f"/candidates/{candidate_id}?msg=saved" if coach_id != current_user.id else "/?msg=saved"
        return see_other(target)

    @post("/handover", name="coach_handover")
    async def handover(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        form = await request.form()
        source, target = str(form.get("from_coach_id", current_user.id)), str(form.get("to_coach_id", ""))
        if not _ID.fullmatch(source) or not _ID.fullmatch(target):
            raise DomainError("invalid", _t("Choose a coach."), "to_coach_id")
        moved = await reg.hand_over_caseload(db_session, current_user, int(source), int(target))
        return see_other(f"/?msg=handed_over&n={moved}")


class WishPages(Controller):
    """Wishes (coaches, with the candidate beside them) and interest (employers), on a phone."""

    path = "/events/{event_ref:str}"
    include_in_schema = False

    @get("/wishes/{participation_id:int}", name="wishes", guards=[requires(Role.ORGANISER, Role.COACH)])
    async def wishes_page(
        self,
        event_ref: FromPath[str],
        participation_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        event = await EventService(db_session, current_user).get(event_ref)
        participation = await reg.participation_of(db_session, current_user, event, participation_id)
        employers = sorted(await prefs.load_employers(db_session, event), key=lambda e: e.organisation.name.lower())
        levels = await prefs.levels_for(db_session, participation.id)
        return Template(
            "events/wishes.html",
            context={
                "event": event,
                "participation": participation,
                "employers": employers,
                "levels": levels,
                "statuses": EDITABLE_STATUSES,
                "errors": {},
            },
        )

    @post("/wishes/{participation_id:int}", name="wishes_set", guards=[requires(Role.ORGANISER, Role.COACH)])
    async def set_wish(
        self,
        event_ref: FromPath[str],
        participation_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        event = await EventService(db_session, current_user).get(event_ref)
        await reg.participation_of(db_session, current_user, event, participation_id)  # reach first
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
        event_ref: FromPath[str],
        participation_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        participation = await reg.participation_of(db_session, current_user, event, participation_id)
        values = form_values(await request.form(), lists=("rounds",))
        try:
            rounds_field(values, total=event.rounds)
            values["needs_interpreter"] = values.get("needs_interpreter") == "true"
            await reg.update_participation(
                db_session, current_user, event, participation_id, parse(reg.ParticipationInput, values)
            )
        except DomainError as exc:
            employers = sorted(await prefs.load_employers(db_session, event), key=lambda e: e.organisation.name.lower())
            levels = await prefs.levels_for(db_session, participation.id)
            context = {
                "event": event,
                "participation": participation,
                "employers": employers,
                "levels": levels,
                "statuses": EDITABLE_STATUSES,
            }
            return form_error("events/wishes.html", context, exc)
        return see_other(f"/events/{event.slug}/wishes/{participation_id}?msg=saved")

    @get("/cards", name="employer_cards", guards=[requires(Role.EMPLOYER)])
    async def cards_page(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        event = await EventService(db_session, current_user).get(event_ref)
        own = await EventService(db_session, current_user).employers(event)
        if not own:
            raise NotFoundError("employer")
        employer, cards = await prefs.employer_cards(db_session, current_user, event, own[0].id)
        return Template("events/cards.html", context={"event": event, "employer": employer, "cards": cards})

    @post("/cards", name="employer_cards_set", guards=[requires(Role.EMPLOYER)])
    async def set_interest(
        self,
        event_ref: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        event = await EventService(db_session, current_user).get(event_ref)
        own = await EventService(db_session, current_user).employers(event)
        form = await request.form()
        participation_id, level = _pair(form.get("participation_id"), form.get("level"))
        if own:
            await prefs.set_preference(db_session, current_user, event, participation_id, own[0].id, level)
        return see_other(f"/events/{event.slug}/cards#card-{participation_id}")

    @post("/rounds", name="employer_rounds_set", guards=[requires(Role.EMPLOYER)])
    async def set_rounds(
        self,
        event_ref: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        event = await EventService(db_session, current_user).get(event_ref)
        own = await EventService(db_session, current_user).employers(event)
        values = form_values(await request.form(), lists=("rounds",))
        if own:
            try:
                rounds_field(values, total=event.rounds)
                await reg.set_employer_rounds(db_session, current_user, event, own[0].id, values["rounds"])
            except DomainError:
                return see_other(f"/events/{event.slug}/cards?msg=rounds_failed")
        return see_other(f"/events/{event.slug}/cards?msg=saved")


def _pair(first: Any, level: Any) -> tuple[int, int | None]:
    if not _ID.fullmatch(str(first or "")):
        raise DomainError("invalid", _t("choose someone"), "id")
    text = str(level or "")
    if text in ("", "clear"):
        return int(str(first)), None
    if text not in ("0", "1", "2", "3"):
        raise DomainError("invalid_level", _t("choose no, maybe, yes or very much"), "level")
    return int(str(first)), int(text)


class InvitationPages(Controller):
    path = "/invite"
    include_in_schema = False

    @get("/{token:str}", name="invitation")
    async def invitation_page(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Template:
        _, account = await reg.open_invitation(db_session, token)
        return Template("events/invitation.html", context={"account": account, "token": token, "errors": {}})

    @post("/{token:str}", name="invitation_accept")
    async def accept(
        self, token: FromPath[str], request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        form = await request.form()
        password = str(form.get("password", ""))
        if password != str(form.get("password_again", "")):
            _, account = await reg.open_invitation(db_session, token)
            exc = DomainError("mismatch", _t("The two passwords are not the same."), "password_again")
            return form_error("events/invitation.html", {"account": account, "token": token}, exc)
        try:
            await reg.accept_invitation(db_session, token, password)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            _, account = await reg.open_invitation(db_session, token)
            return form_error("events/invitation.html", {"account": account, "token": token}, exc)
        return see_other("/login?msg=password_set")
