"""The round clock's pages: the projector page and its state for every organiser and door account of the
event, and the organiser's start, pause, resume and shift."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import clock
from badges.day import services as day
from badges.day.deps import day_events, desk_events
from badges.day.live import Live, publish_after
from events.platform.auth import CurrentUser, requires
from events.platform.models import Event, Role
from events.platform.redirects import see_other

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
    dependencies = desk_events
    include_in_schema = False

    @get("/", name="clock")
    async def page(
        self,
        event: NamedDependency[Event],
    ) -> Template:
        """The round clock for a projector: current round, countdown, "change tables", what comes next."""
        return Template("badges/clock.html", context={"event": event, "view": clock.view(event, _now())})

    @get("/state", name="clock-state")
    async def state(self, event: NamedDependency[Event]) -> Response[dict[str, Any]]:
        now = _now()
        body = {"now": now.isoformat(), **clock.view(event, now).as_json()}
        return Response(body, headers={"Cache-Control": "no-store"})

    @post("/", name="clock-control", guards=[organisers], dependencies=day_events)
    async def control(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        data: URLEncodedBody[ClockForm],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect:
        """Start, pause, resume or shift the clock (minutes, negative to win time back)."""
        target = "clock" if data.next == "clock" else "day"
        if not await day.control_clock(db_session, current_user, event, _now(), data.action, data.minutes):
            # Not the event's day: the page shows why its start button is off (a page left open since
            # yesterday still had it on).
            return see_other(f"/events/{event.slug}/{target}")
        live: Live = request.app.state.live
        return publish_after(see_other(f"/events/{event.slug}/{target}?msg=saved"), live, event.id, {"type": "clock"})
