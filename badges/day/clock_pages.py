"""The round clock's pages: the projector page and its state for every organiser and door account of the
event, and the organiser's start, pause, resume and shift."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import clock
from badges.day import services as day
from badges.day.door import desk_event
from badges.day.live import Live, publish_after
from events.platform.auth import CurrentUser, requires
from events.platform.models import Role
from events.platform.redirects import see_other
from events.platform.services import find_event

organisers = requires(Role.ORGANISER)
clock_readers = requires(Role.ORGANISER, Role.DOOR)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ClockForm(msgspec.Struct):
    action: str = ""
    minutes: str = ""
    next: str = ""


class ClockPages(Controller):
    path = "/events/{event_ref:str}/clock"
    guards = [clock_readers]
    include_in_schema = False

    @get("/", name="clock")
    async def page(
        self,
        event_ref: FromPath[str],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """The round clock for a projector: current round, countdown, "change tables", what comes next."""
        event = await desk_event(db_session, current_user, event_ref)
        return Template("badges/clock.html", context={"event": event, "view": clock.view(event, _now())})

    @get("/state", name="clock-state")
    async def state(
        self,
        event_ref: FromPath[str],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[dict[str, Any]]:
        event = await desk_event(db_session, current_user, event_ref)
        now = _now()
        body = {"now": now.isoformat(), **clock.view(event, now).as_json()}
        return Response(body, headers={"Cache-Control": "no-store"})

    @post("/", name="clock-control", guards=[organisers])
    async def control(
        self,
        request: Request[Any, Any, Any],
        event_ref: FromPath[str],
        data: URLEncodedBody[ClockForm],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect:
        """Start, pause, resume or shift the clock (minutes, negative to win time back)."""
        event = await find_event(db_session, event_ref)
        target = "clock" if data.next == "clock" else "day"
        if not await day.control_clock(db_session, current_user, event, _now(), data.action, data.minutes):
            # Not the event's day: the page shows why its start button is off (a page left open since
            # yesterday still had it on).
            return see_other(f"/events/{event.slug}/{target}")
        live: Live = request.app.state.live
        return publish_after(see_other(f"/events/{event.slug}/{target}?msg=saved"), live, event.id, {"type": "clock"})
