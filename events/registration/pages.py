"""Pages for filling an event: the event's settings, its copy and archive, the wishes' overview, and the invitation
link that lets an employer's contact choose a password; and what every page of the slice shares (redirects, a
form shown again with its error).

Employers: events.registration.employer_pages; candidates and coaches: events.registration.candidate_pages;
wishes and interest: events.registration.wish_pages; imports and exports: events.registration.data_pages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import breaks_field, form_error, parse
from events.platform.i18n import gettext as _t
from events.platform.models import (
    Event,
    Role,
)
from events.platform.redirects import see_other
from events.platform.web import WEB, EventPageController, EventWeb, PublicPageController, Visit, Web
from events.registration import preferences as prefs
from events.registration.employers import accept_invitation, open_invitation
from events.registration.inputs import EventInput
from events.registration.services import copy_event, create_event, set_archived, update_event

organisers = requires(Role.ORGANISER)


class CopyForm(msgspec.Struct):
    date: dt.date
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")] | None = None


class ArchiveForm(msgspec.Struct):
    """Archive ("1", or nothing sent) or bring back (anything else, an empty value too)."""

    archived: str = "1"


class PasswordForm(msgspec.Struct):
    """The password an invited contact chooses, twice; as typed, spaces included."""

    password: str = ""
    password_again: str = ""


# Ids typed into forms: ASCII digits within the id column's range.
FORM_ID = re.compile(r"[0-9]{1,9}")


def event_form_values(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {
            "kind": "meet_match",
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
        "kind": event.kind.value,
        "name": event.name,
        "slug": event.slug,
        "date": event.date.isoformat(),
        "venue": event.venue,
        "address": event.address,
        "description": event.description,
        "first_round_start": event.first_round_start.strftime("%H:%M"),
        "round_minutes": event.round_minutes,
        "changeover_minutes": event.changeover_minutes,
        "rounds": event.rounds or 6,
        "breaks": ", ".join(f"{b['after_round']}:{b['minutes']}" for b in event.breaks or []),
        "default_min_meetings": event.default_min_meetings,
        "default_max_meetings": event.default_max_meetings,
        "max_seats": event.max_seats,
        "retention_months": event.retention_months,
    }


EVENT_FORM = "events/event_form.html"
# What a plenary gathering's form leaves out: its rounds part is hidden, and what it holds is not used.
ROUND_FIELDS = (
    "rounds",
    "breaks",
    "round_minutes",
    "changeover_minutes",
    "default_min_meetings",
    "default_max_meetings",
    "max_seats",
)


async def _save_event(web: Web, save: Callable[[EventInput], Awaitable[Event]], event: Event | None) -> Response[Any]:
    """The event's form as sent: saved (created or changed) and on to the event, or shown again with the error."""
    form = await web.values()
    try:
        sent = {**form, "breaks": breaks_field(form.get("breaks"))}
        if form.get("kind") == "plenary":
            sent = {k: v for k, v in sent.items() if k not in ROUND_FIELDS}
            if event is not None:
                # Kept as they were (the employers' seats too), should the gathering get rounds again.
                sent.update({k: getattr(event, k) for k in ROUND_FIELDS if k not in ("rounds", "breaks")})
        saved = await save(parse(EventInput, sent))
    except DomainError as exc:
        return form_error(EVENT_FORM, {"event": event, "values": form}, exc)
    return see_other(f"/events/{saved.slug}?msg=saved")


class EventAdminPages(EventPageController):
    path = "/events"
    guards = [organisers]

    @get("/new", name="event_new")
    async def new_event(self) -> Template:
        return Template(EVENT_FORM, context={"event": None, "values": event_form_values(None), "errors": {}})

    @post("/new", name="event_create", dependencies=WEB)
    async def create_event(self, web: NamedDependency[Web]) -> Response[Any]:
        return await _save_event(web, lambda data: create_event(web.db, web.user, data), None)

    @get("/{event_ref:str}/edit", name="event_edit")
    async def edit_event(self, event: NamedDependency[Event]) -> Template:
        return Template(EVENT_FORM, context={"event": event, "values": event_form_values(event), "errors": {}})

    @post("/{event_ref:str}/edit", name="event_update")
    async def update_event(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        return await _save_event(web, lambda data: update_event(web.db, web.user, web.event, data), web.event)

    @post("/{event_ref:str}/copy", name="event_copy")
    async def copy_event(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        try:
            data = await web.form(CopyForm)
            copy = await copy_event(web.db, web.user, web.event, data.date, data.name)
        except DomainError as exc:
            return web.redirect(f"?msg=copy_failed&field={exc.field or ''}")
        return see_other(f"/events/{copy.slug}/edit?msg=copied")

    @post("/{event_ref:str}/archive", name="event_archive")
    async def archive_event(self, web: NamedDependency[EventWeb]) -> Redirect:
        archived = (await web.posted(ArchiveForm)).archived == "1"
        await set_archived(web.db, web.user, web.event, archived)
        return web.redirect(f"?msg={'archived' if archived else 'saved'}")

    @get("/{event_ref:str}/preferences", name="event_preferences")
    async def preferences_page(self, web: NamedDependency[EventWeb]) -> Template:
        grid = await prefs.preference_grid(web.db, web.user, web.event)
        capacity = await prefs.capacity(web.db, web.user, web.event)
        return Template("events/preferences.html", context={"event": web.event, "grid": grid, "capacity": capacity})


class InvitationPages(PublicPageController):
    path = "/invite"

    @get("/{token:str}", name="invitation")
    async def invitation_page(self, web: NamedDependency[Visit], token: FromPath[str]) -> Template:
        _, account = await open_invitation(web.db, token)
        return Template("events/invitation.html", context={"account": account, "token": token, "errors": {}})

    @post("/{token:str}", name="invitation_accept")
    async def accept(self, web: NamedDependency[Visit], token: FromPath[str]) -> Response[Any]:
        try:
            form = await web.posted(PasswordForm)
            if form.password != form.password_again:
                raise DomainError("mismatch", _t("The two passwords are not the same."), "password_again")
            await accept_invitation(web.db, token, form.password)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            _, account = await open_invitation(web.db, token)
            return form_error("events/invitation.html", {"account": account, "token": token}, exc)
        return see_other("/login?msg=password_set")
